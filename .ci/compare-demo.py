#!/usr/bin/env python3
"""Old vs new binary: the same demo seed under the same fake clock; compare the database
(minus timestamps and password hashes) and every list export (.xlsx sheet XML)."""
import sys, os, subprocess, time, sqlite3, urllib.request, urllib.parse, http.cookiejar, zipfile, io, re, json
old, new, seed = sys.argv[1], sys.argv[2], sys.argv[3]
WHEN = sys.argv[4] if len(sys.argv) > 4 else '2026-11-20 04:00:00'
EXPORTS = ["/admin/users/export", "/audit/export", "/departments/export", "/enterprises/annual/export",
 "/enterprises/export", "/enterprises/innovation/export", "/ladder/expiring/export.xlsx", "/ladder/pool/export.xlsx",
 "/land/clearance/export.xlsx", "/land/parcels/export.xlsx", "/plans/ledger.xlsx", "/policies/matches/export.xlsx",
 "/projects/bulletin.xlsx", "/projects/export.xlsx"] + \
 [f"/land/runs/{i}/export.xlsx" for i in range(1, 5)] + [f"/land/runs/{i}/measures.xlsx" for i in range(1, 5)] + \
 [f"/policies/batches/{i}/export.xlsx" for i in range(1, 9)]
SERIAL = re.compile(r'\b(4\d{4})\.\d{6,}')  # Excel date-time serials of record stamps
STAMP = re.compile(r'(_at|password_hash|^at$|^token|^session|^created|^updated|sha256)', re.I)
ISO = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?')
def run(label, binary, port):
    d = f"/tmp/cmp/{label}-{seed}"; os.makedirs(d, exist_ok=True)
    for f in os.listdir(d): os.remove(os.path.join(d, f))
    db = f"{d}/demo.db"
    p = subprocess.Popen([binary, "--db", f"sqlite://{db}", "demo", "--seed", seed,
                          "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=open(f"{d}/log", "w"),
                         env=dict(os.environ, LD_PRELOAD="/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", FAKETIME="@" + WHEN))
    base = f"http://127.0.0.1:{port}"
    time.sleep(0.5); assert p.poll() is None, open(f'{d}/log').read()
    for _ in range(600):
        try: urllib.request.urlopen(base + "/healthz", timeout=2); break
        except Exception: time.sleep(0.2)
    jar = http.cookiejar.CookieJar(); op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    req = urllib.request.Request(base + "/login", data=urllib.parse.urlencode({"username": "admin", "password": "demo1234", "next": "/"}).encode(),
                                 headers={"Origin": base, "Content-Type": "application/x-www-form-urlencoded"})
    op.open(req)
    out = {}
    for e in EXPORTS:
        try:
            r = op.open(base + e); body = r.read()
        except urllib.error.HTTPError as err:
            out[e] = f"HTTP {err.code}"; continue
        try:
            z = zipfile.ZipFile(io.BytesIO(body))
            out[e] = {n: SERIAL.sub(r'\1.T', ISO.sub('T', z.read(n).decode())) for n in z.namelist() if n.startswith("xl/worksheets/") or n.endswith("sharedStrings.xml")}
        except zipfile.BadZipFile:
            out[e] = "not xlsx: " + body[:80].decode(errors="replace")
    p.terminate(); p.wait()
    con = sqlite3.connect(db); tables = {}
    for (t,) in con.execute("select name from sqlite_master where type='table' and name not like 'sqlite_%' and name not like 'seaql%' and name <> 'session'"):
        cols = [c[1] for c in con.execute(f'pragma table_info("{t}")') if not STAMP.search(c[1])]
        if not cols: continue
        rows = con.execute("select " + ",".join(f'"{c}"' for c in cols) + f' from "{t}"').fetchall()
        tables[t] = (cols, sorted(tuple(ISO.sub('T', str(v)) if isinstance(v, str) else v for v in r) for r in rows))
    return out, tables
a, ta = run("a", old, 18201); b, tb = run("b", new, 18202)
diffs = 0
for e in EXPORTS:
    if a[e] != b[e]:
        diffs += 1
        if isinstance(a[e], dict) and isinstance(b[e], dict):
            ks = [k for k in set(a[e]) | set(b[e]) if a[e].get(k) != b[e].get(k)]
            print("EXPORT DIFFERS", e, ks, len(str(a[e])), len(str(b[e])))
        else: print("EXPORT DIFFERS", e, str(a[e])[:100], "|", str(b[e])[:100])
ok = [e for e in EXPORTS if isinstance(a[e], dict) and a[e] == b[e]]
print(f"seed {seed}: {len(ok)} exports identical:", " ".join(ok))
print("  not xlsx in both:", [e for e in EXPORTS if not isinstance(a[e], dict) and a[e] == b[e]])
for t in sorted(set(ta) | set(tb)):
    if t not in ta or t not in tb: print("TABLE only in one:", t, t in ta, t in tb); diffs += 1; continue
    if ta[t] != tb[t]:
        diffs += 1
        ca, ra = ta[t]; cb, rb = tb[t]
        if ca != cb: print("TABLE columns differ", t, set(ca) ^ set(cb)); continue
        sa, sb = set(ra), set(rb)
        print(f"TABLE {t}: {len(ra)} vs {len(rb)} rows, {len(sa-sb)} only old, {len(sb-sa)} only new; e.g.", list(sa-sb)[:1], list(sb-sa)[:1])
print(f"seed {seed}: {len(ta)} tables, {sum(len(v[1]) for v in ta.values())} rows; {diffs} differences")
