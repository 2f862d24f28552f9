#!/usr/bin/env python3
"""Issue 17's findings replayed against a running gaoxin demo (seed 1): prints, per finding,
what the server did. Usage: before_after.py http://127.0.0.1:PORT"""
import concurrent.futures, io, json, re, socket, sys, urllib.error, urllib.parse, urllib.request, zipfile, http.cookiejar

BASE = sys.argv[1].rstrip('/')
PW = 'demo1234'

def req(method, path, body=None, headers=None, opener=None, raw=False):
    h = dict(headers or {})
    data = None
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode(); h['content-type'] = 'application/json'
    elif isinstance(body, bytes):
        data = body
    r = urllib.request.Request(BASE + path, data=data, method=method, headers=h)
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k): return None
    op = opener or urllib.request.build_opener(NoRedirect)
    try:
        resp = op.open(r, timeout=60)
        return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()
    except Exception as e:
        return 0, {}, str(e).encode()

def token(user, password=PW):
    s, _, b = req('POST', '/api/v1/auth/token', {'username': user, 'password': password, 'name': 'ba'})
    return json.loads(b)['token'] if s in (200, 201) else None

def bearer(t): return {'authorization': 'Bearer ' + t}

def multipart(fields, files):
    boundary = 'ba-boundary-1234'
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for k, (name, data) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode())
        out.write(data); out.write(b'\r\n')
    out.write(f'--{boundary}--\r\n'.encode())
    return out.getvalue(), {'content-type': f'multipart/form-data; boundary={boundary}'}

def far_cell_xlsx():
    b = io.BytesIO(); z = zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED)
    z.writestr('[Content_Types].xml', '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    z.writestr('_rels/.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr('xl/workbook.xml', '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="企业" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr('xl/_rels/workbook.xml.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    z.writestr('xl/worksheets/sheet1.xml', '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>企业名称</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>')
    z.close(); return b.getvalue()

results = []
def report(n, what, outcome): results.append((n, what, outcome)); print(f'{n:>3} {what}: {outcome}', flush=True)

admin = token('admin')
# 9: page overflow
s, _, b = req('GET', '/api/v1/enterprises?page=9223372036854775807', headers=bearer(admin))
report(9, 'page=9223372036854775807', f'{s} {b[:80].decode(errors="replace")}')
s, _, b = req('GET', '/api/v1/ladder/targets?year=2147483647', headers=bearer(admin))
report(9, 'year=2147483647', f'{s} {b[:80].decode(errors="replace")}')
# 3: headers
s, h, _ = req('GET', '/login')
report(3, 'Content-Security-Policy on /login', h.get('Content-Security-Policy') or h.get('content-security-policy') or 'absent')
# 7: open redirect
jar = http.cookiejar.CookieJar()
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
s, h, b = req('GET', '/login', opener=op)
m = re.search(rb'name="_csrf" value="([^"]+)"', b)
form = urllib.parse.urlencode({'username': 'leader', 'password': PW, '_csrf': m.group(1).decode() if m else '', 'next': '/\t/evil.example'}).encode()
s, h, b = req('POST', '/login', form, {'content-type': 'application/x-www-form-urlencoded'}, opener=op)
report(7, 'login with next=/%09/evil.example', f'{s} Location={h.get("Location") or h.get("location")!r}')
# 10: case-insensitive usernames, weak password
s, _, b = req('POST', '/api/v1/users', {'username': 'Admin', 'display_name': '大写管理员', 'role': 'leader', 'password': 'Long-enough-2026'}, bearer(admin))
report(10, 'create user "Admin" beside "admin"', f'{s} {b[:100].decode(errors="replace")}')
s, _, b = req('POST', '/api/v1/users', {'username': 'weakpw', 'display_name': '弱密码', 'role': 'leader', 'password': '12345678'}, bearer(admin))
report(10, 'password 12345678', f'{s} {b[:100].decode(errors="replace")}')
# 8: token survives a password reset
s, _, b = req('POST', '/api/v1/users', {'username': 'tok_user', 'display_name': '令牌用户', 'role': 'leader', 'password': 'Tok-user-pass-2026'}, bearer(admin))
uid = json.loads(b).get('id') if s in (200, 201) else None
t = token('tok_user', 'Tok-user-pass-2026')
s, _, b = req('PATCH', f'/api/v1/users/{uid}', {'password': 'Tok-user-pass-2027'}, bearer(admin))
s2, _, _ = req('GET', '/api/v1/me', headers=bearer(t))
report(8, 'old token after an admin password reset', f'reset {s}; /api/v1/me with the old token → {s2}')
# 5: department scope — 经济发展局 staff starts a ladder evaluation (ladder held by 科学技术局)
jingfa = token('jingfa')
s, _, b = req('POST', '/api/v1/ladder/runs', {'year': 2024}, bearer(jingfa))
report(5, '经济发展局 staff starts a ladder evaluation', f'{s} {b[:100].decode(errors="replace")}')
# 6: long text then the audit export
s, _, b = req('POST', '/api/v1/departments', {'name': '长' * 40000}, bearer(admin))
report(6, 'a 40,000-character department name', f'{s} {b[:100].decode(errors="replace")}')
s, _, b = req('GET', '/api/v1/audit?per_page=5', headers=bearer(admin))
report(6, 'the audit log afterwards (API)', f'{s}')
# 4: 30 parallel wrong passwords, then the right one
def wrong(_):
    return req('POST', '/api/v1/auth/token', {'username': 'keji', 'password': 'wrong-password-x', 'name': 'x'})[0]
with concurrent.futures.ThreadPoolExecutor(30) as ex:
    codes = list(ex.map(wrong, range(30)))
s, _, b = req('POST', '/api/v1/auth/token', {'username': 'keji', 'password': PW, 'name': 'x'})
report(4, '30 parallel wrong passwords for keji, then the right one', f'right one → {s}')
# 1: the far-cell workbook, then /healthz
body, h = multipart({'kind': 'enterprise', 'dry_run': 'true'}, {'file': ('名单.xlsx', far_cell_xlsx())})
s, _, b = req('POST', '/api/v1/enterprises/import', body, {**h, **bearer(admin)})
s2, _, _ = req('GET', '/healthz')
report(1, 'a 2-cell workbook reaching XFD1048576', f'import → {s} {b[:90].decode(errors="replace")}; then /healthz → {s2}')
