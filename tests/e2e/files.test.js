// files.test.js — attachments (附件) and receivables (应收账款) in real
// Chromium: upload a file with a Chinese name to a contract from its page,
// see it listed, download it and compare the bytes, delete it; read a
// customer's receivable, received, balance due and overdue on the
// receivables page, sort it, drill down to the orders, export to Excel.
// Run by tests/e2e/run.sh; screenshots go to tests/e2e/artifacts/.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const lib = require('./lib');
const { BASE, USER, PASS, bizDay } = lib;

let browser, context, page;
const pageErrors = [];
const cspViolations = [];
const tag = String(Date.now()).slice(-6);
let customer, contract;

const shot = (name) => lib.screenshot(page, name);

/* JSON API call with the page's session. */
const api = (method, url, body) => lib.sessionCall(page, method, url, body);

before(async () => {
  browser = await lib.launch();
  context = await lib.newContext(browser, { height: 900, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (execute|apply|load)/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('dialog', (d) => d.accept());
  await page.goto(BASE + '/login');
  await page.fill('input[name=username]', USER);
  await page.fill('input[name=password]', PASS);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  const c = await api('POST', '/api/v1/customers', { name: '厦门附件测试有限公司 ' + tag, kind: 'company' });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  customer = c.body;
  const k = await api('POST', '/api/v1/contracts', { name: '年度服务合同 ' + tag, customer_id: customer.id, amount: 5000000 });
  assert.equal(k.status, 201, JSON.stringify(k.body));
  contract = k.body;
});

after(async () => {
  if (browser) await browser.close();
});

// Bytes of every value 0..255 and a PDF header: a binary file.
const content = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from([...Array(256).keys()]), Buffer.from('\n%%EOF\n')]);
const fileName = '合同扫描件（盖章版）.pdf';

test('uploads a file to a contract from its page and downloads the same bytes', async () => {
  await page.goto(BASE + '/app/contracts/' + contract.id);
  await page.waitForSelector('#attachments');
  assert.match(await page.textContent('#attachments'), /还没有附件/);
  await page.setInputFiles('#attachments input[type=file]', { name: fileName, mimeType: 'application/pdf', buffer: content });
  await page.click('#attachments button[type=submit]');
  await page.waitForSelector('#attachments a.attachment-name');
  assert.equal((await page.textContent('#attachments a.attachment-name')).trim(), fileName);
  assert.match(await page.textContent('#attachments'), /Test|admin|管理员/);
  await shot('files-contract-attachments');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#attachments a[download]')]);
  assert.equal(download.suggestedFilename(), fileName);
  const got = fs.readFileSync(await download.path());
  assert.ok(got.equals(content), 'downloaded bytes differ');
  const list = await api('GET', `/api/v1/contracts/${contract.id}/attachments`);
  assert.equal(list.body.data.length, 1);
  assert.equal(list.body.data[0].size, content.length);
});

test('deletes the attachment from the panel', async () => {
  await page.goto(BASE + '/app/contracts/' + contract.id);
  await page.click('#attachments button.danger');
  await page.waitForSelector('#attachments .empty-attachments');
  const list = await api('GET', `/api/v1/contracts/${contract.id}/attachments`);
  assert.deepEqual(list.body.data, []);
  await shot('files-contract-attachment-deleted');
  // Both show in the contract's history (操作记录).
  await page.goto(BASE + '/app/contracts/' + contract.id + '?tab=history');
  const hist = await page.textContent('#history');
  assert.match(hist, new RegExp('已添加 ' + fileName.replace(/[()（）.]/g, '.')));
  assert.match(hist, new RegExp('已删除 ' + fileName.replace(/[()（）.]/g, '.')));
  await shot('files-contract-history');
});

async function fig(key) {
  return (await page.textContent(`[data-fig="${key}"] strong`)).trim();
}

test('receivables page: figures, sorting, drill-down to the orders, Excel export', async () => {
  // An approved order of ¥1,000.00 with a plan of ¥400.00 due three days ago,
  // ¥150.00 paid: balance ¥850.00, overdue ¥250.00. A second customer owes ¥99.00.
  const o = await api('POST', '/api/v1/orders', { customer_id: customer.id, tax_rate_pct: 0,
    lines: [{ description: '年度服务费', quantity: 1, unit_price: 100000 }] });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  assert.equal((await api('POST', `/api/v1/orders/${o.body.id}/transition`, { to: 'approved' })).status, 200);
  assert.equal((await api('POST', '/api/v1/payment_plans', { order_id: o.body.id, due_on: bizDay(-3), amount: 40000 })).status, 201);
  assert.equal((await api('POST', '/api/v1/payments', { customer_id: customer.id, order_id: o.body.id, amount: 15000,
    method: 'transfer', paid_on: bizDay(0) })).status, 201);
  const c2 = await api('POST', '/api/v1/customers', { name: '厦门附件测试二号 ' + tag, kind: 'company' });
  const o2 = await api('POST', '/api/v1/orders', { customer_id: c2.body.id, tax_rate_pct: 0,
    lines: [{ description: '配件', quantity: 1, unit_price: 9900 }] });
  assert.equal((await api('POST', `/api/v1/orders/${o2.body.id}/transition`, { to: 'approved' })).status, 200);

  await page.goto(BASE + '/');
  await Promise.all([page.waitForNavigation(), page.click('a[href="/app/reports/receivables"]')]);
  await page.fill('.receivables-filters input[name=q]', tag);
  await Promise.all([page.waitForNavigation(), page.click('.receivables-filters button[type=submit]')]);
  const row = `tr[data-customer="${customer.id}"]`;
  assert.equal((await page.textContent(`${row} [data-col=receivable_total]`)).trim(), '¥1,000.00');
  assert.equal((await page.textContent(`${row} [data-col=received_total]`)).trim(), '¥150.00');
  assert.equal((await page.textContent(`${row} [data-col=balance_due]`)).trim(), '¥850.00');
  assert.equal((await page.textContent(`${row} [data-col=overdue_amount]`)).trim(), '¥250.00');
  assert.equal(await fig('balance_due'), '¥949.00');
  let order = await page.$$eval('tr[data-customer]', (rs) => rs.map((r) => r.dataset.customer));
  assert.deepEqual(order, [String(customer.id), String(c2.body.id)]);
  await shot('files-receivables');
  await Promise.all([page.waitForNavigation(), page.click('th a[data-sort=balance_due]')]);
  order = await page.$$eval('tr[data-customer]', (rs) => rs.map((r) => r.dataset.customer));
  assert.deepEqual(order, [String(c2.body.id), String(customer.id)]);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-export]')]);
  assert.match(download.suggestedFilename(), /^receivables-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const xlsx = fs.readFileSync(await download.path());
  assert.equal(xlsx.subarray(0, 2).toString(), 'PK');
  await Promise.all([page.waitForNavigation(), page.click(`${row} a`)]);
  assert.equal(await fig('balance_due'), '¥850.00');
  assert.equal(await fig('overdue_amount'), '¥250.00');
  const drow = `[data-docs=orders] tr[data-doc="${o.body.id}"]`;
  assert.equal((await page.textContent(`${drow} [data-col=outstanding_amount]`)).trim(), '¥850.00');
  assert.equal((await page.textContent(`${drow} [data-col=overdue_amount]`)).trim(), '¥250.00');
  await shot('files-receivables-customer');
});

test('no script errors and no CSP violations', () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(cspViolations, []);
});
