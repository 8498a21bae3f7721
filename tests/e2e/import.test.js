// import.test.js — duplicates warning, merge and import in the web UI
// (issue #5), in real Chromium. Run by tests/e2e/run.sh. Screenshots go to
// tests/e2e/artifacts/ (dupes-*.png).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('./lib');
const { BASE, USER, PASS, ART } = lib;

let browser, context, page;
const pageErrors = [];
const tag = String(Date.now()).slice(-8);

const shot = (name) => lib.screenshot(page, 'dupes-' + name);

/* JSON API call with the page's session. */
const api = (method, url, body) => lib.sessionCall(page, method, url, body);

before(async () => {
  fs.mkdirSync(ART, { recursive: true });
  browser = await lib.launch();
  context = await lib.newContext(browser, { height: 900 });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(BASE + '/login');
  await page.fill('input[name=username]', USER);
  await page.fill('input[name=password]', PASS);
  await Promise.all([page.waitForURL(/\/$/), page.click('button[type=submit]')]);
});

after(async () => {
  if (browser) await browser.close();
});

test('the customer form warns about a duplicate while typing, and saving is still possible', async () => {
  const made = await api('POST', '/api/v1/customers', { name: '星河' + tag + '科技有限公司', phone: '13700' + tag.slice(-6) });
  assert.equal(made.status, 201);
  await page.goto(BASE + '/app/customers/new');
  await page.fill('#f-name', '星河' + tag + '科技（北京）');
  await page.waitForSelector('#dupes-warning .alert.warn');
  const text = await page.textContent('#dupes-warning');
  assert.match(text, new RegExp('星河' + tag + '科技有限公司'));
  assert.match(text, /相似名称/);
  await shot('warning');
  await Promise.all([page.waitForURL(/\/app\/customers\/\d+$/), page.click('form.record-form button[type=submit]')]);
  assert.match(await page.textContent('h1'), new RegExp('星河' + tag));
});

test('merges two customers from the detail page: side-by-side choice, related contact moves, other in trash', async () => {
  const a = (await api('POST', '/api/v1/customers', { name: '合并目标' + tag, level: 'A' })).body;
  const b = (await api('POST', '/api/v1/customers', { name: '合并来源' + tag, level: 'B', email: 'm' + tag + '@example.com' })).body;
  const ct = (await api('POST', '/api/v1/contacts', { name: '联系人' + tag, customer_id: b.id })).body;
  await page.goto(BASE + '/app/customers/' + a.id);
  await Promise.all([page.waitForURL(/\/merge$/), page.click('a[href$="/merge"]')]);
  await page.goto(BASE + '/app/customers/' + a.id + '/merge?from=' + b.id);
  await shot('merge-page');
  assert.equal(await page.locator('tr.conflict').count(), 2); // name and level differ
  await page.check('input[name=f_level][value=from]');
  await shot('merge');
  await Promise.all([page.waitForURL(new RegExp('/app/customers/' + a.id + '$')), page.click('[data-merge-form] button[type=submit]')]);
  assert.match(await page.textContent('.flash'), /合并/);
  const rec = (await api('GET', '/api/v1/customers/' + a.id)).body;
  assert.equal(rec.level, 'B');
  assert.equal(rec.email, 'm' + tag + '@example.com');
  assert.equal(rec.name, '合并目标' + tag);
  assert.equal((await api('GET', '/api/v1/contacts/' + ct.id)).body.customer_id, a.id);
  assert.equal((await api('GET', '/api/v1/customers/' + b.id)).status, 404);
});

test('imports a CSV through the wizard: preview with a row error, partial import, report, undo', async () => {
  const file = path.join(os.tmpdir(), 'gx-import-' + tag + '.csv');
  fs.writeFileSync(file, '\ufeff客户名称,邮箱,下次跟进\n导入甲' + tag + ',a' + tag + '@example.com,2026-12-01\n'
    + '导入乙' + tag + ',b' + tag + '@example.com,2026-13-40\n导入丙' + tag + ',,\n');
  await page.goto(BASE + '/app/customers');
  await Promise.all([page.waitForURL(/\/import$/), page.click('a[href="/app/customers/import"]')]);
  await page.setInputFiles('input[name=file]', file);
  await page.click('button[name=step][value=preview]');
  await page.waitForSelector('table.import-errors');
  const errs = await page.textContent('table.import-errors');
  assert.match(errs, /3/);          // row 3 of the file
  assert.match(errs, /下次跟进/);
  assert.equal(await page.locator('select[name=map_0]').inputValue(), 'name');
  await shot('import-preview');
  // all or nothing first: refused, nothing stored
  await page.click('button[name=step][value=run]');
  await page.waitForSelector('#import-result .alert.error');
  assert.equal((await api('GET', '/api/v1/customers?q=' + encodeURIComponent('导入') + tag)).body.total, 0);
  await page.check('input[name=partial]');
  await page.click('button[name=step][value=preview]');
  await page.waitForSelector('button[name=step][value=run]');
  await page.click('button[name=step][value=run]');
  await page.waitForSelector('[data-import-done]');
  assert.match(await page.textContent('[data-import-done]'), /2/);
  await shot('import-done');
  const list = await api('GET', '/api/v1/customers?q=' + tag);
  assert.deepEqual(list.body.data.map((c) => c.name).filter((n) => n.startsWith('导入')).sort(),
    ['导入丙' + tag, '导入甲' + tag]);
  page.once('dialog', (d) => d.accept());
  await page.click('[data-import-done] button');
  await page.waitForSelector('[data-import-undone]');
  await shot('import-undone');
  const after = await api('GET', '/api/v1/customers?q=' + tag);
  assert.equal(after.body.data.filter((c) => c.name.startsWith('导入')).length, 0);
  assert.deepEqual(pageErrors, []);
});
