// sales_flow.test.js — issue #6's whole sales path, by one sales rep in the
// browser: drag an opportunity to "won" on the board, make a quote from the
// opportunity's page, convert it to an order, approve the order, record a
// payment on it, and see the customer's balance due go up with the order and
// down with the payment. Only the set-up (a department, the rep, a product)
// goes through the JSON API as the administrator.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const lib = require('./lib');
const { BASE, PASS, call, created } = lib;

const REP_PASS = 'Flow-e2e-pass-1';
const tag = String(Date.now()).slice(-6);

let browser, page;
const ids = {};
const pageErrors = [];
const cspViolations = [];

const login = lib.token;

const shot = (name) => lib.screenshot(page, 'flow-' + name);
const settled = () => lib.settled(page);
const pick = (input, text) => lib.pick(page, input, text);
const type = (input, value) => lib.typeInto(page, input, value);
const figure = (key) => lib.figure(page, key);
const drag = (card, column) => lib.drag(page, card, column);

before(async () => {
  const admin = await login('admin', PASS);
  const role = (await call(admin, 'GET', '/api/v1/roles?code=sales_rep')).body.data[0].id;
  const dept = await created(await call(admin, 'POST', '/api/v1/departments', { name: '华东销售' + tag }));
  ids.repUser = await created(await call(admin, 'POST', '/api/v1/users',
    { username: 'flowrep' + tag, name: '流程代表' + tag, password: REP_PASS, department_id: dept, role_ids: [role] }));
  ids.product = await created(await call(admin, 'POST', '/api/v1/products',
    { code: 'FL' + tag, name: '智能门禁' + tag, price: 880000, unit: '套' }));
  const rep = await login('flowrep' + tag, REP_PASS);
  ids.rep = rep;
  ids.customer = await created(await call(rep, 'POST', '/api/v1/customers',
    { name: '杭州流程测试科技有限公司' + tag, kind: 'company' }));
  const stage = async (code) => (await call(rep, 'GET', '/api/v1/opportunity_stages?code=' + code)).body.data[0].id;
  ids.won = await stage('won');
  ids.negotiation = await stage('negotiation');
  ids.opp = await created(await call(rep, 'POST', '/api/v1/opportunities',
    { name: '门禁改造项目' + tag, customer_id: ids.customer, amount: 1760000, stage_id: ids.negotiation }));

  browser = await lib.launch();
  const context = await lib.newContext(browser, { width: 1920, height: 1000 });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (execute|apply|load)/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto(BASE + '/login');
  await page.fill('input[name=username]', 'flowrep' + tag);
  await page.fill('input[name=password]', REP_PASS);
  await Promise.all([page.waitForURL(BASE + '/'), page.click('button[type=submit]')]);
});

after(async () => {
  if (browser) await browser.close();
});

test('the customer owes nothing before the sale', async () => {
  await page.goto(BASE + '/app/customers/' + ids.customer);
  assert.equal(await figure('balance_due'), '¥0.00');
});

test('the rep drags the opportunity to "won" on the board', async () => {
  await page.goto(BASE + '/app/opportunities/board/stage_id');
  await page.waitForFunction(() => [...document.querySelectorAll('.kanban-col .count')].every((c) => c.textContent !== '…'));
  const card = page.locator(`[data-value="${ids.negotiation}"] .kanban-card[data-id="${ids.opp}"]`);
  assert.equal(await card.count(), 1);
  const save = page.waitForResponse((r) => r.url().endsWith('/board/stage_id/move'));
  const dialog = page.waitForEvent('dialog');
  const moving = drag(card, `[data-value="${ids.won}"]`);
  await (await dialog).accept('方案通过评审');
  await moving;
  assert.equal((await save).status(), 200);
  await shot('01-board-won');
  const o = (await call(ids.rep, 'GET', '/api/v1/opportunities/' + ids.opp)).body;
  assert.equal(o.stage_id, ids.won);
  assert.equal(o.probability_pct, 100);
});

test('from the opportunity the rep makes a quote with a line; the server totals it', async () => {
  await page.goto(BASE + '/app/opportunities/' + ids.opp);
  await Promise.all([page.waitForURL(/\/app\/quotes\/new\?/), page.click('#rel-quotes-opportunity_id a.btn[href*="/app/quotes/new"]')]);
  await settled();
  await type('#f-tax_rate_pct', '13');
  await pick('#f-customer_id', '杭州流程测试科技有限公司' + tag);
  await pick('#line-0-product', '智能门禁' + tag);
  await page.waitForFunction(() => document.querySelector('#line-0-unit_price').value === '8800.00');
  await type('#line-0-quantity', '2');
  // 2 × 8,800.00 = 17,600.00; tax 13 % = 2,288.00; total 19,888.00
  await page.waitForFunction(() => (document.querySelector('#doc-total') || {}).textContent === '¥19,888.00');
  await shot('02-quote-form');
  await Promise.all([page.waitForURL(/\/app\/quotes\/\d+$/), page.click('.form-actions button[type=submit]')]);
  ids.quote = Number(page.url().split('/').pop());
  const q = (await call(ids.rep, 'GET', '/api/v1/quotes/' + ids.quote)).body;
  assert.equal(q.total, 1988800);
  assert.equal(q.opportunity_id, ids.opp);
  assert.equal(q.customer_id, ids.customer);
  await shot('03-quote');
});

test('the rep converts the quote into an order and approves it; the customer now owes it', async () => {
  await Promise.all([page.waitForURL(/\/app\/orders\/\d+$/), page.click('button:has-text("转为订单")')]);
  ids.order = Number(page.url().split('/').pop());
  assert.match(await page.textContent('h1'), /^SO-\d{4}-\d{6}$/);
  assert.equal(await page.textContent('#doc-total'), '¥19,888.00');
  await Promise.all([page.waitForURL(BASE + '/app/orders/' + ids.order), page.click('button:has-text("审核")')]);
  const o = (await call(ids.rep, 'GET', '/api/v1/orders/' + ids.order)).body;
  assert.equal(o.status, 'approved');
  assert.equal(o.total, 1988800);
  assert.equal(await figure('outstanding_amount'), '¥19,888.00');
  await shot('04-order-approved');
  await page.goto(BASE + '/app/customers/' + ids.customer);
  assert.equal(await figure('balance_due'), '¥19,888.00');
});

test('the rep records a payment on the order and the customer balance goes down', async () => {
  await page.goto(BASE + '/app/orders/' + ids.order);
  await Promise.all([page.waitForNavigation(), page.click('[data-record-payment]')]);
  assert.equal(await page.inputValue('input[name=amount]'), '19888.00');
  await page.fill('input[name=amount]', '10000.00');
  await page.selectOption('select[name=method]', 'transfer');
  await shot('05-payment-form');
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit].primary')]);
  assert.match(page.url(), /\/app\/payments\/\d+$/);
  await page.goto(BASE + '/app/customers/' + ids.customer);
  assert.equal(await figure('balance_due'), '¥9,888.00');
  assert.equal(await figure('received_total'), '¥10,000.00');
  await shot('06-customer-after');
  const c = (await call(ids.rep, 'GET', '/api/v1/customers/' + ids.customer)).body;
  assert.equal(c.balance_due, 988800);
});

test('no script errors and no CSP violations', () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(cspViolations, []);
});
