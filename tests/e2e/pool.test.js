// pool.test.js — the customer pool (公海) in the browser: a rep releases a
// customer (API), another member of the pool opens 公海 from the menu, claims
// it with the row's button (htmx) and finds it on their customer page, where
// they lock it; an outsider's pool page is empty of it. The reminder centre
// lists a customer about to go back to the pool. Set up through the API.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const lib = require('./lib');
const { BASE, PASS, ART, call, token, ok } = lib;

const USER_PASS = 'Pool-e2e-pass-1';
const tag = String(Date.now()).slice(-6);

let browser;
const ids = {};

const loginPage = (username) => lib.loginPage(browser, username, USER_PASS);

before(async () => {
  const admin = await token('admin', PASS);
  const rep = (await call(admin, 'GET', '/api/v1/roles?code=sales_rep')).body.data[0].id;
  const dept = ok(await call(admin, 'POST', '/api/v1/departments', { name: '公海测试' + tag }), 201).id;
  const other = ok(await call(admin, 'POST', '/api/v1/departments', { name: '公海外部' + tag }), 201).id;
  const user = async (u, name, d) => ok(await call(admin, 'POST', '/api/v1/users',
    { username: u + tag, name: name + tag, password: USER_PASS, department_id: d, role_ids: [rep] }), 201).id;
  ids.r1 = await user('poola', '甲代表', dept);
  ids.r2 = await user('poolb', '乙代表', dept);
  ids.out = await user('poolx', '外部代表', other);
  ids.pool = ok(await call(admin, 'POST', '/api/v1/pools', {
    name: '华东公海' + tag, member_departments: [dept], follow_up_days_c: 2, remind_days: 3, claim_daily_limit: 5
  }), 201).id;
  const t1 = await token('poola' + tag, USER_PASS);
  ids.cust = ok(await call(t1, 'POST', '/api/v1/customers', { name: '公海客户' + tag, level: 'B' }), 201).id;
  ok(await call(t1, 'POST', `/api/v1/customers/${ids.cust}/release`, { reason: '暂无采购计划' }), 200);
  ids.soon = ok(await call(t1, 'POST', '/api/v1/customers', { name: '将回收客户' + tag, level: 'C' }), 201).id;
  browser = await lib.launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('a pool member claims a customer from the pool page and locks it', async () => {
  const page = await loginPage('poolb' + tag);
  await Promise.all([page.waitForURL(/\/pool/), page.click('nav.sidenav a[href="/pool"]')]);
  const row = page.locator(`#pool-row-${ids.cust}`);
  await row.waitFor();
  assert.match(await row.textContent(), /暂无采购计划/);
  assert.match(await page.textContent('.pool-limits'), /每日最多领取 5 个/);
  await page.screenshot({ path: path.join(ART, 'pool-01-list.png'), fullPage: true });
  await row.locator('button', { hasText: '领取' }).click();
  const done = page.locator(`#pool-row-${ids.cust}.pool-done`);
  await done.waitFor();
  assert.match(await done.textContent(), /已领取/);
  await page.screenshot({ path: path.join(ART, 'pool-02-claimed.png'), fullPage: true });
  // Now mine: on my list and its page, where I lock it.
  await Promise.all([page.waitForURL(new RegExp(`/app/customers/${ids.cust}$`)), done.locator('a').click()]);
  assert.match(await page.textContent('.record-head'), /乙代表/);
  await Promise.all([page.waitForLoadState('load'), page.click('.record-head button:has-text("锁定")')]);
  await page.locator('.record-head button:has-text("解锁")').waitFor();
  await page.screenshot({ path: path.join(ART, 'pool-03-locked.png'), fullPage: false });
  await page.context().close();
});

test('an outsider has no pool page entry and cannot open the customer', async () => {
  const page = await loginPage('poolx' + tag);
  assert.equal(await page.locator('nav.sidenav a[href="/pool"]').count(), 0);
  await page.goto(BASE + '/pool');
  assert.match(await page.textContent('main'), /你不属于任何公海/);
  const r = await page.goto(BASE + `/app/customers/${ids.cust}`);
  assert.equal(r.status(), 404);
  await page.context().close();
});

test('the reminder centre lists a customer about to go back to the pool', async () => {
  const page = await loginPage('poola' + tag);
  assert.match(await page.textContent('#reminders-card'), /将回收客户/);
  await page.goto(BASE + '/reminders');
  const sec = page.locator('section[data-kind="pool_release"]');
  await sec.waitFor();
  assert.match(await sec.textContent(), new RegExp('将回收客户' + tag));
  assert.match(await sec.textContent(), /剩余 [12] 天/); // 2, or 1 across Beijing midnight
  await page.screenshot({ path: path.join(ART, 'pool-04-reminders.png'), fullPage: true });
  await page.context().close();
});

test('a rep releases selected customers to the pool from the list (bulk bar)', async () => {
  const t1 = await token('poola' + tag, USER_PASS);
  const id = ok(await call(t1, 'POST', '/api/v1/customers', { name: '批量退回' + tag, level: 'C' }), 201).id;
  const page = await loginPage('poola' + tag);
  await page.goto(BASE + '/app/customers?q=' + encodeURIComponent('批量退回' + tag));
  await page.check(`input[name=ids][value="${id}"]`);
  await page.click('.bulkbar summary:has-text("放入公海")');
  await page.fill('.bulkbar input[name=reason]', '客户已转投竞品');
  await Promise.all([page.waitForLoadState('load'), page.click('.bulkbar button[value=release]')]);
  assert.match(await page.textContent('.flash'), /1 个客户已退回公海/);
  const admin = await token('admin', PASS);
  const c = ok(await call(admin, 'GET', `/api/v1/customers/${id}`), 200);
  assert.equal(c.owner_id, null);
  assert.equal(c.pool_id, ids.pool);
  assert.match(c.release_reason, /客户已转投竞品/);
  await page.context().close();
});
