// sales_money.test.js — money of sales in real Chromium: record a payment
// (回款) from an order's page and see the customer's balance due change;
// issue an invoice from the invoice form with its line table and read the
// total in Chinese capitals on the printable page. Run by tests/e2e/run.sh;
// screenshots go to tests/e2e/artifacts/.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const lib = require('./lib');
const { BASE, USER, PASS, bizDay } = lib;

let browser, context, page;
const pageErrors = [];
const cspViolations = [];
const tag = String(Date.now()).slice(-6);
let customer, order;

const shot = (name) => lib.screenshot(page, name);

/* JSON API call with the page's session. */
const api = (method, url, body) => lib.sessionCall(page, method, url, body);

/* An approved order of the customer worth exactly ¥1,130.00 (1,000.00 + 13 % VAT). */
async function approvedOrder(customerId) {
  const o = await api('POST', '/api/v1/orders', { customer_id: customerId, tax_rate_pct: 13,
    lines: [{ description: '软件许可', quantity: 2, unit_price: 50000 }] });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  assert.equal(o.body.total, 113000);
  const t = await api('POST', '/api/v1/orders/' + o.body.id + '/transition', { to: 'approved' });
  assert.equal(t.status, 200, JSON.stringify(t.body));
  return t.body;
}

const figure = (key) => lib.figure(page, key);

before(async () => {
  browser = await lib.launch();
  context = await lib.newContext(browser, { height: 900 });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (execute|apply|load)/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto(BASE + '/login');
  await page.fill('input[name=username]', USER);
  await page.fill('input[name=password]', PASS);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  const c = await api('POST', '/api/v1/customers', { name: '福州回款测试有限公司 ' + tag, kind: 'company' });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  customer = c.body;
  order = await approvedOrder(customer.id);
});

after(async () => {
  if (browser) await browser.close();
});

test('records a payment on an order and the customer balance changes', async () => {
  await page.goto(BASE + '/app/customers/' + customer.id);
  assert.equal(await figure('balance_due'), '¥1,130.00');
  await page.goto(BASE + '/app/orders/' + order.id);
  assert.equal(await figure('outstanding_amount'), '¥1,130.00');
  await shot('money-order-before');
  await Promise.all([page.waitForNavigation(), page.click('[data-record-payment]')]);
  // the form comes filled in: customer, order, what is owed, today
  assert.equal(await page.inputValue('input[name=amount]'), '1130.00');
  await page.fill('input[name=amount]', '300.50');
  await page.selectOption('select[name=method]', 'wechat');
  await shot('money-payment-form');
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit].primary')]);
  assert.match(page.url(), /\/app\/payments\/\d+$/);
  assert.match(await page.textContent('body'), /HK-\d{4}-\d{6}/);
  await page.goto(BASE + '/app/orders/' + order.id);
  assert.equal(await figure('received_amount'), '¥300.50');
  assert.equal(await figure('outstanding_amount'), '¥829.50');
  await page.goto(BASE + '/app/customers/' + customer.id);
  assert.equal(await figure('balance_due'), '¥829.50');
  assert.equal(await figure('received_total'), '¥300.50');
  await shot('money-customer-after');
});

test('a payment above what is owed is refused in the form and nothing is recorded', async () => {
  await page.goto(BASE + '/app/orders/' + order.id);
  await Promise.all([page.waitForNavigation(), page.click('[data-record-payment]')]);
  await page.fill('input[name=amount]', '900.00');
  await page.click('form button[type=submit].primary');
  await page.waitForSelector('.alert, .field-error, [role=alert]');
  assert.match(await page.textContent('body'), /829\.50/);
  await shot('money-payment-too-much');
  const list = await api('GET', '/api/v1/payments?order_id=' + order.id);
  assert.equal(list.body.data.length, 1);
});

test('issues an invoice from the line table and prints the total in capitals', async () => {
  await page.goto(BASE + '/app/invoices/new?order_id=' + order.id);
  await page.fill('input[name=number]', '0440' + tag);
  await page.fill('input[name=l0_name]', '*信息技术服务*软件维护');
  await page.fill('input[name=l0_quantity]', '2');
  await page.fill('input[name=l0_unit_price]', '400.00');
  await page.fill('input[name=l0_tax_rate_pct]', '13');
  await page.fill('input[name=l1_name]', '*纸制品*打印纸');
  await page.fill('input[name=l1_quantity]', '1.5');
  await page.fill('input[name=l1_unit_price]', '99.99');
  await page.fill('input[name=l1_tax_rate_pct]', '6');
  await shot('money-invoice-form');
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit].primary')]);
  assert.match(page.url(), /\/app\/invoices\/\d+$/);
  // 800.00 + 104.00 tax, 149.99 + 9.00 tax = 1,062.99
  assert.equal((await page.textContent('[data-total-words]')).trim(), '壹仟零陆拾贰元玖角玖分');
  await shot('money-invoice');
  await page.click('[data-print-page]');
  await page.waitForSelector('.invoice-print');
  assert.match(await page.textContent('.invoice-print'), /福州回款测试有限公司/);
  assert.equal((await page.textContent('[data-total-words]')).trim(), '壹仟零陆拾贰元玖角玖分');
  await shot('money-invoice-print');
  await page.goto(BASE + '/app/orders/' + order.id);
  assert.equal(await figure('invoiced_amount'), '¥1,062.99');
});

test('a manager approves a contract waiting for approval from its page', async () => {
  assert.equal((await api('PATCH', '/api/v1/settings/contracts', { approval_above: 1000000 })).status, 200);
  const roles = await api('GET', '/api/v1/roles?code=sales_rep');
  const username = 'rep' + tag;
  const u = await api('POST', '/api/v1/users', { username, name: '合同代表 ' + tag, password: 'Passw0rd-for-tests',
    role_ids: [roles.body.data[0].id] });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  // the rep works through the API with a token of their own (outside the browser's cookie jar)
  const login = await fetch(BASE + '/api/v1/auth/login', { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: 'Passw0rd-for-tests' }) });
  const token = (await login.json()).token;
  const rep = async (method, url, body) => {
    const res = await fetch(BASE + url, { method,
      headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  };
  const c = await rep('POST', '/api/v1/customers', { name: '合同客户 ' + tag, kind: 'company' });
  const k = await rep('POST', '/api/v1/contracts', { name: '年度框架合同 ' + tag, customer_id: c.body.id, amount: 2000000,
    status: 'active', end_on: bizDay(200) });
  assert.equal(k.status, 201, JSON.stringify(k.body));
  assert.equal(k.body.status, 'pending_approval');
  await page.goto(BASE + '/app/contracts/' + k.body.id);
  await shot('money-contract-pending');
  await Promise.all([page.waitForNavigation(), page.click(`form[action="/app/contracts/${k.body.id}/approve"] button`)]);
  const got = await rep('GET', '/api/v1/contracts/' + k.body.id);
  assert.equal(got.body.status, 'active');
  assert.ok(got.body.approved_by);
  assert.equal(await figure('outstanding_amount'), '¥20,000.00');
  await shot('money-contract-approved');
  assert.equal((await api('PATCH', '/api/v1/settings/contracts', { approval_above: null })).status, 200);
});

test('no script errors and no CSP violations', () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(cspViolations, []);
});
