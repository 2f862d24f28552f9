// Real-browser test of the 免申即享 policy cash-out batch flow:
//
//   staff `keji` runs a 2024 batch → excludes a line with a reason (the total
//   drops by exactly that line's amount) → reads a line's explanation →
//   submits it; leader `leader` approves it (the batch locks) → exports the
//   payment list (.xlsx download) → the recheck page says 完全一致.
//
// Set up like login.test.mjs (Debian's headless Chromium through
// playwright-core, against a running `gaoxin demo --seed 1`):
//
//   GAOXIN_URL=http://127.0.0.1:18080 node --test      (from tests/browser/)
//
// Re-running against the same server (CI always starts a fresh demo):
//  - every run gives its batch a title of its own;
//  - the server refuses a new batch for a year that still has an unfinished
//    one ("2024 年度已有未完成的批次 #N（…）", left by an interrupted run): the
//    test then takes that batch over (a leader returns it to draft first if it
//    was already submitted);
//  - once an earlier run's 2024 batch is approved, a new 2024 batch holds only
//    the awards not paid yet (at least the line each run excluded), which is
//    enough for steps 1–6. Its recheck (step 7) recomputes every award of the
//    year, including those paid by the earlier batch, so the server does not
//    report it 完全一致: on such a run step 7 is reported as a TODO with the
//    reason instead of failing (the earlier years have no 免申即享 awards in
//    the demo, so running another year instead is no way out).
//
// Environment:
//   GAOXIN_URL  base URL of the server (default http://127.0.0.1:8080)
//   CHROMIUM    browser executable (default /usr/bin/chromium)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { ARTIFACTS, freshPage, loginOk as login, useBrowser } from './support.mjs';

useBrowser();
const TEST_TIMEOUT_MS = 180_000;

// On a fresh demo 2023 is approved (batch #1) and 2024 has no batch yet.
const YEAR = 2024;
const STAFF = 'keji';
const LEADER = 'leader';
const STATUS_DRAFT = '草稿（审核中）';
const STATUS_SUBMITTED = '待领导审批';
const STATUS_APPROVED = '已批准（锁定）';

/**
 * Clicks a button that submits a POST form, which the server answers with a
 * 303 back to a page carrying a flash message. Waits for that page: for a
 * flash containing `expected`, or for an error flash (the page being left may
 * carry a success flash of an earlier action, never an error one, since every
 * action here checks its result). Returns the flash text.
 */
async function submitForm(page, button, expected) {
  const [post] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    button.click(),
  ]);
  assert.ok(
    [200, 303].includes(post.status()),
    `POST ${new URL(post.url()).pathname} answered ${post.status()}`,
  );
  const flash = page
    .locator('main .alert')
    .filter({ hasText: expected })
    .or(page.locator('main .alert-error'));
  await flash.first().waitFor({ state: 'visible' });
  await page.waitForLoadState('load');
  return (await flash.first().innerText()).trim();
}

/** "1,234,567.89" (also "-12.30") → integer fen; no floating point. */
function fen(text) {
  const m = /^(-?)([\d,]+)\.(\d{2})$/.exec(text.replace(/\s+/g, ''));
  assert.ok(m, `not an amount in yuan: ${JSON.stringify(text)}`);
  const [, sign, int, dec] = m;
  assert.match(int, /^\d{1,3}(,\d{3})*$/, `badly grouped amount: ${JSON.stringify(text)}`);
  const value = BigInt(int.replaceAll(',', '')) * 100n + BigInt(dec);
  return sign ? -value : value;
}

/**
 * The ids of the approved batches of `year`, read from the batch list (newest
 * first; 100 rows are plenty for a demo server).
 */
async function approvedBatches(page, year) {
  const resp = await page.goto('/policies/batches?per_page=100');
  assert.equal(resp?.status(), 200, 'GET /policies/batches');
  const rows = await page.locator('table.list tbody tr').evaluateAll((trs) =>
    trs
      .map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()))
      .filter((cells) => cells.length >= 4),
  );
  return rows.filter((c) => Number(c[2]) === year && c[3] === STATUS_APPROVED).map((c) => Number(c[0]));
}

async function batchStatus(page) {
  return (await page.locator('#batch-status').innerText()).trim();
}

async function batchTotal(page) {
  return fen(await page.locator('#batch-total').innerText());
}

/** The row of line `lineId` in the lines table (found by its 计算说明 link). */
function lineRow(page, lineId) {
  return page.locator('#batch-lines tbody tr').filter({
    has: page.locator(`a[href="/policies/awards/${lineId}"]`),
  });
}

async function screenshot(page, name) {
  if (!page || page.isClosed()) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true }).catch(() => {});
}

test('policy cash-out batch: run, exclude, explain, submit, approve, export, recheck', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const staff = await freshPage();
  let leader;
  let current = staff.page; // the page to screenshot if something fails
  try {
    const page = staff.page;
    const runId = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const reason = `浏览器测试剔除 ${runId}`;
    let batchId;

    // -- 1. staff runs a batch for the year, through the menu -----------------
    await login(page, STAFF);
    const paidBefore = await approvedBatches(page, YEAR);
    if (paidBefore.length > 0) {
      t.diagnostic(
        `${YEAR} already has approved batch(es) #${paidBefore.join(', #')} (earlier runs against this server?): ` +
          'the new batch holds only the awards not paid yet',
      );
    }
    const title = `浏览器测试 ${YEAR} 年度兑现 ${runId}`;
    await page.goto('/');
    await page.locator('nav.sidebar a', { hasText: '政策兑现' }).first().click();
    await page.waitForURL((url) => url.pathname === '/policies');
    await page.locator('nav.tabs a', { hasText: '兑现批次' }).click();
    await page.waitForURL((url) => url.pathname === '/policies/batches');
    assert.equal((await page.locator('h1').first().innerText()).trim(), '兑现批次');

    const runForm = page.locator('form[action="/policies/batches"]');
    await runForm.locator('input[name=year]').fill(String(YEAR));
    await runForm.locator('input[name=title]').fill(title);
    const created = await submitForm(page, runForm.getByRole('button', { name: '计算并生成' }), '已生成批次');

    if (/已生成批次/.test(created)) {
      const m = /^\/policies\/batches\/(\d+)$/.exec(new URL(page.url()).pathname);
      assert.ok(m, `after running a batch the page is ${page.url()}`);
      batchId = Number(m[1]);
      assert.equal(await batchStatus(page), STATUS_DRAFT);
      const heading = (await page.locator('h1').first().innerText()).trim();
      assert.ok(heading.includes(`#${batchId} ${title}`), `the batch page's heading "${heading}" names the batch`);
    } else {
      // An unfinished batch of the year (an interrupted earlier run): take it over.
      const m = new RegExp(`${YEAR} 年度已有未完成的批次 #(\\d+)`).exec(created);
      assert.ok(m, `running the ${YEAR} batch failed: ${created}`);
      batchId = Number(m[1]);
      t.diagnostic(`${YEAR} already has unfinished batch #${batchId} (an earlier, interrupted run?); using it`);
      const resp = await page.goto(`/policies/batches/${batchId}`);
      assert.equal(resp?.status(), 200, `GET /policies/batches/${batchId}`);
      const status = await batchStatus(page);
      if (status === STATUS_SUBMITTED) {
        t.diagnostic(`batch #${batchId} was submitted: the leader returns it to draft first`);
        const back = await freshPage();
        try {
          current = back.page;
          await login(back.page, LEADER);
          await back.page.goto(`/policies/batches/${batchId}`);
          const returnForm = back.page.locator(`form[action="/policies/batches/${batchId}/return"]`);
          await returnForm.locator('input[name=note]').fill(`浏览器测试重跑 ${runId}：退回`);
          const flash = await submitForm(back.page, returnForm.getByRole('button', { name: '退回' }), '已退回经办部门');
          assert.match(flash, /已退回经办部门/);
          back.check();
        } finally {
          current = page;
          await back.context.close();
        }
        await page.reload();
      }
      assert.equal(await batchStatus(page), STATUS_DRAFT, `batch #${batchId} should be a draft to go on`);
    }
    const batchPath = `/policies/batches/${batchId}`;
    await page.locator('#batch-lines').waitFor({ state: 'visible' });

    // -- 2. exclude the first line still to pay ---------------------------------
    assert.ok(
      (await page.locator('#batch-lines form.exclude').count()) > 0,
      `batch #${batchId} has no line left to exclude`,
    );
    const row = page.locator('#batch-lines tbody tr').filter({ has: page.locator('form.exclude') }).first();
    const explainHref = await row.getByRole('link', { name: '计算说明' }).getAttribute('href');
    const lineId = Number(/^\/policies\/awards\/(\d+)$/.exec(explainHref ?? '')?.[1]);
    assert.ok(lineId > 0, `the line's 计算说明 link is ${explainHref}`);
    const lineAmountText = (await lineRow(page, lineId).locator('td.num').innerText()).trim();
    const lineAmount = fen(lineAmountText);
    const totalBefore = await batchTotal(page);
    t.diagnostic(`batch #${batchId}: excluding line ${lineId} (${lineAmountText} 元) from a total of ${await page.locator('#batch-total').innerText()} 元`);

    const excludeForm = lineRow(page, lineId).locator('form.exclude');
    await excludeForm.locator('input[name=reason]').fill(reason);
    const excluded = await submitForm(page, excludeForm.getByRole('button', { name: '剔除' }), '已剔除该明细');
    assert.match(excluded, /已剔除该明细/);
    assert.equal(new URL(page.url()).pathname, batchPath);

    const excludedRow = lineRow(page, lineId);
    await excludedRow.waitFor({ state: 'visible' });
    assert.equal(await excludedRow.locator('.tag.off').innerText(), '已剔除', 'the row is marked 已剔除');
    assert.match(await excludedRow.innerText(), new RegExp(reason), 'the row shows the reason');
    assert.equal(await excludedRow.locator('form.exclude').count(), 0, 'no exclude form on an excluded row');
    assert.equal(await batchTotal(page), totalBefore - lineAmount, `#batch-total dropped by ${lineAmountText}`);
    assert.equal(await batchStatus(page), STATUS_DRAFT);

    // -- 3. the excluded line's explanation -------------------------------------
    await excludedRow.getByRole('link', { name: '计算说明' }).click();
    await page.waitForURL((url) => url.pathname === `/policies/awards/${lineId}`);
    const articleText = (await page.locator('#article-text').innerText()).trim();
    assert.ok(articleText.length > 0, '#article-text is not empty');
    assert.match(articleText, /奖励|补助|资助|奖补/, 'the article text is about an award');
    const heading = (await page.locator('h1').first().innerText()).trim();
    assert.ok(heading.includes(`${lineAmountText} 元`), `the heading "${heading}" shows the amount ${lineAmountText}`);
    assert.match(await page.locator('.explanation').innerText(), new RegExp(`已剔除：${reason}`));
    await page.locator(`main a[href="${batchPath}"]`).first().click();
    await page.waitForURL((url) => url.pathname === batchPath);

    // -- 4. submit for approval --------------------------------------------------
    const submitted = await submitForm(page, page.locator('#submit-batch'), '已提交领导审批');
    assert.match(submitted, /已提交领导审批/);
    assert.equal(await batchStatus(page), STATUS_SUBMITTED);
    assert.equal(await page.locator('#batch-lines form.exclude').count(), 0, 'no exclude forms once submitted');
    assert.equal(await page.locator('#submit-batch').count(), 0, 'no submit button once submitted');
    staff.check();

    // -- 5. the leader approves it -----------------------------------------------
    leader = await freshPage();
    const lp = leader.page;
    current = lp;
    await login(lp, LEADER);
    await lp.goto('/policies/batches');
    await lp.locator(`table.list a[href="${batchPath}"]`).click();
    await lp.waitForURL((url) => url.pathname === batchPath);
    assert.equal(await batchStatus(lp), STATUS_SUBMITTED);
    assert.equal(await batchTotal(lp), totalBefore - lineAmount, 'the leader sees the same total');
    const approved = await submitForm(lp, lp.locator('#approve-batch'), '已批准');
    assert.match(approved, /已批准/);
    assert.equal(new URL(lp.url()).pathname, batchPath);
    assert.equal(await batchStatus(lp), STATUS_APPROVED);
    assert.equal(await lp.locator('form.exclude').count(), 0, 'no exclude forms on an approved batch');
    assert.equal(await lp.locator('#approve-batch').count(), 0, 'no approve button on an approved batch');
    assert.equal(await batchTotal(lp), totalBefore - lineAmount, 'approving keeps the total');

    // The staff user sees it locked too.
    await page.reload();
    assert.equal(await batchStatus(page), STATUS_APPROVED);
    assert.equal(await page.locator('form.exclude').count(), 0, 'staff: no exclude forms on an approved batch');
    assert.equal(await page.locator('#submit-batch').count(), 0, 'staff: no submit button on an approved batch');

    // -- 6. export the payment list ---------------------------------------------
    const [download] = await Promise.all([
      lp.waitForEvent('download'),
      lp.locator('#export-batch').click(),
    ]);
    const fileName = download.suggestedFilename();
    assert.match(fileName, /\.xlsx$/, `suggested file name ${fileName}`);
    assert.ok(fileName.includes(`批次${batchId}`), `suggested file name ${fileName} names the batch`);
    assert.equal(await download.failure(), null, 'the download did not fail');
    mkdirSync(ARTIFACTS, { recursive: true });
    const saved = `${ARTIFACTS}batch-${batchId}.xlsx`;
    await download.saveAs(saved);
    const size = statSync(saved).size;
    assert.ok(size > 0, `the .xlsx is empty (${size} bytes)`);
    assert.equal(readFileSync(saved).subarray(0, 2).toString('latin1'), 'PK', 'an .xlsx is a zip file');
    t.diagnostic(`exported ${fileName} (${size} bytes)`);

    // -- 7. recheck: recomputing gives exactly the batch ----------------------------
    await lp.locator(`a[href="${batchPath}/diff"]`).click();
    await lp.waitForURL((url) => url.pathname === `${batchPath}/diff`);
    await screenshot(lp, 'batch-diff');
    const recheck = (await lp.locator('#recheck-result').innerText()).trim();
    const todo =
      paidBefore.length > 0 &&
      `batch #${batchId} follows approved ${YEAR} batch(es) #${paidBefore.join(', #')}: its recheck ` +
        `recomputes the awards they paid too, so it is not 完全一致 (it says: ${recheck}); ` +
        'run against a fresh `gaoxin demo` for this check';
    await t.test('recheck of the approved batch is 完全一致', { todo }, () => {
      assert.match(recheck, /完全一致/, `#recheck-result says: ${recheck}`);
    });

    leader.check();
    staff.check();
  } catch (err) {
    await screenshot(current, 'batch-failure');
    throw err;
  } finally {
    await leader?.context.close();
    await staff.context.close();
  }
});
