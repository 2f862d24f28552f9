// Real-browser test of the task ledger on the demo zone:
//
//   staff `keji` (科学技术局) pastes a work plan, checks the parsed tasks (an unknown
//   department kept as written) and saves it; the ledger shows the overdue task red; keji
//   reports progress with an evidence file; admin issues a 督办单, cannot close it before the
//   department answers; keji reports completion (the answer); admin closes the order, confirms
//   the completion (green), and downloads the month's 督查通报 .docx, whose text the test reads.
//
//   GAOXIN_URL=http://127.0.0.1:18080 node --test      (from tests/browser/)
//
// Re-runnable against the same server: each run saves its own plan (the title carries a stamp).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { ARTIFACTS, docxText, freshPage, loginOk as login, useBrowser } from './support.mjs';

useBrowser();
const TEST_TIMEOUT_MS = 180_000;

async function flash(page) {
  return page.locator('.alert').first().innerText();
}

test('a plan goes from upload to ledger, progress, colours, 督办 and the monthly bulletin', { timeout: TEST_TIMEOUT_MS }, async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const stamp = Date.now().toString(36);
  const overdueTask = `完成浏览器测试专项检查${stamp}`;
  const plan = [
    `浏览器测试${stamp}工作方案`,
    '一、重点任务',
    `1.${overdueTask}。（牵头单位：区科学技术局；配合单位：浏览器测试办；完成时限：2020年12月31日前）`,
    '2.新增高新技术企业30家。（牵头单位：科技局；配合单位：区财政局）',
  ].join('\n');

  const { context, page, check } = await freshPage();
  try {
    // Upload → preview → save, by the 科学技术局 staff.
    await login(page, 'keji');
    await page.goto('/plans/upload');
    await page.locator('textarea[name=text]').fill(plan);
    await Promise.all([page.waitForURL(/\/plans\/upload\/[0-9a-f]{32}$/), page.getByRole('button', { name: '解析' }).click()]);
    assert.equal(await page.locator('#task-count').innerText(), '2');
    const unknown = page.locator('#unknown-departments');
    assert.match(await unknown.innerText(), /浏览器测试办/);
    await unknown.locator('select').first().selectOption('keep');
    assert.match(await page.locator('table#parsed-tasks').innerText(), /区科学技术局/);
    await page.screenshot({ path: `${ARTIFACTS}plans-preview.png`, fullPage: true });
    await Promise.all([page.waitForURL(/\/plans\?plan_id=\d+$/), page.locator('#save-plan').click()]);
    assert.match(await flash(page), /共 2 项任务/);

    // The ledger: the task past its deadline is red, with the reason on hover.
    const row = page.locator('table#ledger tbody tr', { hasText: overdueTask });
    await row.waitFor();
    assert.match(await row.locator('.tag.colour-red').innerText(), /逾期/);
    await page.screenshot({ path: `${ARTIFACTS}plans-ledger.png`, fullPage: true });

    // Progress with an evidence file.
    await Promise.all([page.waitForURL(/\/plans\/tasks\/\d+$/), row.locator('a').first().click()]);
    const taskUrl = page.url();
    assert.match(await page.locator('#colour-reason').innerText(), /逾期 \d+ 天/);
    const progress = page.locator('form#progress-form');
    await progress.locator('textarea[name=note]').fill('已完成现场检查的一半');
    await progress.locator('input[name=percent]').fill('50');
    await progress.locator('input[type=file]').setInputFiles({ name: '检查记录.txt', mimeType: 'text/plain', buffer: Buffer.from('检查记录') });
    await Promise.all([page.waitForLoadState('load'), progress.locator('button').click()]);
    assert.match(await flash(page), /已报送进展/);
    assert.match(await page.locator('table#task-reports').innerText(), /检查记录\.txt/);
    await context.clearCookies();

    // Admin issues a 督办单; it cannot be closed before the department answers.
    await login(page, 'admin');
    await page.goto(taskUrl);
    const order = page.locator('form#order-form');
    await order.locator('input[name=reason]').fill('逾期未完成，请说明原因');
    const due = new Date(Date.now() + 7 * 86400_000).toISOString().slice(0, 10);
    await order.locator('input[name=deadline]').fill(due);
    await Promise.all([page.waitForLoadState('load'), order.locator('button').click()]);
    assert.match(await flash(page), /已下发督办单/);
    assert.match(await page.locator('table#task-orders').innerText(), /待牵头部门回复/);
    await Promise.all([page.waitForLoadState('load'), page.locator('form.close-order button').first().click()]);
    assert.match(await flash(page), /尚未报送办理情况/);
    await context.clearCookies();

    // The department answers with its completion.
    await login(page, 'keji');
    await page.goto(taskUrl);
    await progress.locator('select[name=kind]').selectOption('completion');
    await progress.locator('textarea[name=note]').fill('专项检查已全部完成');
    await Promise.all([page.waitForLoadState('load'), progress.locator('button').click()]);
    assert.match(await flash(page), /已报送完成/);
    await context.clearCookies();

    // Admin closes the order and confirms: green.
    await login(page, 'admin');
    await page.goto(taskUrl);
    assert.match(await page.locator('table#task-orders').innerText(), /已回复，待办结/);
    await Promise.all([page.waitForLoadState('load'), page.locator('form.close-order button').first().click()]);
    assert.match(await flash(page), /督办单已办结/);
    await Promise.all([page.waitForLoadState('load'), page.locator('form#confirm-form button[value="1"]').click()]);
    assert.match(await flash(page), /已确认完成/);
    assert.match(await page.locator('#task-colour').innerText(), /绿色/);
    await page.screenshot({ path: `${ARTIFACTS}plans-task.png`, fullPage: true });

    // The month's bulletin, on the page and as .docx.
    await page.goto('/plans/bulletin');
    await page.locator('table#bulletin-ranking').waitFor();
    assert.match(await page.locator('table#bulletin-ranking').innerText(), /科学技术局/);
    await page.screenshot({ path: `${ARTIFACTS}plans-bulletin.png`, fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#bulletin-docx').click()]);
    const text = docxText(readFileSync(await download.path()));
    assert.match(text, /重点工作督查通报/);
    assert.match(text, /一、总体情况/);
    assert.match(text, /本月下发督办单\d+份/);
    assert.match(text, /部门推进情况排名/);
    assert.ok(text.includes(overdueTask), 'the task completed this month is listed');
    check();
  } finally {
    await context.close();
  }
});
