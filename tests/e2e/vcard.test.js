// vcard.test.js — the vCards Guanxi writes parse with a real parser
// (ical.js, which reads vCard 3.0 and 4.0) and carry the stored values:
// long folded lines, commas, semicolons, newlines, Chinese text. Run by
// tests/e2e/run.sh against its server (plain HTTP, no browser).
'use strict';
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const ICAL = require('ical.js');
const lib = require('./lib');
const { BASE, PASS } = lib;

let token;

async function api(method, url, body) {
  const res = await fetch(BASE + url, {
    method,
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  return res;
}

before(async () => {
  const res = await fetch(BASE + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: process.env.GX_USER || 'admin', password: PASS })
  });
  token = (await res.json()).token;
  assert.ok(token);
});

/* Parse one or more vCards; returns the ICAL.Component list. */
function parse(text) {
  const jcal = ICAL.parse(text);
  const list = Array.isArray(jcal[0]) ? jcal : [jcal];
  return list.map((j) => new ICAL.Component(j));
}

test('a contact as vCard 3.0 and 4.0 parses with ical.js and keeps its values', async () => {
  const tag = String(Date.now()).slice(-7);
  const cust = await (await api('POST', '/api/v1/customers', { name: '北京测试' + tag + '有限公司' })).json();
  const notes = '第一行; 第二行, with comma\n' + '很长的备注'.repeat(20);
  const made = await (await api('POST', '/api/v1/contacts', {
    name: '欧阳' + tag, customer_id: cust.id, title: '采购经理, 华北区', mobile: '13800138000',
    phone: '010-8888 6666', email: 'oy' + tag + '@example.com', birthday: '1985-06-07', notes
  })).json();
  for (const version of ['3', '4']) {
    const res = await api('GET', '/api/v1/contacts/' + made.id + '/vcard?version=' + version);
    assert.equal(res.status, 200);
    const text = await res.text();
    for (const line of text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, line);
    const [card] = parse(text);
    assert.equal(card.name, 'vcard');
    assert.equal(card.getFirstPropertyValue('version'), version + '.0');
    assert.equal(card.getFirstPropertyValue('fn'), '欧阳' + tag);
    assert.equal(card.getFirstPropertyValue('title'), '采购经理, 华北区');
    assert.equal(card.getFirstPropertyValue('note'), notes);
    assert.equal(card.getFirstPropertyValue('email'), 'oy' + tag + '@example.com');
    assert.deepEqual(card.getFirstProperty('org').getValues().flat(), ['北京测试' + tag + '有限公司']);
    const tels = card.getAllProperties('tel').map((p) => String(p.getFirstValue()).replace(/^tel:/, ''));
    assert.deepEqual(tels.sort(), ['+861088886666', '+8613800138000']);
    const bday = String(card.getFirstPropertyValue('bday'));
    assert.match(bday, /^1985-?06-?07/);
  }
  const list = await api('GET', '/api/v1/contacts/export?format=vcf&vcard_version=4&name=' + encodeURIComponent('欧阳' + tag));
  assert.equal(list.status, 200);
  const cards = parse(await list.text());
  assert.equal(cards.length, 1);
  assert.equal(cards[0].getFirstPropertyValue('fn'), '欧阳' + tag);
});
