// Real-browser test of the project book on the demo zone:
//
//   staff `keji` (科学技术局) registers a project and walks it through every stage
//   (在谈 → 签约 → 供地 → 开工 → 竣工 → 投产 → 达产), each move with its date and evidence;
//   on the way keji raises a blocking problem for 经济发展局; the enterprise user cannot open
//   the project (not its own); admin holds the week's 会办 with the problem on the generated
//   agenda and records the decision; `jingfa` (经济发展局) finds it under "本部门问题" and
//   resolves it; the leader comments; admin downloads the month's bulletin .docx, whose text
//   the test reads.
//
//   GAOXIN_URL=http://127.0.0.1:18080 node --test      (from tests/browser/)
//
// Re-runnable against the same server: each run registers its own project (the name carries a
// stamp).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { ARTIFACTS, docxText, freshPage, loginOk as login, useBrowser } from './support.mjs';

useBrowser();
const TEST_TIMEOUT_MS = 180_000;

async function flash(page) {
  return page.locator('.alert').first().innerText();
}

/** A date `days` from today (Beijing), as yyyy-mm-dd. */
function day(days) {
  return new Date(Date.now() + 8 * 3600_000 + days * 86400_000).toISOString().slice(0, 10);
}

test('a project walks every stage, its problem goes to the weekly meeting, is resolved and reaches the bulletin', { timeout: TEST_TIMEOUT_MS }, async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const stamp = Date.now().toString(36);
  const name = `浏览器测试智能传感器项目${stamp}`;
  const problem = `施工用电临时接入${stamp}`;
  const answer = `供电公司已完成临时接入${stamp}`;
  const { context, page, check } = await freshPage();
  try {
    // Registered by 科学技术局 (the form defaults the lead department to the user's own).
    await login(page, 'keji');
    await page.goto('/projects/new');
    const form = page.locator('form#project-form');
    await form.locator('input[name=name]').fill(name);
    await form.locator('input[name=investor]').fill('浏览器测试传感科技有限公司');
    await form.locator('input[name=industry_code]').fill('3983');
    await form.locator('input[name=total_investment]').fill('52000');
    await form.locator('input[name=leader]').fill('测试挂钩领导');
    await form.locator('input[name=stage_since]').fill(day(-30));
    await Promise.all([page.waitForURL(/\/projects\/\d+$/), form.locator('button').click()]);
    assert.match(await flash(page), /已登记项目/);
    const projectUrl = page.url();
    assert.equal(await page.locator('#project-stage').innerText(), '在谈');

    // Every stage in turn, each with its date and evidence.
    const moves = [
      ['签约', -25, 'HT-2026-B01'],
      ['供地', -20, '豫(2026)新乡市不动产权第0099999号'],
      ['开工', -15, '施工许可证 410700202611010101'],
      ['竣工', -10, '竣工验收备案 2026-B'],
      ['投产', -5, '首笔开票 2026-B'],
      ['达产', 0, '达产验收意见 2026-B'],
    ];
    for (const [stage, offset, evidence] of moves) {
      const move = page.locator('form#move-form');
      await move.locator('input[name=on_date]').fill(day(offset));
      await move.locator('input[name=evidence]').fill(evidence);
      await Promise.all([page.waitForLoadState('load'), move.locator('button').click()]);
      assert.match(await flash(page), new RegExp(`已进入${stage}阶段`));
      assert.equal(await page.locator('#project-stage').innerText(), stage);
      if (stage === '开工') {
        // A problem on the way, for 经济发展局 to solve within a week.
        await page.locator('details#raise summary').click();
        const raise = page.locator('form#problem-form');
        await raise.locator('input[name=title]').fill(problem);
        await raise.locator('select[name=lead_department_id]').selectOption({ label: '经济发展局' });
        await raise.locator('input[name=deadline]').fill(day(7));
        await Promise.all([page.waitForLoadState('load'), raise.locator('button').click()]);
        assert.match(await flash(page), /已提出问题/);
        assert.match(await page.locator('table#project-problems').innerText(), new RegExp(problem));
      }
    }
    assert.equal(await page.locator('form#move-form').count(), 0, 'no move after the last stage');
    const timeline = await page.locator('table#timeline').innerText();
    for (const [, , evidence] of moves) assert.ok(timeline.includes(evidence), `timeline shows ${evidence}`);
    await page.screenshot({ path: `${ARTIFACTS}projects-project.png`, fullPage: true });
    await context.clearCookies();

    // The enterprise user does not see another investor's project.
    await page.goto('/login');
    await page.locator('form#login-form input[name=username]').fill('qiye');
    await page.locator('form#login-form input[name=password]').fill('demo1234');
    await Promise.all([page.waitForURL(/\/enterprises\/\d+/), page.locator('form#login-form button[type=submit]').click()]);
    const other = await page.goto(projectUrl);
    assert.equal(other?.status(), 404);
    await page.goto('/projects');
    const own = await page.locator('table#projects tbody').innerText();
    assert.ok(!own.includes(name), 'not in the enterprise\'s list');
    assert.ok((await page.locator('table#projects tbody tr[data-project]').count()) >= 1, 'its own projects are listed');
    await context.clearCookies();

    // Admin: the week's agenda proposes the new problem; the meeting records a decision on it.
    await login(page, 'admin');
    await page.goto('/projects/meetings');
    const proposed = page.locator('table#proposed tr', { hasText: problem });
    await proposed.waitFor();
    assert.match(await proposed.innerText(), /新提出的问题/);
    await Promise.all([page.waitForURL(/\/projects\/meetings\/\d+$/), page.locator('form#agenda-form > button').click()]);
    assert.match(await flash(page), /已生成会办议程/);
    const item = page.locator('table#agenda tbody tr', { hasText: problem });
    const decision = item.locator('form.decision-form');
    await decision.locator('textarea[name=decision]').fill('经发局协调供电公司三日内完成临时接入');
    await decision.locator('select[name=department_id]').selectOption({ label: '经济发展局' });
    await decision.locator('input[name=due_date]').fill(day(3));
    await Promise.all([page.waitForLoadState('load'), decision.locator('button').click()]);
    assert.match(await flash(page), /已记录会办意见/);
    assert.match(await page.locator('table#agenda tbody tr', { hasText: problem }).innerText(), /经发局协调供电公司三日内完成临时接入/);
    await page.screenshot({ path: `${ARTIFACTS}projects-meeting.png`, fullPage: true });
    await context.clearCookies();

    // 经济发展局 finds it among its problems and resolves it.
    await login(page, 'jingfa');
    await page.goto('/projects/problems?mine=1');
    const row = page.locator('table#problems tbody tr', { hasText: problem });
    await row.waitFor();
    assert.match(await row.innerText(), /牵头/);
    await row.locator('summary').click();
    await row.locator('textarea[name=answer]').fill(answer);
    await Promise.all([page.waitForLoadState('load'), row.locator('form button').click()]);
    assert.match(await flash(page), /问题已办结/);
    await context.clearCookies();

    // The attached leader's comment.
    await login(page, 'leader');
    await page.goto(projectUrl);
    await page.locator('form#comment-form input[name=text]').fill('达产后跟踪亩均效益');
    await Promise.all([page.waitForLoadState('load'), page.locator('form#comment-form button').click()]);
    assert.match(await flash(page), /已记录批示/);
    assert.match(await page.locator('table#project-problems').innerText(), /按期解决/);
    await context.clearCookies();

    // The month's bulletin, on the page and as .docx.
    await login(page, 'admin');
    const month = day(0).slice(0, 7);
    await page.goto(`/projects/bulletin?month=${month}`);
    assert.match(await page.locator('table#b-moved').innerText(), new RegExp(name));
    assert.match(await page.locator('table#b-resolved').innerText(), new RegExp(problem));
    await page.screenshot({ path: `${ARTIFACTS}projects-bulletin.png`, fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#bulletin-docx').click()]);
    const text = docxText(readFileSync(await download.path()));
    assert.ok(text.includes(name), 'the project is in the bulletin');
    assert.ok(text.includes('达产'), 'its move to 达产 is listed');
    assert.ok(text.includes(problem), 'the resolved problem is listed');
    assert.ok(text.includes(answer), 'with its answer');
    check();
  } finally {
    await context.close();
  }
});
