// lib.js — what the browser tests share: where the server is and the
// admin's password (run.sh sets GX_BASE and GX_PASS), Chromium, JSON API
// calls with a token or with a page's session, screenshots, and the waits
// for htmx. Each *.test.js keeps its own state (browser, page, ids).
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const { chromium } = require('playwright-core');

const BASE = process.env.GX_BASE || 'http://127.0.0.1:8080';
const USER = process.env.GX_USER || 'admin';
const PASS = process.env.GX_PASS;
const ART = path.join(__dirname, 'artifacts');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

/* Debian's Chromium, headless. */
async function launch() {
  assert.ok(PASS, 'GX_PASS must be set (run tests/e2e/run.sh)');
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
}

/* A browser context in Chinese, 1280 × 860 unless told otherwise; other
 * options (acceptDownloads …) pass through. */
function newContext(browser, { width = 1280, height = 860, ...rest } = {}) {
  return browser.newContext({ viewport: { width, height }, locale: 'zh-CN', ...rest });
}

/* JSON API call with a Bearer token (or none). A body that is not JSON
 * comes back as text. */
async function call(token, method, url, body) {
  const res = await fetch(BASE + url, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  const text = await res.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = text; }
  return { status: res.status, body: parsed };
}

/* A token of username (the login must succeed). */
async function token(username, password) {
  const r = await call(null, 'POST', '/api/v1/auth/login', { username, password });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.token;
}

/* The body of r, which must have the status given. */
function ok(r, status) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}

/* The id of a record r created (201). */
async function created(r) {
  return ok(r, 201).id;
}

/* JSON API call with a page's browser session (cookie + CSRF header). */
async function sessionCall(page, method, url, body) {
  const csrf = await page.getAttribute('meta[name="csrf-token"]', 'content');
  const res = await page.context().request.fetch(BASE + url, {
    method, headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' },
    data: body === undefined ? undefined : JSON.stringify(body)
  });
  const text = await res.text();
  return { status: res.status(), body: text ? JSON.parse(text) : null };
}

/* A new page of a new context, logged in through the login form. */
async function loginPage(browser, username, password, contextOptions) {
  const context = await newContext(browser, contextOptions);
  const page = await context.newPage();
  await page.goto(BASE + '/login');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(BASE + '/'), page.click('button[type=submit]')]);
  return page;
}

/* A full-page screenshot in tests/e2e/artifacts/NAME.png. */
async function screenshot(page, name) {
  await page.screenshot({ path: path.join(ART, name + '.png'), fullPage: true });
}

/* Collect a page's script errors and Content-Security-Policy refusals. */
function watch(page, pageErrors, cspViolations) {
  page.on('console', (m) => {
    if (cspViolations && /Content Security Policy|Refused to (execute|apply|load)/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
}

/* A business day (UTC+8) offset days from today, YYYY-MM-DD. */
function bizDay(offset) {
  const t = new Date(Date.now() + 8 * 3600 * 1000 + offset * 86400 * 1000);
  return t.toISOString().slice(0, 10);
}

/* No htmx request in flight or swap settling. */
async function settled(page) {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping, .htmx-added'));
}

/* Type into a cell and leave it: the editor recomputes (wait for it). */
async function typeInto(page, input, value) {
  await page.fill(input, value);
  await page.locator(input).dispatchEvent('change');
  await settled(page);
}

/* Pick a record in a link search widget: type, then click the option. */
async function pick(page, input, text) {
  await page.fill(input, text);
  const option = page.locator(input + ' ~ .link-options [data-option][data-label="' + text + '"]');
  await option.waitFor();
  await option.click();
  await settled(page);
}

/* The figure shown in [data-fig=key]. */
async function figure(page, key) {
  return (await page.textContent(`[data-fig="${key}"] strong`)).trim();
}

/* Drag a card onto a board column with small mouse steps (SortableJS
 * follows the pointer); resolves when the mouse is released. */
async function drag(page, card, column) {
  const a = await card.boundingBox();
  const b = await page.locator(column + ' [data-cards]').boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + 12, { steps: 12 });
  await page.mouse.up();
}

module.exports = {
  BASE, USER, PASS, ART, launch, newContext, call, token, ok, created, sessionCall, loginPage, screenshot, watch,
  bizDay, settled, typeInto, pick, figure, drag
};
