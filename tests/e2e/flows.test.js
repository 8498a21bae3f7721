// flows.test.js — the flows people do in the web UI, in real Chromium.
// Run by tests/e2e/run.sh (which starts a server on a fresh database); plain
// CommonJS for node >= 18. Steps share one logged-in browser page and run in
// order; each saves a screenshot to tests/e2e/artifacts/.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const lib = require('./lib');
const { BASE, USER, PASS, ART } = lib;

let browser, context, page;
const cspViolations = [];
const pageErrors = [];
let customerId, customerName;

const shot = (name) => lib.screenshot(page, name);

/* JSON API call with the page's session. */
const api = (method, url, body) => lib.sessionCall(page, method, url, body);
const watch = (p) => lib.watch(p, pageErrors, cspViolations);

before(async () => {
  browser = await lib.launch();
  context = await lib.newContext(browser);
  page = await context.newPage();
  watch(page);
});

after(async () => {
  if (browser) await browser.close();
});

test('logs in through the form and lands on the home page', async () => {
  await page.goto(BASE + '/app/customers');
  assert.match(page.url(), /\/login\?next=%2Fapp%2Fcustomers$/);
  await page.fill('input[name=username]', USER);
  await page.fill('input[name=password]', 'wrong-password');
  await page.click('button[type=submit]');
  assert.equal(await page.textContent('.alert.error'), '用户名或密码错误。');
  await page.fill('input[name=password]', PASS);
  await shot('01-login');
  await Promise.all([page.waitForURL(BASE + '/app/customers'), page.click('button[type=submit]')]);
  assert.equal(await page.textContent('h1'), '客户');
  await page.goto(BASE + '/');
  assert.match(await page.textContent('h1'), /^您好/);
  await shot('02-home');
});

test('creates a customer: a bad e-mail is reported next to the field, the input is kept, the correction saves', async () => {
  customerName = '测试客户 E2E ' + Date.now();
  await page.goto(BASE + '/app/customers/new');
  await page.fill('#f-name', customerName);
  await page.selectOption('#f-level', 'A');
  await page.fill('#f-email', 'not-an-e-mail');
  await page.fill('#f-credit_limit', '1,234.50');
  await page.fill('#f-next_follow_up', '2026-12-01T09:30');
  await Promise.all([page.waitForNavigation(), page.click('.form-bar button[type=submit]')]);
  const err = await page.textContent('.field.has-error .field-error');
  assert.equal(err, '不是有效的邮箱地址');
  assert.equal(await page.inputValue('#f-name'), customerName, 'the name is kept');
  assert.equal(await page.inputValue('#f-email'), 'not-an-e-mail', 'the bad value is kept to correct it');
  assert.equal(await page.inputValue('#f-credit_limit'), '1,234.50', 'the amount is kept as typed');
  assert.ok(await page.isVisible('.alert.error li a[href="#f-email"]'), 'the summary links to the field');
  await shot('03-form-error');
  await page.fill('#f-email', 'e2e@example.cn');
  await Promise.all([page.waitForURL(/\/app\/customers\/\d+$/), page.click('.form-bar button[type=submit]')]);
  customerId = Number(page.url().match(/(\d+)$/)[1]);
  assert.equal(await page.textContent('h1'), customerName);
  assert.equal((await page.textContent('#fv-credit_limit')).trim(), '¥1,234.50');
  assert.equal((await page.textContent('#fv-next_follow_up')).trim(), '2026-12-01 09:30');
  const stored = await api('GET', '/api/v1/customers/' + customerId);
  assert.equal(stored.body.credit_limit, 123450, 'money is stored in fen');
  assert.equal(stored.body.next_follow_up, '2026-12-01T01:30:00Z', 'the local time is stored in UTC');
  assert.equal(await page.textContent('.flash'), '已创建。×');
  await shot('04-customer-created');
});

test('edits one field inline, and explains a conflicting change', async () => {
  await page.goto(BASE + '/app/customers/' + customerId);
  await page.click('#fv-tags');
  await page.waitForSelector('#fv-tags form input[name=tags]');
  await page.fill('#fv-tags input[name=tags]', '华东');
  await shot('05-inline-editing');
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/field/tags') && r.request().method() === 'POST'),
    page.click('#fv-tags button[type=submit]')
  ]);
  await page.waitForSelector('#fv-tags:not(.editing)');
  assert.equal((await page.textContent('#fv-tags')).trim(), '华东');
  await page.reload();
  assert.equal((await page.textContent('#fv-tags')).trim(), '华东', 'the change was saved');
  // someone else changes the record after this page was loaded
  const cur = await api('GET', '/api/v1/customers/' + customerId);
  const upd = await api('PATCH', '/api/v1/customers/' + customerId, { notes: '重点', version: cur.body.version });
  assert.equal(upd.status, 200);
  await page.click('#fv-tags');
  await page.waitForSelector('#fv-tags form input[name=tags]');
  await page.fill('#fv-tags input[name=tags]', '华南');
  await page.click('#fv-tags button[type=submit]');
  await page.waitForSelector('#fv-tags .alert.warn');
  assert.match(await page.textContent('#fv-tags .alert.warn'), /其他人已修改了这条记录/);
  assert.ok(await page.isVisible('#fv-tags .alert.warn a'), 'a reload link is offered');
  assert.equal(await page.inputValue('#fv-tags input[name=tags]'), '华南', 'the input is kept');
  await shot('06-inline-conflict');
});

test('global search shows live results grouped by entity (also for two Chinese characters)', async () => {
  await page.goto(BASE + '/');
  await page.fill('.topsearch input[name=q]', '客户 E2E');
  await page.waitForSelector('#search-pop .search-group');
  assert.equal(await page.textContent('#search-pop .search-group h3'), '客户');
  assert.ok((await page.textContent('#search-pop')).includes(customerName));
  await shot('07-search');
  // two characters: the beginning of names (the trigram index needs three)
  await page.fill('.topsearch input[name=q]', '');
  await page.waitForFunction(() => document.querySelector('#search-pop').textContent === '');
  await page.fill('.topsearch input[name=q]', '测试');
  await page.waitForSelector('#search-pop .hint');
  assert.ok((await page.textContent('#search-pop')).includes(customerName));
  await page.click('#search-pop a[href="/app/customers/' + customerId + '"]');
  await page.waitForURL(BASE + '/app/customers/' + customerId);
});

test('filters with an OR group, saves the query and reopens it', async () => {
  // customers of each level, created through the API
  for (const level of ['A', 'B', 'C']) {
    const res = await api('POST', '/api/v1/customers', { name: 'E2E 级别' + level + ' 公司', level });
    assert.equal(res.status, 201);
  }
  await page.goto(BASE + '/app/customers?scene=all');
  await page.click('[data-toggle="filter-panel"]');
  await page.click('[data-fb-group]');
  const nested = page.locator('.fb-group.nested');
  assert.equal(await nested.locator('[data-fb-op]').inputValue(), 'or');
  await nested.locator('.fb-cond select').first().selectOption('level');
  await nested.locator('.fb-cond .fb-value select').first().selectOption('A');
  await nested.locator('[data-fb-add]').click();
  await nested.locator('.fb-cond').nth(1).locator('select').first().selectOption('level');
  await nested.locator('.fb-cond').nth(1).locator('.fb-value select').selectOption('B');
  await shot('08-filter-builder');
  await Promise.all([page.waitForURL(/filter=/), page.click('.filter-form button[type=submit]')]);
  const filter = JSON.parse(new URL(page.url()).searchParams.get('filter'));
  assert.deepEqual(filter, { and: [{ or: [{ field: 'level', op: 'eq', value: 'A' }, { field: 'level', op: 'eq', value: 'B' }] }] });
  const levels = await page.$$eval('td[data-label="客户级别"]', (tds) => tds.map((t) => t.textContent.trim()));
  assert.ok(levels.length >= 3, 'rows are shown');
  assert.ok(levels.every((l) => l.startsWith('A') || l.startsWith('B')), 'only levels A and B: ' + levels.join(','));
  await page.fill('.save-query input[name=name]', 'A或B级客户');
  await Promise.all([page.waitForURL(/saved=\d+/), page.click('.save-query button[type=submit]')]);
  assert.equal(await page.textContent('.scenes a.saved.on'), 'A或B级客户');
  await shot('09-saved-query');
  // away and back
  await page.click('.scenes a:has-text("全部")');
  await page.waitForURL(/scene=all/);
  const all = await page.$$eval('td[data-label="客户级别"]', (tds) => tds.map((t) => t.textContent.trim()));
  assert.ok(all.some((l) => l.startsWith('C')), 'the "all" scene shows level C again');
  await page.click('.scenes a.saved');
  await page.waitForURL(/saved=\d+/);
  const again = await page.$$eval('td[data-label="客户级别"]', (tds) => tds.map((t) => t.textContent.trim()));
  assert.deepEqual(again, levels, 'the saved query shows the same rows');
  assert.equal(await page.locator('.fb-group.nested [data-fb-op]').inputValue(), 'or', 'the builder shows the OR group');
  await shot('10-saved-query-reopened');
});

test('drags a kanban card to another column and the move persists', async () => {
  await page.goto(BASE + '/app/customers/board/level?scene=all');
  const card = page.locator('[data-value="A"] .kanban-card[data-id="' + customerId + '"]');
  assert.equal(await card.count(), 1, 'the customer starts in column A');
  await page.waitForSelector('[data-value="C"] [data-col-count]');
  const countC = Number(await page.textContent('[data-value="C"] [data-col-count]'));
  await shot('11-kanban-before');
  const save = page.waitForResponse((r) => r.url().endsWith('/board/level/move'));
  await card.dragTo(page.locator('[data-value="C"] [data-cards]'));
  const res = await save;
  assert.equal(res.status(), 200);
  assert.equal(Number(await page.textContent('[data-value="C"] [data-col-count]')), countC + 1);
  await page.reload();
  assert.equal(await page.locator('[data-value="C"] .kanban-card[data-id="' + customerId + '"]').count(), 1,
    'after a reload the card is in column C');
  const stored = await api('GET', '/api/v1/customers/' + customerId);
  assert.equal(stored.body.level, 'C');
  await shot('12-kanban-after');
});

test('records a follow-up from the customer page; a reminder for today shows on the home page', async () => {
  await page.goto(BASE + '/app/customers/' + customerId);
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  await page.selectOption('#composer select[name=kind]', 'visit');
  await page.fill('#composer textarea[name=body]', '拜访客户，确认了明年的采购计划');
  await page.fill('#composer input[name=next_at]', today + 'T23:58');
  await Promise.all([page.waitForURL(/#timeline$/), page.click('#composer button[type=submit]')]);
  assert.equal(await page.textContent('.timeline li .body'), '拜访客户，确认了明年的采购计划');
  assert.match(await page.textContent('.timeline li .meta'), /拜访/);
  await shot('13-follow-up');
  await page.goto(BASE + '/');
  assert.match(await page.textContent('.tasks'), /拜访客户，确认了明年的采购计划[\s\S]*客户/);
  assert.match(await page.textContent('.tasks .time'), /^23:58$/);
  await shot('14-home-today');
});

test('a link field searches as you type and saves the chosen record', async () => {
  await page.goto(BASE + '/app/contacts/new');
  await page.fill('#f-name', '王经理');
  await page.fill('#f-customer_id', '测试客户');
  await page.click('#f-customer_id ~ .link-options [data-option][data-id="' + customerId + '"]');
  assert.equal(await page.inputValue('input[name=customer_id]'), String(customerId));
  await shot('15-link-search');
  await Promise.all([page.waitForURL(/\/app\/contacts\/\d+$/), page.click('.form-bar button[type=submit]')]);
  assert.equal((await page.textContent('#fv-customer_id')).trim(), customerName);
  await page.goto(BASE + '/app/customers/' + customerId);
  assert.match(await page.textContent('#rel-contacts-customer_id'), /王经理/);
});

test('transfers and deletes selected rows from the bulk bar', async () => {
  const u = await api('POST', '/api/v1/users', { username: 'e2e_rep', name: '李销售', password: 'E2e-rep-pass-1' });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  await page.goto(BASE + '/app/customers?scene=all&q=' + encodeURIComponent('E2E 级别'));
  assert.equal(await page.isVisible('[data-bulk]'), false, 'the bulk bar appears only with a selection');
  const boxes = page.locator('input[name=ids]');
  assert.equal(await boxes.count(), 3);
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  assert.equal(await page.textContent('[data-bulk-count]'), '已选 2 条');
  await page.click('[data-bulk] details summary');
  await page.fill('[data-bulk] [data-link-text]', '李销售');
  await page.click('[data-bulk] .link-options [data-option][data-label="李销售"]');
  await shot('16-bulk-transfer');
  await Promise.all([page.waitForNavigation(), page.click('[data-bulk] button[value=assign]')]);
  assert.match(await page.textContent('.flash'), /已转移 2 条记录/);
  const owners = await page.$$eval('td[data-label="负责人"]', (tds) => tds.map((t) => t.textContent.trim()));
  assert.equal(owners.filter((o) => o === '李销售').length, 2);
  await boxes.nth(2).check();
  page.once('dialog', (d) => d.accept());
  await Promise.all([page.waitForNavigation(), page.click('[data-bulk] button[value=delete]')]);
  assert.match(await page.textContent('.flash'), /已删除 1 条记录/);
  assert.equal(await page.locator('input[name=ids]').count(), 2);
});

test('shows the calendar by month and by week', async () => {
  await page.goto(BASE + '/app/customers/calendar/next_follow_up?scene=all&date=2026-12-01');
  assert.equal(await page.textContent('.cal-nav h2'), '2026年12月');
  const link = page.locator('.calendar .day a[href="/app/customers/' + customerId + '"]');
  assert.match(await link.textContent(), /^09:30/);
  await shot('17-calendar-month');
  await page.click('.cal-nav a:has-text("周")');
  assert.ok(await page.isVisible('.calendar.week a[href="/app/customers/' + customerId + '"]'));
  assert.equal(await page.locator('.calendar.week .day').count(), 7);
});

test('friendly error pages: 404 for a missing record, in the frame', async () => {
  const res = await page.goto(BASE + '/app/customers/99999999');
  assert.equal(res.status(), 404);
  assert.equal(await page.textContent('.error-page h1'), '页面不存在');
  assert.ok(await page.isVisible('.sidenav'), 'the navigation is still there');
  const res2 = await page.goto(BASE + '/app/no_such_thing');
  assert.equal(res2.status(), 404);
  await shot('18-not-found');
});

test('sorts by a header, chooses columns and exports what the list shows', async () => {
  await page.goto(BASE + '/app/customers?scene=all');
  await Promise.all([page.waitForNavigation(), page.click('th.sortable a:has-text("客户名称")')]);
  assert.equal(new URL(page.url()).searchParams.get('sort'), 'name');
  assert.equal(await page.getAttribute('th.sortable:has-text("客户名称")', 'aria-sort'), 'ascending');
  const names = await page.$$eval('td[data-label="客户名称"]', (tds) => tds.map((t) => t.textContent.trim()));
  assert.deepEqual(names, [...names].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)), 'ascending by name');
  await page.click('.cols-menu summary');
  await page.uncheck('.cols-form input[value=industry_id]');
  await page.check('.cols-form input[value=credit_limit]');
  await Promise.all([page.waitForNavigation(), page.click('.cols-form button[type=submit]')]);
  assert.equal(await page.locator('th:has-text("所属行业")').count(), 0);
  assert.equal(await page.locator('th.num:has-text("信用额度")').count(), 1, 'money is a right-aligned column');
  const href = await page.getAttribute('a[download]:has-text("导出 CSV")', 'href');
  const csv = await context.request.get(BASE + href);
  assert.equal(csv.status(), 200);
  const text = await csv.text();
  assert.ok(text.includes(customerName), 'the export holds the listed customers');
  await shot('19-columns-sorted');
});

test('a sales rep sees only their modules, changes their password and logs out', async () => {
  const roles = await api('GET', '/api/v1/roles?code=sales_rep');
  const roleId = roles.body.data[0].id;
  const u = await api('POST', '/api/v1/users', { username: 'e2e_rep2', name: '赵代表', password: 'E2e-rep2-pass-1', role_ids: [roleId] });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  const rep = await lib.newContext(browser);
  const p = await rep.newPage();
  watch(p);
  await p.goto(BASE + '/login');
  await p.fill('input[name=username]', 'e2e_rep2');
  await p.fill('input[name=password]', 'E2e-rep2-pass-1');
  await Promise.all([p.waitForNavigation(), p.click('button[type=submit]')]);
  const nav = await p.$$eval('.sidenav .nav-text', (n) => n.map((x) => x.textContent));
  assert.ok(nav.includes('客户') && !nav.includes('角色'), 'no settings for a rep: ' + nav.join(','));
  await p.goto(BASE + '/app/customers');
  assert.equal(await p.textContent('.scenes a.on'), '我负责的', 'reps start on their own records');
  await p.goto(BASE + '/app/password');
  await p.fill('input[name=current_password]', 'not-my-password');
  await p.fill('input[name=new_password]', 'E2e-rep2-pass-2');
  await p.fill('input[name=confirm_password]', 'E2e-rep2-pass-2');
  await Promise.all([p.waitForNavigation(), p.click('.form-actions button[type=submit]')]);
  assert.equal(await p.textContent('.has-error .field-error'), '当前密码不正确');
  await p.fill('input[name=current_password]', 'E2e-rep2-pass-1');
  await p.fill('input[name=new_password]', 'E2e-rep2-pass-2');
  await p.fill('input[name=confirm_password]', 'E2e-rep2-pass-2');
  await Promise.all([p.waitForNavigation(), p.click('.form-actions button[type=submit]')]);
  assert.match(await p.textContent('.flash'), /密码已修改/);
  await p.screenshot({ path: path.join(ART, '20-rep-password-changed.png') });
  await p.click('.user-menu summary');
  await Promise.all([p.waitForNavigation(), p.click('.user-menu button:has-text("退出登录")')]);
  assert.match(p.url(), /\/login$/);
  assert.match(await p.textContent('.flash'), /您已退出登录/);
  await p.goto(BASE + '/app/customers');
  assert.match(p.url(), /\/login\?next=/, 'the session is gone');
  await p.fill('input[name=username]', 'e2e_rep2');
  await p.fill('input[name=password]', 'E2e-rep2-pass-2');
  await Promise.all([p.waitForNavigation(), p.click('button[type=submit]')]);
  assert.equal(await p.textContent('h1'), '客户', 'the new password works');
  await rep.close();
});

test('switches the language: Chinese labels, then English, then back', async () => {
  await page.goto(BASE + '/app/customers');
  assert.equal(await page.textContent('.sidenav a[href="/app/customers"] .nav-text'), '客户');
  await page.click('.user-menu summary');
  await Promise.all([page.waitForNavigation(), page.click('.lang-switch button[value=en]')]);
  await page.waitForSelector('.sidenav a[href="/app/customers"] .nav-text:text("Customers")');
  assert.equal(await page.textContent('h1'), 'Customers');
  assert.equal(await page.textContent('.scenes a.on'), 'All');
  await shot('21-english');
  await page.click('.user-menu summary');
  await Promise.all([page.waitForNavigation(), page.click('.lang-switch button[value=zh]')]);
  await page.waitForSelector('.sidenav a[href="/app/customers"] .nav-text:text("客户")');
  assert.equal(await page.textContent('h1'), '客户');
});

test('pages fit a 360 px wide phone without horizontal scrolling', async () => {
  const phone = await browser.newContext({
    viewport: { width: 360, height: 740 }, locale: 'zh-CN', storageState: await context.storageState(),
    isMobile: true, hasTouch: true
  });
  const p = await phone.newPage();
  watch(p);
  for (const [url, name] of [['/app/customers', '22-phone-list'], ['/app/customers/' + customerId, '23-phone-detail'],
    ['/app/customers/new', '24-phone-form'], ['/', '25-phone-home'], ['/app/customers/board/level', '26-phone-kanban']]) {
    await p.goto(BASE + url);
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, url + ': scrollWidth ' + width + ' > 360');
    await p.screenshot({ path: path.join(ART, name + '.png') });
  }
  // the navigation is a drawer
  await p.goto(BASE + '/app/customers');
  const navRight = async () => { const b = await p.locator('#sidenav').boundingBox(); return b.x + b.width; };
  assert.ok(await navRight() <= 0, 'the drawer starts closed, off screen');
  await p.click('[data-nav-toggle]');
  await p.waitForFunction(() => document.getElementById('sidenav').getBoundingClientRect().left >= 0);
  assert.ok(await navRight() > 200, 'the drawer is open');
  await p.screenshot({ path: path.join(ART, '27-phone-drawer.png') });
  await phone.close();
});

test('no Content-Security-Policy violations or script errors happened', () => {
  assert.deepEqual(cspViolations, []);
  assert.deepEqual(pageErrors, []);
});
