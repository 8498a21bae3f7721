// access.test.js — identity and access in the browser (issue #4): a sales
// rep cannot see another department's customer (not in the list, 404 on its
// page), and a manager's comment (批示) on a rep's work record reaches the
// rep as a notification. Data is set up through the JSON API as the admin.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const lib = require('./lib');
const { BASE, PASS, ART, call, token, created } = lib;

const USER_PASS = 'Access-e2e-pass-1';
const tag = String(Date.now()).slice(-6);

let browser;
const ids = {};

const loginPage = (username) => lib.loginPage(browser, username, USER_PASS);

before(async () => {
  const admin = await token('admin', PASS);
  const role = async (code) => (await call(admin, 'GET', '/api/v1/roles?code=' + code)).body.data[0].id;
  const rep = await role('sales_rep');
  const mgr = await role('sales_manager');
  ids.deptA = await created(await call(admin, 'POST', '/api/v1/departments', { name: '访问测试A' + tag }));
  ids.deptB = await created(await call(admin, 'POST', '/api/v1/departments', { name: '访问测试B' + tag }));
  const user = (username, name, dept, roleId) =>
    call(admin, 'POST', '/api/v1/users', { username, name, password: USER_PASS, department_id: dept, role_ids: [roleId] });
  ids.repA = await created(await user('repa' + tag, '甲代表' + tag, ids.deptA, rep));
  ids.repB = await created(await user('repb' + tag, '乙代表' + tag, ids.deptB, rep));
  ids.mgrA = await created(await user('mgra' + tag, '甲经理' + tag, ids.deptA, mgr));
  const tA = await token('repa' + tag, USER_PASS);
  const tB = await token('repb' + tag, USER_PASS);
  ids.custA = await created(await call(tA, 'POST', '/api/v1/customers', { name: '甲方客户' + tag }));
  ids.custB = await created(await call(tB, 'POST', '/api/v1/customers', { name: '乙方客户' + tag }));
  ids.act = await created(await call(tA, 'POST', '/api/v1/activities', {
    subject: '拜访甲方客户' + tag, kind: 'visit', parent_type: 'customers', parent_id: ids.custA,
    occurred_at: new Date().toISOString()
  }));
  browser = await lib.launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('a rep sees their own customer but not another department\'s, whose page is a 404', async () => {
  const page = await loginPage('repa' + tag);
  await page.goto(BASE + '/app/customers');
  const body = await page.textContent('main');
  assert.ok(body.includes('甲方客户' + tag), 'own customer listed');
  assert.ok(!body.includes('乙方客户' + tag), 'other department\'s customer not listed');
  await page.screenshot({ path: path.join(ART, 'access-01-rep-list.png'), fullPage: true });
  const res = await page.goto(BASE + '/app/customers/' + ids.custB);
  assert.equal(res.status(), 404);
  assert.ok(!(await page.textContent('body')).includes('乙方客户' + tag), 'the 404 page does not leak the name');
  await page.screenshot({ path: path.join(ART, 'access-02-rep-404.png'), fullPage: true });
  await page.context().close();
});

test('a manager comments on a rep\'s work record and the rep is notified', async () => {
  const mgr = await loginPage('mgra' + tag);
  await mgr.goto(BASE + '/team');
  const form = mgr.locator(`#comments-${ids.act} form`);
  await form.locator('input[name=body]').fill('请尽快跟进报价 ' + tag);
  await form.locator('button[type=submit]').click();
  await mgr.waitForSelector(`#comments-${ids.act} .comment`);
  assert.match(await mgr.textContent(`#comments-${ids.act} .comment`), new RegExp('请尽快跟进报价 ' + tag));
  await mgr.screenshot({ path: path.join(ART, 'access-03-manager-comment.png'), fullPage: false });
  await mgr.context().close();

  const rep = await loginPage('repa' + tag);
  assert.equal((await rep.textContent('.bell .badge')).trim(), '1');
  await rep.click('.bell');
  await rep.waitForLoadState('load');
  assert.ok((await rep.textContent('main')).includes('批示了你的跟进记录'), 'the notification is listed');
  await rep.screenshot({ path: path.join(ART, 'access-04-rep-notified.png'), fullPage: true });
  // The comment is on the record for the rep too.
  const r = await rep.goto(BASE + `/app/activities/${ids.act}/comments`);
  assert.equal(r.status(), 200);
  assert.ok((await rep.textContent('body')).includes('请尽快跟进报价 ' + tag));
  await rep.context().close();
});
