// china.test.js — China-specific data in the customer form, in real Chromium:
// the province → city → district cascade (municipalities, cities without
// counties), the credit-code warning with "save anyway", phone numbers shown
// 3-4-4, and global search by two characters and pinyin initials.
// Run by tests/e2e/run.sh (server on a fresh database).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const lib = require('./lib');
const { BASE, PASS } = lib;

const tag = String(Date.now()).slice(-6);

let browser, page;
const pageErrors = [];

const shot = (name) => lib.screenshot(page, name);

/* The option labels of a select, without the empty first one. */
async function options(sel) {
  return page.$$eval(sel + ' option', (os) => os.map((o) => o.textContent).filter((t, i) => i > 0));
}

before(async () => {
  browser = await lib.launch();
  const context = await lib.newContext(browser);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(BASE + '/login');
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', PASS);
  await Promise.all([page.waitForURL(BASE + '/'), page.click('button[type=submit]')]);
});

after(async () => {
  if (browser) await browser.close();
});

test('address cascade: province, then city, then district; municipalities and cities without counties', async () => {
  await page.goto(BASE + '/app/customers/new');
  const prov = 'select[name="address.province"]';
  const city = 'select[name="address.city"]';
  const dist = 'select[name="address.district"]';
  assert.ok((await options(prov)).includes('广东省'));
  assert.deepEqual(await options(city), [], 'no cities before a province');
  await page.selectOption(prov, '广东省');
  await page.waitForFunction((s) => document.querySelector(s).options.length > 10, city);
  const cities = await options(city);
  assert.ok(cities.includes('深圳市') && cities.includes('东莞市') && !cities.includes('杭州市'));
  await page.selectOption(city, '深圳市');
  await page.waitForFunction((s) => document.querySelector(s).options.length > 3, dist);
  assert.ok((await options(dist)).includes('南山区'));
  await page.selectOption(dist, '南山区');
  // A municipality has one city, chosen at once, with its districts.
  await page.selectOption(prov, '北京市');
  await page.waitForFunction((s) => document.querySelector(s).value === '北京市', city);
  assert.ok((await options(dist)).includes('朝阳区'));
  // A city without counties lists its towns; the district may stay empty.
  await page.selectOption(prov, '广东省');
  await page.waitForFunction((s) => document.querySelector(s).options.length > 10, city);
  await page.selectOption(city, '东莞市');
  await page.waitForFunction((s) => document.querySelector(s).options.length > 3, dist);
  assert.ok((await options(dist)).includes('虎门镇'));
  await page.fill('input[name=name]', '东莞测试 ' + tag);
  await page.fill('input[name="address.street"]', '虎门大道 8 号');
  await page.fill('input[name=phone]', '0769-8888 6666');
  await shot('china-01-address-cascade');
  await Promise.all([page.waitForURL(/\/app\/customers\/\d+$/), page.click('.form-actions button[type=submit]')]);
  const text = await page.textContent('main');
  assert.ok(text.includes('广东省 东莞市 虎门大道 8 号'), 'the address is shown');
  assert.ok(text.includes('0769 8888 6666'), 'the phone is shown grouped');
  await shot('china-02-detail');
  // Editing shows the stored divisions selected.
  await page.goto(page.url() + '/edit');
  assert.equal(await page.inputValue(prov), '广东省');
  assert.equal(await page.inputValue(city), '东莞市');
  assert.equal(await page.inputValue('input[name=phone]'), '0769 8888 6666');
});

test('credit code with a wrong check character: warning, then "save anyway"', async () => {
  await page.goto(BASE + '/app/customers/new');
  const name = '信用代码测试 ' + tag;
  await page.fill('input[name=name]', name);
  await page.fill('input[name=credit_code]', '91350100M000100Y44');
  await page.click('.form-actions button[type=submit]');
  await page.waitForSelector('.field.has-error input[name=confirm__credit_code]');
  assert.match(await page.textContent('.field.has-error .field-error'), /校验码不符/);
  assert.equal(await page.inputValue('input[name=credit_code]'), '91350100M000100Y44', 'the input is kept');
  await shot('china-03-credit-code-warning');
  await page.check('input[name=confirm__credit_code]');
  await Promise.all([page.waitForURL(/\/app\/customers\/\d+$/), page.click('.form-actions button[type=submit]')]);
  assert.ok((await page.textContent('main')).includes('91350100M000100Y44'));
  // A malformed code is a plain error: no "save anyway".
  await page.goto(BASE + '/app/customers/new');
  await page.fill('input[name=name]', name + ' 2');
  await page.fill('input[name=credit_code]', '12345');
  await page.click('.form-actions button[type=submit]');
  await page.waitForSelector('.field.has-error .field-error');
  assert.equal(await page.isVisible('input[name=confirm__credit_code]'), false);
});

test('global search finds two Chinese characters and pinyin initials', async () => {
  await page.goto(BASE + '/');
  await page.fill('.topsearch input[name=q]', '东莞');
  await page.waitForSelector('#search-pop .search-group');
  assert.ok((await page.textContent('#search-pop')).includes('东莞测试 ' + tag));
  await page.fill('.topsearch input[name=q]', 'dgcs');
  await page.waitForFunction((t) => document.querySelector('#search-pop').textContent.includes(t), '东莞测试 ' + tag);
  await shot('china-04-pinyin-search');
  assert.deepEqual(pageErrors, []);
});
