// customers.test.js — customer management in the browser: converting a lead
// from its page and several from the list, the org chart, and a pick-list
// label changed in the settings showing on a customer. Run by
// tests/e2e/run.sh; screenshots go to tests/e2e/artifacts/customers-*.png.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const lib = require('./lib');
const { BASE, USER, PASS } = lib;

const TAG = String(Date.now()).slice(-6);

let browser, context, page;
const pageErrors = [];

const shot = (name) => lib.screenshot(page, 'customers-' + name);

/* JSON API call with the page's session. */
const api = (method, url, body) => lib.sessionCall(page, method, url, body);

before(async () => {
  browser = await lib.launch();
  context = await lib.newContext(browser);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(BASE + '/login');
  await page.fill('input[name=username]', USER);
  await page.fill('input[name=password]', PASS);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
});

after(async () => {
  if (browser) await browser.close();
  assert.deepEqual(pageErrors, [], 'no script errors');
});

test('converts a lead from its page into a customer, contact and opportunity', async () => {
  const lead = await api('POST', '/api/v1/leads', {
    name: '钱经理' + TAG, company: '转化测试公司' + TAG, title: '采购经理', phone: '13900001111', email: 'qian@example.cn'
  });
  assert.equal(lead.status, 201, JSON.stringify(lead.body));
  const act = await api('POST', '/api/v1/activities', {
    subject: '展会初次接触', kind: 'meeting', parent_type: 'leads', parent_id: lead.body.id, body: '留了名片'
  });
  assert.equal(act.status, 201);
  await page.goto(BASE + '/app/leads/' + lead.body.id);
  await Promise.all([page.waitForURL(/\/convert$/), page.click('.actions a:has-text("转化")')]);
  assert.equal(await page.textContent('h1'), '转化线索');
  assert.match(await page.textContent('.convert-form'), new RegExp('转化测试公司' + TAG));
  assert.equal(await page.isChecked('input[name=create_opportunity]'), true);
  await shot('01-convert-page');
  await Promise.all([page.waitForURL(/\/app\/customers\/\d+$/), page.click('.convert-form button[type=submit]')]);
  assert.equal(await page.textContent('h1'), '转化测试公司' + TAG);
  assert.equal(await page.textContent('.flash'), '线索已转化。×');
  const customerId = Number(page.url().match(/(\d+)$/)[1]);
  // the follow-up moved along: it is on the customer's timeline now
  assert.match(await page.textContent('#timeline'), /留了名片/);
  assert.match(await page.textContent('#rel-contacts-customer_id'), new RegExp('钱经理' + TAG));
  await shot('02-converted-customer');
  const stored = await api('GET', '/api/v1/leads/' + lead.body.id);
  assert.equal(stored.body.status, 'converted');
  assert.equal(stored.body.customer_id, customerId);
  assert.ok(stored.body.opportunity_id > 0, 'an opportunity was created');
  // the lead page offers no second conversion; the convert URL leads to the customer
  await page.goto(BASE + '/app/leads/' + lead.body.id);
  assert.equal(await page.locator('.actions a:has-text("转化")').count(), 0);
  await Promise.all([page.waitForURL(BASE + '/app/customers/' + customerId),
    page.goto(BASE + '/app/leads/' + lead.body.id + '/convert')]);
});

test('an existing customer is required when chosen; the form explains and nothing is converted', async () => {
  const lead = await api('POST', '/api/v1/leads', { name: '孙先生' + TAG });
  await page.goto(BASE + '/app/leads/' + lead.body.id + '/convert');
  await page.check('input[name=target][value=existing]');
  await Promise.all([page.waitForNavigation(), page.click('.convert-form button[type=submit]')]);
  assert.equal(await page.textContent('.alert.error'), '请先选择已有客户。');
  assert.equal((await api('GET', '/api/v1/leads/' + lead.body.id)).body.status, 'new');
  // choose one through the link search, then it converts into that customer
  const cust = await api('POST', '/api/v1/customers', { name: '已有客户' + TAG });
  await page.check('input[name=target][value=existing]');
  await page.fill('.convert-form [data-link-text]', '已有客户' + TAG);
  await page.click('.convert-form .link-options [data-option][data-label="已有客户' + TAG + '"]');
  await page.uncheck('input[name=create_opportunity]');
  await Promise.all([page.waitForURL(BASE + '/app/customers/' + cust.body.id), page.click('.convert-form button[type=submit]')]);
  const stored = await api('GET', '/api/v1/leads/' + lead.body.id);
  assert.equal(stored.body.customer_id, cust.body.id);
  assert.equal(stored.body.opportunity_id, null);
});

test('converts the selected leads from the list', async () => {
  const ids = [];
  for (const n of ['甲', '乙']) {
    const r = await api('POST', '/api/v1/leads', { name: '批量' + n + TAG, company: '批量公司' + n + TAG });
    ids.push(r.body.id);
  }
  await page.goto(BASE + '/app/leads?scene=all&q=' + encodeURIComponent('批量'));
  const boxes = page.locator('input[name=ids]');
  assert.equal(await boxes.count(), 2);
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.click('[data-bulk] details:has(button[data-bulk-convert]) summary');
  await shot('03-bulk-convert');
  await Promise.all([page.waitForNavigation(), page.click('[data-bulk] button[data-bulk-convert]')]);
  assert.equal(await page.textContent('.flash'), '已转化 2 条线索。×');
  for (const id of ids) {
    const l = await api('GET', '/api/v1/leads/' + id);
    assert.equal(l.body.status, 'converted');
    assert.ok(l.body.opportunity_id > 0);
  }
});

test('shows a customer\'s contacts as an org chart with buying roles', async () => {
  const cust = await api('POST', '/api/v1/customers', { name: '架构客户' + TAG });
  const boss = await api('POST', '/api/v1/contacts', {
    name: '周总' + TAG, customer_id: cust.body.id, title: '总经理', decision_role: 'decision_maker', influence: 'high'
  });
  await api('POST', '/api/v1/contacts', {
    name: '吴工' + TAG, customer_id: cust.body.id, title: '技术总监', superior_id: boss.body.id,
    decision_role: 'influencer', influence: 'medium'
  });
  await page.goto(BASE + '/app/customers/' + cust.body.id);
  const chart = page.locator('#org-chart');
  assert.equal(await chart.locator('h2').textContent(), '组织架构');
  const child = chart.locator('.org-chart > li > ul > li .org-node');
  assert.match(await child.textContent(), new RegExp('吴工' + TAG + '.*技术总监.*影响者.*中'));
  assert.match(await chart.locator('.org-chart > li > .org-node').textContent(), /决策者/);
  await shot('04-org-chart');
});

test('a pick-list label changed in the settings shows on the customers that use it', async () => {
  const ind = await api('GET', '/api/v1/industries?code=media');
  const media = ind.body.data[0];
  const cust = await api('POST', '/api/v1/customers', { name: '行业客户' + TAG, industry_id: media.id });
  await page.goto(BASE + '/app/industries/' + media.id + '/edit');
  await page.fill('#f-name', '文化/传媒/娱乐' + TAG);
  await Promise.all([page.waitForURL(BASE + '/app/industries/' + media.id), page.click('.form-bar button[type=submit]')]);
  await page.goto(BASE + '/app/customers/' + cust.body.id);
  assert.equal((await page.textContent('#fv-industry_id')).trim(), '文化/传媒/娱乐' + TAG);
  await shot('05-renamed-industry');
  const again = await api('GET', '/api/v1/customers/' + cust.body.id);
  assert.equal(again.body.industry_id, media.id);
  assert.equal(again.body.version, cust.body.version, 'the customer itself was not rewritten');
});

test('an administrator relabels and retires options of an enum pick list; records keep their code', async () => {
  // leads.quality: no other browser flow looks at it (the files run in parallel)
  const lead = await api('POST', '/api/v1/leads', { name: '质量线索' + TAG, quality: 'cold' });
  await page.goto(BASE + '/admin/picklists');
  await Promise.all([page.waitForURL(BASE + '/admin/picklists/leads/quality'),
    page.click('a[href="/admin/picklists/leads/quality"]')]);
  await page.fill('input[name="zh.hot"]', '优质' + TAG);
  await page.uncheck('input[name="active.cold"]');
  await shot('06-enum-picklist');
  await Promise.all([page.waitForNavigation(),
    page.click('form[action="/admin/picklists/leads/quality"] button[type=submit]')]);
  assert.equal(await page.inputValue('input[name="zh.hot"]'), '优质' + TAG);
  // the record with the retired option still shows it; new input no longer offers it
  await page.goto(BASE + '/app/leads/' + lead.body.id);
  assert.equal((await page.textContent('#fv-quality')).trim(), '低');
  await page.goto(BASE + '/app/leads/new');
  const offered = await page.$$eval('#f-quality option', (os) => os.map((o) => o.textContent));
  assert.deepEqual(offered, ['— 请选择 —', '优质' + TAG, '中']);
  const stored = await api('GET', '/api/v1/leads/' + lead.body.id);
  assert.equal(stored.body.quality, 'cold');
  const back = await api('PATCH', '/api/v1/picklists/leads/quality', {
    hot: { zh: '高', en: 'Hot', active: true }, cold: { zh: '低', en: 'Cold', active: true }
  });
  assert.equal(back.status, 200);
});
