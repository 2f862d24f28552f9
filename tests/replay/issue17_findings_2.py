#!/usr/bin/env python3
"""Issue 17, findings 6 and 11 replayed: a 40,000-character task text, then the audit export;
the OpenAPI document through openapi-spec-validator. Usage: before_after_2.py BASE"""
import json, subprocess, sys, urllib.request, urllib.error
sys.path.insert(0, '/work/tools')
BASE = sys.argv[1].rstrip('/')
def req(method, path, body=None, token=None):
    h = {'content-type': 'application/json'} if body is not None else {}
    if token: h['authorization'] = 'Bearer ' + token
    r = urllib.request.Request(BASE + path, data=json.dumps(body).encode() if body is not None else None, method=method, headers=h)
    try:
        resp = urllib.request.urlopen(r, timeout=120); return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except Exception as e:
        return 0, str(e).encode()
s, b = req('POST', '/api/v1/auth/token', {'username': 'admin', 'password': 'demo1234', 'name': 'ba'})
t = json.loads(b)['token']
s, b = req('POST', '/api/v1/plans', {'title': '长文本方案', 'year': 2026, 'tasks': [{'text': '长' * 40000, 'departments': [{'role': 'lead', 'written': '科学技术局'}]}]}, t)
print(' 6 a plan whose task text has 40,000 characters:', s, b[:90].decode(errors='replace'))
s, b = req('GET', '/audit/export', token=t)
print(' 6 /audit/export afterwards:', s, f'{len(b)} bytes')
s, doc = req('GET', '/api/v1/openapi.json')
open('/tmp/ba/openapi.json', 'wb').write(doc)
r = subprocess.run([sys.executable, '-c', '''
import json, sys
from openapi_spec_validator import validate, OpenAPIV31SpecValidator
spec = json.load(open("/tmp/ba/openapi.json"))
errors = list(OpenAPIV31SpecValidator(spec).iter_errors())
print(len(errors))
'''], capture_output=True, text=True)
print('11 openapi-spec-validator (OpenAPI 3.1) errors:', (r.stdout or r.stderr).strip()[-200:])
