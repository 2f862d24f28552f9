// Real-browser test of targets against 序时进度 on the demo zone:
//
//   the leader reads the list (each target with its status and the sentence explaining it),
//   opens the far-behind one and finds its explanation and monthly figures, with no form; staff
//   `keji` (科学技术局) reports this month's figure to date for its own target and sees the status
//   move; on a 390 px phone the list scrolls inside its card, never the page.
//
//   GAOXIN_URL=http://127.0.0.1:18080 node --test targets.test.mjs      (from tests/browser/)
//
// Re-runnable against the same server: a second report of a month replaces the first.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { ARTIFACTS, freshPage, loginOk as login, useBrowser } from './support.mjs';

useBrowser();
const TEST_TIMEOUT_MS = 120_000;

test('targets: the leader reads where each stands, staff report, a phone scrolls the table', { timeout: TEST_TIMEOUT_MS }, async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const { context, page, check } = await freshPage();
  try {
    await login(page, 'leader');
    await page.goto('/targets');
    const rows = page.locator('table.list tbody tr');
    assert.ok((await rows.count()) >= 6, 'the demo has its six targets');
    for (const label of ['超前', '滞后', '严重滞后']) {
      assert.ok((await page.locator('table.list .tag', { hasText: new RegExp(`^${label}$`) }).count()) >= 1, `a target ${label}`);
    }
    assert.equal(await page.locator('form#new-target').count(), 0, 'the leader sets no targets');
    await page.screenshot({ path: `${ARTIFACTS}targets-list.png`, fullPage: true });

    const far = rows.filter({ has: page.locator('.tag', { hasText: /^严重滞后$/ }) }).first();
    const name = await far.locator('td a').first().innerText();
    await Promise.all([page.waitForURL(/\/targets\/\d+$/), far.locator('td a').first().click()]);
    assert.equal((await page.locator('h1').innerText()).replace(/\s*严重滞后$/, ''), name);
    const explanation = await page.locator('.card p strong').first().innerText();
    assert.match(explanation, /^应完成 [\d.]+%（.*个月），实际 [\d.]+%，落后 [\d.]+ 个百分点，差 .+（严重滞后）$/);
    assert.ok((await page.locator('table.list tbody tr').count()) >= 1, 'its monthly figures are listed');
    assert.equal(await page.locator('form#report').count(), 0, 'the leader reports nothing');

    // Staff of the owning department report this month's figure to date.
    await context.clearCookies();
    await login(page, 'keji');
    await page.goto('/targets?q=' + encodeURIComponent('入库科技型中小企业'));
    await Promise.all([
      page.waitForURL(/\/targets\/\d+$/),
      page.locator('table.list tbody tr td a', { hasText: '入库科技型中小企业' }).click(),
    ]);
    const form = page.locator('form#report');
    await form.locator('input[name=value]').fill('150');
    await Promise.all([page.waitForLoadState('load'), form.locator('button').click()]);
    assert.match(await page.locator('.alert').first().innerText(), /已填报 \d{4}-\d{2}/);
    assert.match(await page.locator('.card p strong').first().innerText(), /实际 115\.4%，领先 [\d.]+ 个百分点（超前）$/);

    // A phone: the page is never wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/targets');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the targets page is ${width} px wide on a 390 px phone`);
    await page.screenshot({ path: `${ARTIFACTS}targets-phone.png`, fullPage: true });
    check();
  } finally {
    await context.close();
  }
});
