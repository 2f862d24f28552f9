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

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE_URL = (process.env.GAOXIN_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const ORIGIN = new URL(BASE_URL).origin;
const PASSWORD = 'demo1234';
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const TEST_TIMEOUT_MS = 60_000;

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
});

/**
 * A fresh context (own cookies, own storage) and page for one test, with
 * watchers for uncaught page errors and for the server's own scripts,
 * stylesheets and fonts failing to load. Call `check()` at the end of a test.
 */
async function freshPage() {
  const context = await browser.newContext({
    baseURL: BASE_URL,
    locale: 'zh-CN',
    viewport: { width: 1280, height: 800 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.setDefaultNavigationTimeout(20_000);

  const pageErrors = [];
  const brokenAssets = [];
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
  page.on('response', (resp) => {
    const req = resp.request();
    if (
      resp.url().startsWith(ORIGIN) &&
      ['script', 'stylesheet', 'font'].includes(req.resourceType()) &&
      resp.status() >= 400
    ) {
      brokenAssets.push(`${resp.status()} ${resp.url()}`);
    }
  });
  page.on('requestfailed', (req) => {
    if (req.url().startsWith(ORIGIN) && ['script', 'stylesheet', 'font'].includes(req.resourceType())) {
      brokenAssets.push(`failed (${req.failure()?.errorText}) ${req.url()}`);
    }
  });

  return {
    context,
    page,
    check() {
      assert.deepEqual(pageErrors, [], 'uncaught JavaScript errors on the page');
      assert.deepEqual(brokenAssets, [], 'the server\'s own scripts/stylesheets/fonts failed to load');
    },
  };
}

/**
 * Opens /login, fills the form and submits it. Returns the response to the
 * form's POST (for a successful login that is the 303 redirect itself).
 */
async function submitLogin(page, username, password) {
  const loginPage = await page.goto('/login');
  assert.equal(loginPage?.status(), 200, 'GET /login status');

  const form = page.locator('form#login-form');
  await form.waitFor({ state: 'visible' });
  await form.locator('input[name=username]').fill(username);
  await form.locator('input[name=password]').fill(password);

  const [postResponse] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    form.locator('button[type=submit]').click(),
  ]);
  await page.waitForLoadState('load');
  return postResponse;
}

async function loginOk(page, username) {
  const post = await submitLogin(page, username, PASSWORD);
  assert.equal(post.status(), 303, `login POST for ${username} should redirect with 303`);
  await page.waitForURL((url) => url.pathname === '/');
}

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
