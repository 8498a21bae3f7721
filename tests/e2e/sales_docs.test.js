// sales_docs.test.js — quotes and orders in the web UI, in real Chromium:
// a quote with two lines made in the form (rows added with htmx, totals
// recomputed by the server as the user types), converted into an order, and
// the order approved. Run by tests/e2e/run.sh; screenshots go to
// tests/e2e/artifacts/.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const lib = require('./lib');
const { BASE, USER, PASS } = lib;

let browser, context, page;
const cspViolations = [];
const pageErrors = [];
const stamp = String(Date.now());
let customer, productA, productB, quoteUrl, orderUrl;

const shot = (name) => lib.screenshot(page, name);

/* JSON API call with the page's session. */
const api = (method, url, body) => lib.sessionCall(page, method, url, body);
const pick = (input, text) => lib.pick(page, input, text);
const type = (input, value) => lib.typeInto(page, input, value);
const settled = () => lib.settled(page);

before(async () => {
  browser = await lib.launch();
  context = await lib.newContext(browser, { height: 900 });
  page = await context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (execute|apply|load)/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(BASE + '/login');
  await page.fill('input[name=username]', USER);
  await page.fill('input[name=password]', PASS);
  await Promise.all([page.waitForURL(BASE + '/'), page.click('button[type=submit]')]);
  customer = (await api('POST', '/api/v1/customers', { name: '报价客户' + stamp })).body;
  productA = (await api('POST', '/api/v1/products', { code: 'A' + stamp, name: '服务器' + stamp, price: 1234500, unit: '台' })).body;
  productB = (await api('POST', '/api/v1/products', { code: 'B' + stamp, name: '安装服务' + stamp, price: 50000, unit: '次' })).body;
  assert.ok(customer.id && productA.id && productB.id);
});

after(async () => {
  if (browser) await browser.close();
});

test('creates a quote with two lines; the server computes the totals as the lines change', async () => {
  await page.goto(BASE + '/app/quotes/new');
  await type('#f-tax_rate_pct', '13');
  await pick('#f-customer_id', '报价客户' + stamp);
  await pick('#line-0-product', '服务器' + stamp);
  // choosing the product fills in its price and recomputes the line
  await page.waitForFunction(() => document.querySelector('#line-0-unit_price').value === '12345.00');
  await type('#line-0-quantity', '2');
  await page.waitForFunction(() => (document.querySelector('#doc-subtotal') || {}).textContent === '¥24,690.00');
  await page.click('#add-line');
  await page.locator('#line-1-product').waitFor();
  await pick('#line-1-product', '安装服务' + stamp);
  await page.waitForFunction(() => document.querySelector('#line-1-unit_price').value === '500.00');
  await type('#line-1-quantity', '1.5');
  await type('#line-1-discount_pct', '10');
  // 24690 + 1.5 × 500 × 90 % = 675 → net 25365.00; tax 13 % = 3297.45; total 28662.45
  await page.waitForFunction(() => (document.querySelector('#doc-total') || {}).textContent === '¥28,662.45');
  assert.equal(await page.textContent('#doc-discount_total'), '¥75.00');
  assert.equal(await page.textContent('#doc-tax_total'), '¥3,297.45');
  await shot('sales-01-quote-form');
  await Promise.all([page.waitForURL(/\/app\/quotes\/\d+$/), page.click('.form-actions button[type=submit]')]);
  quoteUrl = page.url();
  assert.equal(await page.textContent('#doc-total'), '¥28,662.45');
  assert.equal(await page.locator('#lines tbody tr').count(), 2);
  await shot('sales-02-quote');
  const q = (await api('GET', '/api/v1/quotes/' + quoteUrl.split('/').pop())).body;
  assert.equal(q.total, 2866245);
  assert.deepEqual(q.lines.map((l) => l.line_total), [2469000, 67500]);
});

test('a bad line is reported next to its cell and nothing is saved', async () => {
  const before = (await api('GET', '/api/v1/quotes?customer_id=' + customer.id)).body.total;
  await page.goto(BASE + '/app/quotes/new');
  await pick('#f-customer_id', '报价客户' + stamp);
  await pick('#line-0-product', '服务器' + stamp);
  await type('#line-0-quantity', '-1');
  // the live check marks the cell already; saving is refused with the same message
  await page.locator('td.has-error #line-0-quantity').waitFor();
  await Promise.all([page.waitForLoadState('load'), page.click('.form-actions button[type=submit]')]);
  await page.locator('.alert.error').waitFor();
  assert.match(await page.textContent('.alert.error'), /lines\[0\]\.quantity/);
  assert.ok(await page.locator('td.has-error #line-0-quantity').count() === 1);
  assert.equal(await page.inputValue('#line-0-quantity'), '-1');
  await shot('sales-03-bad-line');
  assert.equal((await api('GET', '/api/v1/quotes?customer_id=' + customer.id)).body.total, before);
});

test('converts the quote into an order and approves it', async () => {
  await page.goto(quoteUrl);
  await Promise.all([page.waitForURL(/\/app\/orders\/\d+$/), page.click('button:has-text("转为订单")')]);
  orderUrl = page.url();
  assert.match(await page.textContent('h1'), /^SO-\d{4}-\d{6}$/);
  assert.equal(await page.textContent('#doc-total'), '¥28,662.45');
  await shot('sales-04-order');
  await Promise.all([page.waitForURL(orderUrl), page.click('button:has-text("审核")')]);
  const o = (await api('GET', '/api/v1/orders/' + orderUrl.split('/').pop())).body;
  assert.equal(o.status, 'approved');
  assert.equal(o.total, 2866245);
  assert.ok(await page.locator('button:has-text("标记已发货")').count() === 1);
  assert.equal(await page.locator('button:has-text("审核")').count(), 0);
  await shot('sales-05-order-approved');
  // the quote now points at its order; the customer page lists both
  await page.goto(quoteUrl);
  assert.ok(await page.locator('a.btn:has-text("查看订单")').count() === 1);
  await page.goto(BASE + '/app/customers/' + customer.id);
  assert.ok(await page.locator('#rel-quotes-customer_id').count() === 1);
  assert.ok(await page.locator('#rel-orders-customer_id').count() === 1);
  await shot('sales-06-customer');
});

test('the printable quote shows the lines and totals', async () => {
  await page.goto(quoteUrl.replace('/app/quotes/', '/quotes/') + '/print');
  assert.ok((await page.textContent('body')).includes('28,662.45'));
  assert.ok((await page.textContent('body')).includes('A' + stamp));
  await shot('sales-07-print');
});

test('no CSP violations or script errors', () => {
  assert.deepEqual(cspViolations, []);
  assert.deepEqual(pageErrors, []);
});
