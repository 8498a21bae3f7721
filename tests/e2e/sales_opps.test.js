// sales_opps.test.js — opportunities by stage (issue #6): a rep drags an
// opportunity to the "won" column of the board, the board asks for the
// reason (cancelling leaves the card where it was), and the sales funnel
// page then counts it as won. Data is set up through the JSON API.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const lib = require('./lib');
const { BASE, PASS, ART, call, token, created } = lib;

const USER_PASS = 'Opps-e2e-pass-1';
const tag = String(Date.now()).slice(-6);

let browser, page;
const ids = {};
const pageErrors = [];

const drag = (card, column) => lib.drag(page, card, column);

/* The board once every column's count has loaded (no layout shift after). */
async function boardReady() {
  await page.waitForFunction(() => [...document.querySelectorAll('.kanban-col .count')].every((c) => c.textContent !== '…'));
}

before(async () => {
  const admin = await token('admin', PASS);
  const rep = (await call(admin, 'GET', '/api/v1/roles?code=sales_rep')).body.data[0].id;
  const dept = await created(await call(admin, 'POST', '/api/v1/departments', { name: '商机测试' + tag }));
  await created(await call(admin, 'POST', '/api/v1/users',
    { username: 'opprep' + tag, name: '商机代表' + tag, password: USER_PASS, department_id: dept, role_ids: [rep] }));
  ids.rep = await token('opprep' + tag, USER_PASS);
  const stage = async (code) => (await call(ids.rep, 'GET', '/api/v1/opportunity_stages?code=' + code)).body.data[0].id;
  ids.won = await stage('won');
  ids.proposal = await stage('proposal');
  ids.opp = await created(await call(ids.rep, 'POST', '/api/v1/opportunities',
    { name: '智慧工厂项目' + tag, amount: 12800000, stage_id: ids.proposal, expected_close: '2027-03-31' }));
  await created(await call(ids.rep, 'POST', '/api/v1/opportunities',
    { name: '门店改造项目' + tag, amount: 3500000, stage_id: ids.proposal }));
  browser = await lib.launch();
  const context = await lib.newContext(browser, { width: 1920, height: 900 });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(BASE + '/login');
  await page.fill('input[name=username]', 'opprep' + tag);
  await page.fill('input[name=password]', USER_PASS);
  await Promise.all([page.waitForURL(BASE + '/'), page.click('button[type=submit]')]);
});

after(async () => {
  if (browser) await browser.close();
});

test('the board by stage: a move to "won" asks for the reason; cancelled, the card goes back', async () => {
  await page.goto(BASE + '/app/opportunities/board/stage_id');
  const card = page.locator(`[data-value="${ids.proposal}"] .kanban-card[data-id="${ids.opp}"]`);
  assert.equal(await card.count(), 1, 'the opportunity starts in the proposal column');
  const wonCol = `[data-value="${ids.won}"]`;
  await boardReady();
  assert.equal(await page.textContent(`${wonCol} [data-col-count]`), '0');
  assert.equal(await page.getAttribute(wonCol, 'data-ask'), 'won_lost_reason');
  await page.screenshot({ path: path.join(ART, 'opps-01-board.png'), fullPage: true });

  const dialog = page.waitForEvent('dialog');
  const moving = drag(card, wonCol);
  await (await dialog).dismiss();
  await moving;
  await page.waitForTimeout(200);
  assert.equal(await page.locator(`[data-value="${ids.proposal}"] .kanban-card[data-id="${ids.opp}"]`).count(), 1,
    'cancelled: the card is back in its column');
  const still = await call(ids.rep, 'GET', '/api/v1/opportunities/' + ids.opp);
  assert.equal(still.body.stage_id, ids.proposal);
});

test('a rep drags an opportunity to "won", gives the reason, and the move persists', async () => {
  const save = page.waitForResponse((r) => r.url().endsWith('/board/stage_id/move'));
  const card = page.locator(`.kanban-card[data-id="${ids.opp}"]`);
  const dialog = page.waitForEvent('dialog');
  const moving = drag(card, `[data-value="${ids.won}"]`);
  const d = await dialog;
  const asked = d.message();
  await d.accept('客户认可方案，价格有优势');
  await moving;
  const res = await save;
  assert.equal(res.status(), 200);
  assert.match(asked, /赢单\/输单原因/);
  assert.equal(await page.textContent(`[data-value="${ids.won}"] [data-col-count]`), '1');
  assert.match(await page.textContent(`[data-value="${ids.won}"] .col-sum`), /128,000\.00/);
  await page.screenshot({ path: path.join(ART, 'opps-02-board-won.png'), fullPage: true });
  await page.reload();
  assert.equal(await page.locator(`[data-value="${ids.won}"] .kanban-card[data-id="${ids.opp}"]`).count(), 1);
  const stored = await call(ids.rep, 'GET', '/api/v1/opportunities/' + ids.opp);
  assert.equal(stored.body.stage_id, ids.won);
  assert.equal(stored.body.probability_pct, 100);
  assert.equal(stored.body.won_lost_reason, '客户认可方案，价格有优势');
  assert.match(stored.body.closed_on, /^\d{4}-\d\d-\d\d$/);
});

test('the sales funnel page shows the won opportunity', async () => {
  await page.click('nav.sidenav a[href="/app/reports/funnel"]');
  await page.waitForURL(BASE + '/app/reports/funnel');
  assert.equal(await page.textContent('h1'), '销售漏斗');
  assert.equal(await page.textContent('tr[data-stage="won"] [data-count]'), '1');
  assert.equal(await page.textContent('tr[data-stage="proposal"] [data-count]'), '1');
  assert.equal(await page.textContent('[data-total]'), '2');
  assert.match(await page.textContent('tr[data-stage="won"]'), /128,000\.00/);
  await page.waitForSelector('[data-chart] canvas');
  await page.screenshot({ path: path.join(ART, 'opps-03-funnel.png'), fullPage: true });
  await page.goto(BASE + '/app/reports/forecast?from=2027-01-01&to=2027-12-31');
  assert.equal(await page.textContent('h1'), '加权预测');
  await page.screenshot({ path: path.join(ART, 'opps-04-forecast.png'), fullPage: true });
});

test('no script errors happened', () => {
  assert.deepEqual(pageErrors, []);
});
