// sales_credit.test.js — the credit area of sales in the browser: a rep's
// order over the customer's credit limit is refused and a request goes to
// the department manager, who opens 审批 from the menu and approves it with a
// comment; the order is approved and its page shows the approval. The rep
// then records a partial delivery on the order page (an over-delivery is
// reported next to the line, nothing written), and opens the quote PDF.
// Set up through the API.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const lib = require('./lib');
const { BASE, PASS, ART, call, token, ok } = lib;

const USER_PASS = 'Credit-e2e-pass-1';
const tag = String(Date.now()).slice(-6);

let browser;
const ids = {};

const loginPage = (username) => lib.loginPage(browser, username, USER_PASS, { height: 900 });

before(async () => {
  const admin = await token('admin', PASS);
  ids.admin = admin;
  const role = async (code) => (await call(admin, 'GET', '/api/v1/roles?code=' + code)).body.data[0].id;
  const rep = await role('sales_rep'), mgr = await role('sales_manager');
  const dept = ok(await call(admin, 'POST', '/api/v1/departments', { name: '信用测试部' + tag }), 201);
  const user = async (u, name, r) => ok(await call(admin, 'POST', '/api/v1/users',
    { username: u + tag, name: name + tag, password: USER_PASS, department_id: dept.id, role_ids: [r] }), 201).id;
  ids.mgr = await user('crmgr', '王经理', mgr);
  ids.rep = await user('crrep', '李代表', rep);
  ok(await call(admin, 'PATCH', `/api/v1/departments/${dept.id}`, { manager_id: ids.mgr, version: dept.version }), 200);
  ids.product = ok(await call(admin, 'POST', '/api/v1/products',
    { code: 'CR' + tag, name: '工业路由器' + tag, price: 60000, unit: '台' }), 201).id;
  const rt = await token('crrep' + tag, USER_PASS);
  ids.repToken = rt;
  const cust = ok(await call(rt, 'POST', '/api/v1/customers', { name: '信用客户' + tag }), 201);
  ids.cust = cust.id;
  const mt = await token('crmgr' + tag, USER_PASS);
  ok(await call(mt, 'PATCH', `/api/v1/customers/${cust.id}`, { credit_limit: 100000, version: cust.version }), 200);
  const order = ok(await call(rt, 'POST', '/api/v1/orders', {
    customer_id: cust.id, tax_rate_pct: 0, lines: [{ product_id: ids.product, quantity: 2 }]
  }), 201);
  ids.order = order.id;
  ids.line = order.lines[0].id;
  const r = await call(rt, 'POST', `/api/v1/orders/${order.id}/transition`, { to: 'approved' });
  assert.equal(r.status, 409, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'credit_limit_exceeded');
  browser = await lib.launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('the manager approves a pending credit request from the approvals page', async () => {
  const page = await loginPage('crmgr' + tag);
  // the bell counts the request; 审批 is in the menu
  assert.match(await page.getAttribute('a.bell', 'aria-label'), /提醒/);
  await Promise.all([page.waitForURL(BASE + '/approvals'), page.click('nav.sidenav a[href="/approvals"]')]);
  assert.equal(await page.textContent('h1'), '待审批');
  const orderRow = page.locator('tr[data-status=pending]').filter({ hasText: '李代表' + tag });
  assert.equal(await orderRow.count(), 1);
  assert.match(await orderRow.textContent(), /超信用额度/);
  assert.match(await orderRow.textContent(), /¥1,200\.00/);
  await page.screenshot({ path: path.join(ART, 'credit-01-approvals.png'), fullPage: true });
  await orderRow.locator('input[name=comment]').fill('老客户,同意');
  await Promise.all([page.waitForURL(BASE + '/approvals'), orderRow.locator('button[value=approve]').click()]);
  assert.match(await page.textContent('.flash'), /已批准/);
  assert.equal(await page.locator('tr[data-status=pending]').filter({ hasText: '李代表' + tag }).count(), 0);
  // the order went through
  const o = ok(await call(ids.repToken, 'GET', `/api/v1/orders/${ids.order}`), 200);
  assert.equal(o.status, 'approved');
  await page.goto(BASE + `/app/orders/${ids.order}`);
  assert.match(await page.textContent('#order-approvals'), /已批准/);
  assert.match(await page.textContent('#order-approvals'), /老客户,同意/);
  await page.context().close();
});

test('the rep records a partial delivery on the order page; too much is refused by the line', async () => {
  const page = await loginPage('crrep' + tag);
  await page.goto(BASE + `/app/orders/${ids.order}`);
  const input = page.locator(`#deliveries-q_${ids.line}`);
  await input.fill('3');
  await page.fill('#deliveries-carrier', '顺丰速运');
  await page.click('#order-deliveries button[type=submit]');
  await page.waitForSelector('#order-deliveries .field-error');
  assert.match(await page.textContent('#order-deliveries .field-error'), /最多可发 2/);
  assert.equal(await page.inputValue('#deliveries-carrier'), '顺丰速运', 'what was typed is kept');
  let o = ok(await call(ids.repToken, 'GET', `/api/v1/orders/${ids.order}`), 200);
  assert.equal(o.lines[0].delivered_qty, 0);
  await page.fill(`#deliveries-q_${ids.line}`, '1.5');
  await Promise.all([page.waitForURL(BASE + `/app/orders/${ids.order}`), page.click('#order-deliveries button[type=submit]')]);
  assert.match(await page.textContent('.flash'), /发货已登记/);
  assert.match(await page.textContent('#order-deliveries table'), /顺丰速运/);
  o = ok(await call(ids.repToken, 'GET', `/api/v1/orders/${ids.order}`), 200);
  assert.equal(o.lines[0].delivered_qty, 1.5);
  assert.equal(o.status, 'approved');
  await page.screenshot({ path: path.join(ART, 'credit-02-order.png'), fullPage: true });
  await page.context().close();
});

test('the quote page links to its PDF', async () => {
  const q = ok(await call(ids.repToken, 'POST', '/api/v1/quotes', {
    customer_id: ids.cust, lines: [{ product_id: ids.product, quantity: 1 }]
  }), 201);
  const page = await loginPage('crrep' + tag);
  await page.goto(BASE + `/app/quotes/${q.id}`);
  assert.equal(await page.getAttribute('#quote-pdf', 'href'), `/api/v1/quotes/${q.id}/pdf`);
  const res = await page.request.get(BASE + `/api/v1/quotes/${q.id}/pdf`);
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-type'], 'application/pdf');
  assert.equal((await res.body()).subarray(0, 5).toString(), '%PDF-');
  await page.context().close();
});
