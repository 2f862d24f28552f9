// Real-browser test of the cultivation ladder (梯度培育) on the demo zone:
//
//   staff `keji` opens 梯度培育 (tier counts of the demo's 2024 run, the chart of counts against
//   targets) → runs a new 2024 evaluation → opens the 培育库 of 高新技术企业 ("差一项") and
//   exports it (.xlsx download) → opens a candidate's enterprise page, whose ladder panel shows
//   the gap in words; the enterprise user `qiye` sees its own panel and cannot open 梯度培育.
//
//   GAOXIN_URL=http://127.0.0.1:18080 node --test      (from tests/browser/)
//
// Screenshots go to artifacts/. Re-runnable against the same server: each run adds a run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { ARTIFACTS, freshPage, loginOk as login, useBrowser } from './support.mjs';

useBrowser();
const TEST_TIMEOUT_MS = 120_000;

test('staff run the ladder, read the pool, export it and see a gap on an enterprise page', { timeout: TEST_TIMEOUT_MS }, async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const { context, page, check } = await freshPage();
  try {
    await login(page, 'keji');
    await page.goto('/ladder');
    const counts = page.locator('table#tier-counts');
    await counts.waitFor();
    assert.match(await counts.innerText(), /高新技术企业/);
    await page.locator('#ladder-chart canvas').first().waitFor();
    await page.screenshot({ path: `${ARTIFACTS}ladder-overview.png`, fullPage: true });

    // A new run for 2024: the flash names the year and the count of enterprises.
    const form = page.locator('form[action="/ladder/runs"]');
    await form.locator('input[name=year]').fill('2024');
    await Promise.all([page.waitForURL(/\/ladder\?run=\d+/), form.locator('button').click()]);
    assert.match(await page.locator('.flash, .alert').first().innerText(), /已完成 2024 年度梯度评价：\d+ 家企业/);

    // The pool of 高企, "within reach": every row names a gap.
    const run = new URL(page.url()).searchParams.get('run');
    await page.goto(`/ladder/pool?run=${run}&tier=high_tech&kind=within_reach`);
    const rows = page.locator('table#pool tbody tr');
    assert.ok((await rows.count()) > 0, 'the demo has 高企 candidates within reach');
    assert.match(await rows.first().innerText(), /需 ≥|需 >|差/);
    await page.screenshot({ path: `${ARTIFACTS}ladder-pool.png`, fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('a', { hasText: '导出' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^2024年度高新技术企业培育库\.xlsx$/);
    const saved = `${ARTIFACTS}${download.suggestedFilename()}`;
    await download.saveAs(saved);
    assert.ok(statSync(saved).size > 1000, 'the export is a real workbook');

    // The first candidate's page: the ladder panel says what it lacks.
    await rows.first().locator('a').first().click();
    const panel = page.locator('#ladder-panel');
    await panel.waitFor();
    assert.match(await panel.locator('tr.tier-high_tech').innerText(), /差/);
    await page.screenshot({ path: `${ARTIFACTS}ladder-enterprise.png`, fullPage: true });
    check();
  } finally {
    await context.close();
  }
});

test('an enterprise user sees its own ladder panel and not the zone pages', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, check } = await freshPage();
  try {
    const post = await page.goto('/login');
    assert.equal(post?.status(), 200);
    await page.locator('form#login-form input[name=username]').fill('qiye');
    await page.locator('form#login-form input[name=password]').fill('demo1234');
    await Promise.all([page.waitForURL(/\/enterprises\/\d+/), page.locator('form#login-form button[type=submit]').click()]);
    await page.locator('#ladder-panel').waitFor();
    const forbidden = await page.goto('/ladder');
    assert.equal(forbidden?.status(), 403);
    check();
  } finally {
    await context.close();
  }
});
