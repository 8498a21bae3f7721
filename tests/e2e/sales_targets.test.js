// sales_targets.test.js — sales targets, customer value and assignment rules
// in the browser: a sales manager sets a monthly target for one of their
// reps with the form (link field searched as you type), sees 0 % on the
// targets page, an order of the rep is approved (API), and the page shows
// the attainment; the rep sees their own target only; the customer value
// pyramid counts the rep's customer; the administrator previews which
// assignment rule matches. Set up through the API.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const lib = require('./lib');
const { BASE, PASS, ART, call, token, ok } = lib;

const USER_PASS = 'Targets-e2e-pass-1';
const tag = String(Date.now()).slice(-6);

let browser;
let admin;
const ids = {};

const loginPage = (username, password) => lib.loginPage(browser, username, password || USER_PASS);

// This month in Beijing, YYYY-MM, and today.
function beijing() {
  const d = new Date(Date.now() + 8 * 3600 * 1000).toISOString();
  return { month: d.slice(0, 7), day: d.slice(0, 10) };
}

before(async () => {
  admin = await token('admin', PASS);
  const role = async (code) => (await call(admin, 'GET', '/api/v1/roles?code=' + code)).body.data[0].id;
  const rep = await role('sales_rep');
  const mgr = await role('sales_manager');
  ids.dept = ok(await call(admin, 'POST', '/api/v1/departments', { name: '目标测试部' + tag }), 201).id;
  const user = async (u, name, r) => ok(await call(admin, 'POST', '/api/v1/users',
    { username: u + tag, name: name + tag, password: USER_PASS, department_id: ids.dept, role_ids: [r] }), 201).id;
  ids.mgr = await user('tgm', '目标经理', mgr);
  ids.rep = await user('tgr', '目标代表', rep);
  ids.rep2 = await user('tgs', '另一代表', rep);
  const t = await token('tgr' + tag, USER_PASS);
  ids.repToken = t;
  ids.cust = ok(await call(t, 'POST', '/api/v1/customers', { name: '目标客户' + tag }), 201).id;
  ids.product = ok(await call(admin, 'POST', '/api/v1/products',
    { code: 'TG' + tag, name: '目标产品' + tag, price: 100000 }), 201).id;
  browser = await lib.launch();
});

after(async () => {
  if (browser) await browser.close();
});

test('a manager sets a target for a rep and sees the attainment after an order', async () => {
  const { month, day } = beijing();
  const page = await loginPage('tgm' + tag);
  await Promise.all([page.waitForURL(/\/app\/reports\/targets/), page.click('nav.sidenav a[href="/app/reports/targets"]')]);
  assert.match(await page.textContent('main'), /本月还没有目标/);
  await Promise.all([page.waitForURL(/\/app\/sales_targets\/new/), page.click('.page-head a:has-text("新建目标")')]);
  assert.equal(await page.inputValue('#f-month'), month);
  await page.selectOption('#f-scope', 'user');
  await page.fill('#f-user_id', '目标代表' + tag);
  await page.click(`#f-user_id ~ .link-options [data-option][data-id="${ids.rep}"]`);
  await page.fill('#f-amount', '2000');
  await Promise.all([page.waitForURL(/\/app\/sales_targets\/\d+$/), page.click('.form-bar button[type=submit]')]);
  ids.target = Number(page.url().match(/(\d+)$/)[1]);
  // 0 % before any order
  await page.goto(BASE + '/app/reports/targets?month=' + month);
  const row = page.locator(`tr[data-target="${ids.target}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /目标代表/);
  assert.match(await row.textContent(), /¥2,000\.00/);
  assert.match(await row.locator('.pct').textContent(), /^0\.0%$/);
  // the rep's order of ¥500 (no tax) is approved
  const o = ok(await call(ids.repToken, 'POST', '/api/v1/orders', {
    customer_id: ids.cust, order_date: day, tax_rate_pct: 0,
    lines: [{ product_id: ids.product, quantity: 1, unit_price: 50000, discount_pct: 0 }]
  }), 201);
  ok(await call(admin, 'POST', `/api/v1/orders/${o.id}/transition`, { to: 'approved' }), 200);
  await page.reload();
  assert.match(await row.textContent(), /¥500\.00/);
  assert.match(await row.locator('.pct').textContent(), /^25\.0%$/);
  assert.equal(await row.locator('progress').getAttribute('value'), '25.0');
  await page.locator('.chart canvas').first().waitFor();
  await page.screenshot({ path: path.join(ART, 'targets-01-attainment.png'), fullPage: true });
  await page.context().close();
});

test('a rep sees their own target, and another rep none of it', async () => {
  const { month } = beijing();
  let page = await loginPage('tgr' + tag);
  await page.goto(BASE + '/app/reports/targets?month=' + month);
  await page.locator(`tr[data-target="${ids.target}"]`).waitFor();
  assert.equal(await page.locator('.page-head a:has-text("新建目标")').count(), 0);
  await page.context().close();
  page = await loginPage('tgs' + tag);
  await page.goto(BASE + '/app/reports/targets?month=' + month);
  assert.equal(await page.locator(`tr[data-target="${ids.target}"]`).count(), 0);
  assert.match(await page.textContent('main'), /本月没有目标/);
  const r = await page.goto(BASE + '/app/sales_targets/' + ids.target);
  assert.equal(r.status(), 404);
  await page.context().close();
});

test('the customer value pyramid counts the rep\'s buyer', async () => {
  const page = await loginPage('tgr' + tag);
  await Promise.all([page.waitForURL(/customer_value/), page.click('nav.sidenav a[href="/app/reports/customer_value"]')]);
  assert.match(await page.textContent('#pyramid [data-tier="vip"]'), /VIP 客户\s*1 · ¥500\.00/);
  assert.equal((await page.textContent('#no-purchase')).trim(), '0');
  assert.match(await page.textContent('#segments'), /重要价值客户/);
  await page.screenshot({ path: path.join(ART, 'targets-02-pyramid.png'), fullPage: true });
  await page.goto(BASE + '/app/customers/' + ids.cust);
  assert.match(await page.textContent('main'), /累计消费/);
  await page.context().close();
});

test('the administrator previews which assignment rule matches', async () => {
  const region = ok(await call(admin, 'POST', '/api/v1/regions', { name: '华南' + tag, code: 'HN' + tag }), 201).id;
  const rule = ok(await call(admin, 'POST', '/api/v1/assignment_rules', {
    name: '华南客户' + tag, entity: 'customers', region_id: region, target: 'user', user_id: ids.rep
  }), 201).id;
  const page = await loginPage('admin', PASS);
  await page.goto(BASE + '/admin/assignment_rules');
  assert.match(await page.textContent(`#rules tr[data-rule="${rule}"]`), new RegExp('华南' + tag));
  await page.selectOption('#preview select[name=entity]', 'customers');
  await page.selectOption('#preview select[name=region_id]', String(region));
  await Promise.all([page.waitForLoadState('load'), page.click('#preview button[type=submit]')]);
  assert.match(await page.textContent('.preview-result'), new RegExp('华南客户' + tag + '[\\s\\S]*目标代表' + tag));
  await page.screenshot({ path: path.join(ART, 'targets-03-rules.png'), fullPage: true });
  // a customer created through the API without an owner goes to the rep
  const c = ok(await call(admin, 'POST', '/api/v1/customers', { name: '华南新客户' + tag, region_id: region }), 201);
  assert.equal(c.owner_id, ids.rep);
  ok(await call(admin, 'DELETE', `/api/v1/assignment_rules/${rule}`), 204);
  await page.context().close();
});
