// membership.test.js — the front desk in real Chromium: book a court for a
// member from the day view (htmx form on a free slot; a second booking of the
// same slot is refused with 资源已被预定), check the member out with a drink
// and a coach hour, print the receipt, and find the lines in the daily
// journal. Run by tests/e2e/run.sh; screenshots go to tests/e2e/artifacts/.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const lib = require('./lib');
const { BASE, USER, PASS, bizDay } = lib;

let browser, context, page;
const pageErrors = [];
const cspViolations = [];
const tag = String(Date.now()).slice(-6);
let court, coach, drink, member, tomorrow;

const shot = (name) => lib.screenshot(page, name);

/* JSON API call with the page's session. */
const api = (method, url, body) => lib.sessionCall(page, method, url, body);

before(async () => {
  browser = await lib.launch();
  context = await lib.newContext(browser);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (execute|apply|load)/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto(BASE + '/login');
  await page.fill('input[name=username]', USER);
  await page.fill('input[name=password]', PASS);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  const type = await api('POST', '/api/v1/member_types', { name: '金卡 ' + tag, discount_pct: 10, annual_fee: 200000, valid_months: 12,
    card_kind: 'stored_value', points_per_yuan: 1 });
  assert.equal(type.status, 201, JSON.stringify(type.body));
  court = (await api('POST', '/api/v1/resources', { name: '1号羽毛球场 ' + tag, kind: 'venue', price_per_hour: 8000,
    opening_time: '08:00', closing_time: '22:00' })).body;
  coach = (await api('POST', '/api/v1/resources', { name: '王教练 ' + tag, kind: 'coach', price_per_hour: 20000,
    opening_time: '08:00', closing_time: '22:00' })).body;
  drink = (await api('POST', '/api/v1/resources', { name: '矿泉水 ' + tag, kind: 'consumable', unit_price: 500 })).body;
  const m = await api('POST', '/api/v1/customers', { name: '李会员 ' + tag, kind: 'individual', member_type_id: type.body.id });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  member = m.body;
  tomorrow = bizDay(1);
});

after(async () => {
  if (browser) await browser.close();
});

test('books a court for a member from a free slot of the day view', async () => {
  await page.goto(BASE + '/app/bookings/day?date=' + tomorrow);
  assert.equal(await page.textContent('h1'), '预定中心');
  const row = page.locator(`tr[data-resource="${court.id}"]`);
  // tomorrow the court is free from opening to closing: one run, one button
  const run = row.locator('td.free button');
  assert.equal(await run.count(), 1);
  const [rid, first, end] = (await run.getAttribute('value')).split('-').map(Number);
  assert.equal(rid, court.id);
  assert.equal(end - first, 28, '08:00-22:00 in half hours');
  assert.equal(await run.getAttribute('title'), '08:00–22:00');
  // a click on the half hour of 10:00 opens the form at 10:00
  const box = await run.boundingBox();
  await run.click({ position: { x: (20 - first + 0.5) / (end - first) * box.width, y: box.height / 2 } });
  await page.waitForSelector('#book-panel form.book-form');
  assert.equal(await page.$eval('#book-panel select[name=start]', (s) => s.selectedOptions[0].textContent), '10:00');
  await page.selectOption('#book-panel select[name=end]', { label: '11:00' });
  await page.fill('#book-panel input[name=member]', member.card_no);
  await shot('m01-book-form');
  await Promise.all([page.waitForNavigation(), page.click('#book-panel button[type=submit]')]);
  const booked = row.locator('td.slot.booked');
  assert.equal(await booked.count(), 1);
  assert.equal(await booked.getAttribute('colspan'), '2', 'two half-hour slots booked');
  assert.equal(await booked.getAttribute('title'), '10:00–11:00');
  assert.match(await booked.first().textContent(), /李会员/);
  // the free time around it: two runs, 08:00-10:00 and 11:00-22:00
  assert.deepEqual(await row.locator('td.free button').evaluateAll((bs) => bs.map((b) => b.title)),
    ['08:00–10:00', '11:00–22:00']);
  await shot('m02-day-view');
  // The same slot again (a stale form): refused, the form stays with the message.
  await page.goto(BASE + '/app/bookings/day?date=' + tomorrow);
  await row.locator(`button[value="${court.id}-22-${end}"]`).press('Enter');
  await page.waitForSelector('#book-panel form.book-form');
  assert.equal(await page.$eval('#book-panel select[name=start]', (s) => s.selectedOptions[0].textContent), '11:00',
    'from the keyboard the form starts at the run\'s first half hour');
  await page.evaluate((start) => {
    document.querySelector('#book-panel select[name=start]').add(new Option('10:30', start, true, true), 0);
  }, String(Date.parse(tomorrow + 'T10:30:00+08:00') / 1000));
  await page.fill('#book-panel input[name=guest_name]', '散客张三');
  await page.click('#book-panel button[type=submit]');
  await page.waitForSelector('#book-panel .alert.error');
  assert.match(await page.textContent('#book-panel .alert.error'), /资源已被预定/);
  await shot('m03-conflict');
});

test('checks the member out with the booking, a drink and a coach hour; prints the receipt', async () => {
  await page.goto(BASE + '/app/checkouts/new');
  assert.equal(await page.textContent('h1'), '结账中心');
  await page.fill('form.member-find input[name=member]', member.card_no);
  await Promise.all([page.waitForNavigation(), page.click('form.member-find button[type=submit]')]);
  assert.match(await page.textContent('.member-card'), /李会员/);
  const box = page.locator('input[name=booking]');
  assert.equal(await box.count(), 1);
  assert.equal(await box.isChecked(), true);
  await page.selectOption('select[name=res_1]', String(drink.id));
  await page.fill('input[name=qty_1]', '2');
  await page.selectOption('select[name=res_2]', String(coach.id));
  await page.fill('input[name=qty_2]', '1');
  await page.fill('input[name=amount_paid]', '500');
  await shot('m04-checkout');
  await Promise.all([page.waitForURL(/\/app\/checkouts\/\d+\/receipt$/), page.click('form.checkout-form button[type=submit]')]);
  const receipt = await page.textContent('.receipt');
  // court 1 h 80.00 + 2 × 5.00 + coach 1 h 200.00 = 290.00; 10% off = 29.00; total 261.00; change 239.00
  assert.match(receipt, /¥290\.00/);
  assert.match(receipt, /¥29\.00/);
  assert.match(receipt, /¥261\.00/);
  assert.match(receipt, /¥239\.00/);
  assert.ok(await page.isVisible('button[data-print]'));
  await shot('m05-receipt');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('.sidenav'), false);
  assert.equal(await page.isVisible('button[data-print]'), false);
  await shot('m06-receipt-print');
  await page.emulateMedia({ media: 'screen' });
  const b = await api('GET', '/api/v1/bookings?customer_id=' + member.id);
  assert.equal(b.body.data[0].status, 'completed');
});

test('a bad checkout keeps the form and says why', async () => {
  await page.goto(BASE + '/app/checkouts/new?member=' + encodeURIComponent(member.card_no));
  await page.selectOption('select[name=res_1]', String(drink.id));
  await page.fill('input[name=qty_1]', '1');
  await page.selectOption('select[name=payment_method]', 'stored_value');
  await page.click('form.checkout-form button[type=submit]');
  await page.waitForSelector('.alert.error');
  assert.match(await page.textContent('.alert.error'), /储值余额不足/);
  assert.equal(await page.inputValue('input[name=qty_1]'), '1');
  await shot('m07-checkout-error');
});

test('the daily journal shows the lines and the member page the ledger', async () => {
  await page.goto(BASE + '/app/reports/front_desk');
  // member consumption comes after the page (its own request)
  await page.waitForSelector('.dashboard table a[href="/app/members/' + member.id + '"]');
  await shot('m08-reports');
  await Promise.all([page.waitForNavigation(), page.click('.journal-link button[type=submit]')]);
  assert.match(page.url(), /\/app\/reports\/daily_journal\?date=/);
  const journal = await page.textContent('.journal');
  assert.match(journal, new RegExp('矿泉水 ' + tag));
  assert.match(journal, new RegExp('王教练 ' + tag));
  assert.match(journal, new RegExp('1号羽毛球场 ' + tag));
  assert.match(journal, /当日合计/);
  await shot('m08b-journal');
  await page.goto(BASE + '/app/members/' + member.id);
  assert.match(await page.textContent('table.ledger'), /积分/);
  await shot('m09-member');
});

test('the front desk tops up and redeems points; the journal shows the money in', async () => {
  await page.goto(BASE + '/app/members/' + member.id);
  const before = (await api('GET', '/api/v1/customers/' + member.id)).body;
  assert.ok(before.points >= 100, 'points from the checkout: ' + before.points);
  const topup = page.locator('form[action$="/top_up"]');
  await topup.locator('input[name=amount]').fill('300.00');
  await topup.locator('select[name=payment_method]').selectOption('card');
  await Promise.all([page.waitForNavigation(), topup.locator('button[type=submit]').click()]);
  const redeem = page.locator('form[action$="/redeem_points"]');
  await redeem.locator('input[name=points]').fill('100000');
  await redeem.locator('input[name=reason]').fill('毛巾 ' + tag);
  await redeem.locator('button[type=submit]').click();
  await page.waitForSelector('.alert.error');
  assert.match(await page.textContent('.alert.error'), /积分不足/);
  await shot('m10-redeem-error');
  await page.locator('form[action$="/redeem_points"] input[name=points]').fill('100');
  await page.locator('form[action$="/redeem_points"] input[name=reason]').fill('毛巾 ' + tag);
  await Promise.all([page.waitForNavigation(), page.locator('form[action$="/redeem_points"] button[type=submit]').click()]);
  assert.match(await page.textContent('table.ledger'), new RegExp('积分兑换 Redeemed: 毛巾 ' + tag));
  const after = (await api('GET', '/api/v1/customers/' + member.id)).body;
  assert.equal(after.points, before.points - 100);
  assert.equal(after.balance, before.balance + 30000);
  await shot('m11-member-redeemed');
  await page.goto(BASE + '/app/reports/daily_journal?payment_method=card');
  const journal = await page.textContent('.journal');
  assert.match(journal, /充值与会费/);
  assert.match(journal, new RegExp('李会员 ' + tag));
  assert.match(journal, /¥300\.00/);
  assert.doesNotMatch(journal, new RegExp('矿泉水 ' + tag), 'the drink was paid in cash');
  await shot('m12-journal-card');
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(cspViolations, []);
});
