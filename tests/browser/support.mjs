// What the browser tests share: the server URL, the demo password, one headless
// Chromium for the whole file, and fresh pages that watch for page errors and
// for the server's own assets failing to load.
//
// Environment:
//   GAOXIN_URL  base URL of the server (default http://127.0.0.1:8080)
//   CHROMIUM    browser executable (default /usr/bin/chromium)

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export const BASE_URL = (process.env.GAOXIN_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const ORIGIN = new URL(BASE_URL).origin;
export const PASSWORD = 'demo1234';
export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

let browser;

/** Launches the browser before the file's tests and closes it after them. */
export function useBrowser() {
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
}

/**
 * Opens /login, fills the form and submits it. Returns the response to the
 * form's POST (for a successful login that is the 303 redirect itself).
 */
export async function submitLogin(page, username, password) {
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

/** Logs in with the demo password and lands on the home page. */
export async function loginOk(page, username) {
  const post = await submitLogin(page, username, PASSWORD);
  assert.equal(post.status(), 303, `login POST for ${username} should redirect with 303`);
  await page.waitForURL((url) => url.pathname === '/');
}

/**
 * A fresh context (own cookies, own storage) and page for one test, with
 * watchers for uncaught page errors and for the server's own scripts,
 * stylesheets and fonts failing to load. Call `check()` at the end of a test.
 */
export async function freshPage() {
  const context = await browser.newContext({
    baseURL: BASE_URL,
    locale: 'zh-CN',
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.setDefaultNavigationTimeout(20_000);

  const pageErrors = [];
  const brokenAssets = [];
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
  // The server's Content-Security-Policy allows no inline script: anything it blocks on our own
  // pages is a page that lost behaviour.
  const cspViolations = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) {
      cspViolations.push(`${page.url()}: ${msg.text()}`);
    }
  });
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
      assert.deepEqual(cspViolations, [], 'the Content-Security-Policy blocked something on our own pages');
      assert.deepEqual(brokenAssets, [], 'the server\'s own scripts/stylesheets/fonts failed to load');
    },
  };
}

/** The text of word/document.xml in a .docx (a zip): every w:t, joined. */
export function docxText(bytes) {
  const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const entries = bytes.readUInt16LE(eocd + 10);
  let at = bytes.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    const method = bytes.readUInt16LE(at + 10);
    const size = bytes.readUInt32LE(at + 20);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extra = bytes.readUInt16LE(at + 30);
    const comment = bytes.readUInt16LE(at + 32);
    const local = bytes.readUInt32LE(at + 42);
    const name = bytes.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    if (name === 'word/document.xml') {
      const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
      const data = bytes.subarray(start, start + size);
      const xml = (method === 8 ? inflateRawSync(data) : data).toString('utf8');
      return [...xml.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('|');
    }
    at += 46 + nameLength + extra + comment;
  }
  throw new Error('no word/document.xml in the .docx');
}
