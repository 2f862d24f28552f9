// Real-browser tests of gaoxin's login flow and role checks.
//
// Drives Debian's headless Chromium through playwright-core (which never
// downloads a browser of its own) against a running gaoxin server:
//
//   GAOXIN_URL=http://127.0.0.1:18080 node --test      (from tests/browser/)
//
// .ci/run starts `gaoxin demo --seed 1` and runs this. The demo data has the
// accounts `leader` (zone leader, role label 领导) and `admin` (zone admin),
// both with password `demo1234`.
//
// Environment:
//   GAOXIN_URL  base URL of the server (default http://127.0.0.1:8080)
//   CHROMIUM    browser executable (default /usr/bin/chromium)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { ARTIFACTS, BASE_URL, ORIGIN, PASSWORD, freshPage, loginOk, submitLogin, useBrowser } from './support.mjs';

const TEST_TIMEOUT_MS = 60_000;

useBrowser();

test('wrong password is refused with 401 and an error message', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, check } = await freshPage();
  try {
    const post = await submitLogin(page, 'leader', 'not-the-password');
    assert.equal(post.status(), 401, 'status of the login POST with a wrong password');

    // The login page is shown again, with the error.
    const alert = page.locator('.alert-error');
    await alert.first().waitFor({ state: 'visible' });
    assert.match(await alert.first().innerText(), /用户名或密码错误/);
    assert.equal(await page.locator('form#login-form').count(), 1, 'login form is shown again');
    assert.notEqual(new URL(page.url()).pathname, '/', 'must not land on the home page');

    // No session was granted: user management is not shown (whether the
    // server answers 401/403 or redirects to the login page).
    const resp = await page.goto('/admin/users');
    const shown = resp?.status() === 200 && new URL(page.url()).pathname === '/admin/users';
    assert.ok(!shown, `/admin/users after a failed login answered ${resp?.status()} at ${page.url()}`);
    check();
  } finally {
    await context.close();
  }
});

test('leader logs in, sees the Chinese home page, and is refused user management', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, check } = await freshPage();
  try {
    await loginOk(page, 'leader');

    assert.equal(new URL(page.url()).pathname, '/', 'lands on the home page');
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    assert.equal((await page.locator('h1').first().innerText()).trim(), '首页');
    await page.locator('nav.sidebar').first().waitFor({ state: 'visible' });
    const topbar = page.locator('header.topbar').first();
    await topbar.waitFor({ state: 'visible' });
    assert.match(await topbar.innerText(), /领导/, 'top bar shows the role label');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}home-leader.png`, fullPage: true });

    const resp = await page.goto('/admin/users');
    assert.ok(resp, 'a response for /admin/users');
    assert.equal(resp.status(), 403, 'leader is not an admin');
    assert.match(await page.locator('body').innerText(), /无权访问/);
    check();
  } finally {
    await context.close();
  }
});

test('admin logs in and opens user management', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, check } = await freshPage();
  try {
    await loginOk(page, 'admin');

    const resp = await page.goto('/admin/users');
    assert.ok(resp, 'a response for /admin/users');
    assert.equal(resp.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/admin/users');
    assert.equal((await page.locator('h1').first().innerText()).trim(), '用户管理');
    check();
  } finally {
    await context.close();
  }
});
