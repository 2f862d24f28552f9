// Issue 17, finding 3 in a real browser: hostile names put into the fields that reach pages (a
// department, a user's name, an enterprise's name and address, through the API and an import)
// never become elements or script on any page that shows them. Each payload, if it ran, would
// set window.__xss or open a dialog; the Content-Security-Policy watcher of support.mjs fails
// the test too. Named to run last: it adds a department, a user and an enterprise to the demo.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, PASSWORD, freshPage, loginOk as login, useBrowser } from './support.mjs';

useBrowser();

const TEST_TIMEOUT_MS = 180_000;

const PAYLOADS = {
  department: '测试<img src=x onerror="window.__xss=1">局',
  user: '"><svg onload="window.__xss=2">王',
  enterprise: '</script><script>window.__xss=3</script>恶意科技有限公司',
  address: "新乡市<iframe src=javascript:window.__xss=4></iframe>路'\"",
};

async function api(path, init = {}, token) {
  const headers = { ...(init.headers || {}) };
  if (token) headers.authorization = `Bearer ${token}`;
  const resp = await fetch(`${BASE_URL}${path}`, { ...init, headers });
  const text = await resp.text();
  return { status: resp.status, body: text ? JSON.parse(text) : null };
}

test('hostile names stay text on every page that shows them', { timeout: TEST_TIMEOUT_MS }, async () => {
  const issued = await api('/api/v1/auth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD, name: 'sweep' }),
  });
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  const token = issued.body.token;
  const json = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const department = await api('/api/v1/departments', json({ name: PAYLOADS.department, sort_order: 99 }), token);
  assert.equal(department.status, 201, JSON.stringify(department.body));
  const user = await api(
    '/api/v1/users',
    json({ username: 'sweep_user', display_name: PAYLOADS.user, role: 'leader', password: 'Sweep-Pass-2026' }),
    token,
  );
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const form = new FormData();
  form.append('kind', 'enterprise');
  form.append('dry_run', 'false');
  const csv = `企业名称,统一社会信用代码,注册地址\n"${PAYLOADS.enterprise}",91410700MA3X4L0L0B,"${PAYLOADS.address.replaceAll('"', '""')}"\n`;
  form.append('file', new Blob([csv], { type: 'text/csv' }), '名单.csv');
  const imported = await api('/api/v1/enterprises/import', { method: 'POST', body: form }, token);
  assert.equal(imported.status, 200, JSON.stringify(imported.body));
  const found = await api(`/api/v1/enterprises?q=${encodeURIComponent('恶意科技')}`, {}, token);
  assert.equal(found.status, 200);
  const firm = found.body.items[0];
  assert.ok(firm, 'the imported firm is found');
  assert.equal(firm.name, PAYLOADS.enterprise, 'stored exactly as sent');

  const pages = [
    '/',
    '/enterprises',
    `/enterprises?q=${encodeURIComponent('恶意科技')}`,
    `/enterprises/${firm.id}`,
    '/departments',
    '/admin/users',
    `/admin/users/${user.body.id}/edit`,
    '/audit',
    '/plans',
    '/plans/tasks/new',
    '/projects',
    '/projects/new',
    '/land/clearance',
    '/land/parcels',
    '/policies/events',
    '/ladder',
  ];
  const { context, page, check } = await freshPage();
  const dialogs = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(`${page.url()}: ${dialog.message()}`);
    await dialog.dismiss();
  });
  try {
    await login(page, 'admin');
    const shown = new Set();
    for (const path of pages) {
      const resp = await page.goto(path);
      assert.ok(resp && resp.status() < 400, `${path}: ${resp?.status()}`);
      const found = await page.evaluate(
        ({ payloads }) => {
          const text = document.body.innerText;
          return {
            ran: window.__xss,
            injected: document.querySelectorAll(
              'img[src="x"], svg[onload], iframe, script:not([src]):not([type="application/json"])',
            ).length,
            shown: Object.entries(payloads)
              .filter(([, value]) => text.includes(value.replace(/\s+/g, ' ').trim().slice(0, 12)))
              .map(([key]) => key),
          };
        },
        { payloads: PAYLOADS },
      );
      assert.equal(found.ran, undefined, `${path}: a payload ran (window.__xss = ${found.ran})`);
      assert.equal(found.injected, 0, `${path}: an injected element exists`);
      found.shown.forEach((k) => shown.add(k));
    }
    assert.deepEqual(dialogs, [], 'no dialog opened');
    for (const key of ['department', 'user', 'enterprise', 'address']) {
      assert.ok(shown.has(key), `the ${key} payload was shown as text on some page (${[...shown]})`);
    }
    check();
  } finally {
    await context.close();
  }
});
