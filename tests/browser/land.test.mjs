// Real-browser test of 亩均效益评价 on the demo zone:
//
//   staff `keji` opens 亩均评价 (the demo's four evaluations), the 2024 规上 evaluation in 公示
//   (ranked results), one result's explanation (each indicator's value, benchmark, weight and
//   points), the class transitions 2023 → 2024 with the chart, and the D-class clearance ledger;
//   the enterprise user `qiye` sees its own results under 我的亩均评价, files an objection during
//   公示, and cannot open the zone's pages.
//
//   GAOXIN_URL=http://127.0.0.1:18080 node --test      (from tests/browser/)
//
// Screenshots go to artifacts/. Re-runnable against the same server: each run adds an objection.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { ARTIFACTS, freshPage, loginOk as login, useBrowser } from './support.mjs';

useBrowser();
const TEST_TIMEOUT_MS = 120_000;

test('staff read the evaluations, an explanation, the class transitions and the clearance ledger', { timeout: TEST_TIMEOUT_MS }, async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const { context, page, check } = await freshPage();
  try {
    await login(page, 'keji');
    await page.goto('/land');
    const runs = page.locator('table#land-runs tbody tr');
    await runs.first().waitFor();
    assert.ok((await runs.count()) >= 4, 'the demo has four evaluations');
    await page.screenshot({ path: `${ARTIFACTS}land-overview.png`, fullPage: true });

    // The 2024 规上 evaluation, published for objections: ranked results.
    const published = runs.filter({ hasText: 'huangyan-2022-guishang' }).filter({ hasText: '2024' }).first();
    assert.match(await published.innerText(), /公示中/);
    await Promise.all([page.waitForURL(/\/land\/runs\/\d+$/), published.locator('a').first().click()]);
    const results = page.locator('table#land-results tbody tr');
    await results.first().waitFor();
    assert.match(await results.first().innerText(), /^\s*1\s/);
    assert.match(await page.locator('table#run-indicators').innerText(), /亩均税收/);
    await page.screenshot({ path: `${ARTIFACTS}land-run.png`, fullPage: true });

    // The first result's explanation: every indicator with value, benchmark, weight and points.
    await Promise.all([page.waitForURL(/\/land\/results\/\d+$/), results.first().locator('a').first().click()]);
    const explanation = page.locator('table#land-explanation');
    await explanation.waitFor();
    const text = await explanation.innerText();
    for (const label of ['亩均税收', '亩均增加值', '单位能耗增加值', '单位排放增加值', '全员劳动生产率']) {
      assert.ok(text.includes(label), `${label} in the explanation`);
    }
    await page.screenshot({ path: `${ARTIFACTS}land-result.png`, fullPage: true });

    // Class transitions 2023 → 2024, and the chart of classes by year.
    await page.goto('/land/transitions');
    await page.locator('table#transition-matrix').waitFor();
    assert.match(await page.locator('table#transition-matrix').innerText(), /A 优先发展/);
    await page.locator('#land-chart canvas').first().waitFor();
    await page.screenshot({ path: `${ARTIFACTS}land-transitions.png`, fullPage: true });

    // The clearance ledger of the 2023 D firms: some closed with land recovered.
    await page.goto('/land/clearance?status=closed');
    const cases = page.locator('table#clearance-cases tbody tr');
    await cases.first().waitFor();
    assert.match(await cases.first().innerText(), /已销号/);
    await page.screenshot({ path: `${ARTIFACTS}land-clearance.png`, fullPage: true });
    check();
  } finally {
    await context.close();
  }
});

test('an enterprise user reads its own results and objects during 公示', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, check } = await freshPage();
  try {
    const post = await page.goto('/login');
    assert.equal(post?.status(), 200);
    await page.locator('form#login-form input[name=username]').fill('qiye');
    await page.locator('form#login-form input[name=password]').fill('demo1234');
    await Promise.all([page.waitForURL(/\/enterprises\/\d+/), page.locator('form#login-form button[type=submit]').click()]);
    await page.goto('/land/my');
    const rows = page.locator('table#my-land tbody tr');
    await rows.first().waitFor();
    const first = rows.filter({ hasText: '公示中' }).first();
    await Promise.all([page.waitForURL(/\/land\/results\/\d+$/), first.locator('a').first().click()]);
    const form = page.locator('form#objection-form');
    await form.waitFor();
    await form.locator('textarea[name=reason]').fill('评价用地面积与不动产权证不符，请核实');
    await form.locator('textarea[name=evidence]').fill('不动产权证复印件（已交街道）');
    await Promise.all([page.waitForURL(/\/land\/results\/\d+$/), form.locator('button').click()]);
    assert.match(await page.locator('.flash, .alert').first().innerText(), /异议已提交/);
    await page.screenshot({ path: `${ARTIFACTS}land-objection.png`, fullPage: true });
    const forbidden = await page.goto('/land');
    assert.equal(forbidden?.status(), 403);
    check();
  } finally {
    await context.close();
  }
});
