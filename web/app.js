/* app.js — the small amount of script the server-rendered pages need.
 * Loaded with `defer` on every page; no inline scripts anywhere (strict CSP).
 * Each feature looks for its data- attribute and does nothing without it. */
(function () {
  'use strict';

  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';

  /* ---------- htmx: CSRF header on every request ---------- */
  document.addEventListener('htmx:configRequest', function (e) {
    if (csrf) e.detail.headers['X-CSRF-Token'] = csrf;
  });
  /* show error fragments (4xx/5xx) instead of ignoring them */
  document.addEventListener('htmx:beforeSwap', function (e) {
    var s = e.detail.xhr.status;
    if (s >= 400 && s !== 401 && e.detail.xhr.responseText) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  function on(type, selector, fn) {
    document.addEventListener(type, function (e) {
      var el = e.target.closest ? e.target.closest(selector) : null;
      if (el) fn(e, el);
    });
  }

  /* ---------- navigation: drawer on phones, collapsible on wide screens ---------- */
  var narrow = window.matchMedia('(max-width: 768px)');
  on('click', '[data-nav-toggle]', function () {
    if (narrow.matches) {
      document.body.classList.toggle('nav-open');
    } else {
      var c = document.body.classList.toggle('nav-collapsed');
      document.cookie = 'gx_nav=' + (c ? 'collapsed' : 'open') + '; path=/; max-age=31536000; samesite=lax';
    }
  });
  on('click', '[data-nav-close]', function () { document.body.classList.remove('nav-open'); });
  /* print buttons (receipts) */
  on('click', '[data-print]', function () { window.print(); });
  /* day view: a free run is one button ("resource-first-end", half hours);
   * a pointer click also says which half hour of the run was clicked, so the
   * booking form starts there (keyboard: the run's first half hour) */
  document.querySelectorAll('.day-grid td.free[colspan] > button').forEach(function (b) {
    b.style.backgroundSize = (100 / b.parentNode.colSpan) + '% 100%';
  });
  on('click', '.day-grid td.free button', function (e, b) {
    var at = document.querySelector('#slotf input[name=at]');
    if (!at) return;
    var p = b.value.split('-'), first = +p[1], end = +p[2], box = b.getBoundingClientRect();
    at.value = e.detail && box.width > 0
      ? String(Math.min(end - 1, first + Math.floor((e.clientX - box.left) / box.width * (end - first)))) : '';
  });

  /* ---------- menus (<details class="menu">) ---------- */
  document.addEventListener('click', function (e) {
    document.querySelectorAll('details.menu[open]').forEach(function (d) {
      if (!d.contains(e.target)) d.removeAttribute('open');
    });
    document.querySelectorAll('.search-pop, .link-options').forEach(function (p) {
      if (!p.parentNode.contains(e.target)) p.innerHTML = '';
    });
  });
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    document.querySelectorAll('details.menu[open]').forEach(function (d) { d.removeAttribute('open'); });
    document.querySelectorAll('.search-pop, .link-options').forEach(function (p) { p.innerHTML = ''; });
    document.body.classList.remove('nav-open');
  });

  /* ---------- confirmations, dismissals, toggles ---------- */
  on('click', 'button[data-confirm]', function (e, b) {
    if (!window.confirm(b.getAttribute('data-confirm'))) e.preventDefault();
  });
  document.addEventListener('submit', function (e) {
    var f = e.target;
    if (f.hasAttribute('data-confirm') && !window.confirm(f.getAttribute('data-confirm'))) e.preventDefault();
    if (f.classList.contains('lang-switch')) f.querySelector('[name="back"]').value = location.pathname + location.search;
  });
  on('click', '[data-dismiss]', function (e, b) { b.parentNode.remove(); });
  on('click', '[data-toggle]', function (e, b) {
    var t = document.getElementById(b.getAttribute('data-toggle'));
    if (!t) return;
    t.hidden = !t.hidden;
    b.setAttribute('aria-expanded', t.hidden ? 'false' : 'true');
  });

  /* ---------- list: row selection and the bulk bar ---------- */
  function selected() {
    return Array.prototype.slice.call(document.querySelectorAll('input[name="ids"]:checked'));
  }
  function bulkUpdate() {
    var bar = document.querySelector('[data-bulk]');
    if (!bar) return;
    var ids = selected().map(function (c) { return c.value; });
    bar.hidden = ids.length === 0;
    var count = bar.querySelector('[data-bulk-count]');
    if (count) count.textContent = count.getAttribute('data-template').replace('%n', ids.length);
    var exp = bar.querySelector('[data-export-selected]');
    if (exp) {
      var base = exp.getAttribute('href').split('&id')[0];
      exp.setAttribute('href', base + '&id%5Bin%5D=' + ids.join(','));
    }
    document.querySelectorAll('input[name="ids"]').forEach(function (c) {
      var tr = c.closest('tr');
      if (tr) tr.classList.toggle('selected', c.checked);
    });
  }
  on('change', 'input[name="ids"]', bulkUpdate);
  on('change', '[data-select-all]', function (e, all) {
    document.querySelectorAll('input[name="ids"]').forEach(function (c) { c.checked = all.checked; });
    bulkUpdate();
  });
  on('click', '[data-bulk-clear]', function () {
    document.querySelectorAll('input[name="ids"], [data-select-all]').forEach(function (c) { c.checked = false; });
    bulkUpdate();
  });

  /* ---------- link fields: search as you type ---------- */
  on('click', '[data-option]', function (e, opt) {
    e.preventDefault();
    var box = opt.closest('[data-link-search]');
    box.querySelector('[data-link-value]').value = opt.getAttribute('data-id');
    var text = box.querySelector('[data-link-text]');
    text.value = opt.getAttribute('data-label');
    text.setAttribute('data-picked', text.value); /* no search for the text just picked */
    var label = box.querySelector('[data-link-label]');
    if (label) label.value = opt.getAttribute('data-label');
    opt.closest('.link-options').innerHTML = '';
    text.dispatchEvent(new Event('change', { bubbles: true }));
  });
  on('input', '[data-link-text]', function (e, text) {
    if (text.value === '') {
      var box = text.closest('[data-link-search]');
      box.querySelector('[data-link-value]').value = '';
      var label = box.querySelector('[data-link-label]');
      if (label) label.value = '';
    }
  });
  /* the line editor of quotes and orders (sales_docs.c) recomputes on every
   * change inside it: a product search box changes only when a product is
   * picked, not when it loses focus with half-typed text (that would swap the
   * editor away under the option being clicked) */
  document.addEventListener('change', function (e) {
    var t = e.target;
    if (t.matches && t.matches('.lines-editor [data-link-text]') && t.value !== t.getAttribute('data-picked')) e.stopPropagation();
  }, true);
  document.addEventListener('htmx:beforeRequest', function (e) {
    var elt = e.detail.elt;
    if (elt.hasAttribute && elt.hasAttribute('data-link-text') && elt.value === elt.getAttribute('data-picked')) e.preventDefault();
  });
  /* a parent field ("related to"): the type select chooses the entity searched */
  on('change', '[data-parent-type]', function (e, sel) {
    var box = sel.parentNode.querySelector('[data-link-search]');
    var text = box.querySelector('[data-link-text]');
    box.querySelector('[data-link-value]').value = '';
    text.value = '';
    text.disabled = !sel.value;
    if (sel.value) {
      text.setAttribute('hx-get', '/app/' + sel.value + '/options');
      if (window.htmx) window.htmx.process(text);
    }
  });

  /* ---------- filter builder ---------- */
  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') n.textContent = attrs[k];
      else if (k === 'value') n.value = attrs[k];
      else n.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (k) { if (k) n.appendChild(k); });
    return n;
  }

  /* yuan text -> fen integer, exactly (no floating point) */
  function yuanToFen(s) {
    s = String(s).replace(/[,\s¥￥]/g, '');
    var m = /^(-?)(\d+)(?:\.(\d{0,2}))?$/.exec(s);
    if (!m) return null;
    var frac = ((m[3] || '') + '00').slice(0, 2);
    var v = parseInt(m[2] + frac, 10);
    return m[1] ? -v : v;
  }
  function fenToYuan(v) {
    var n = Math.abs(parseInt(v, 10) || 0), s = String(n);
    while (s.length < 3) s = '0' + s;
    return (v < 0 ? '-' : '') + s.slice(0, -2) + '.' + s.slice(-2);
  }

  function initFilterBuilder(root) {
    var fields = JSON.parse(root.getAttribute('data-fields'));
    var t = JSON.parse(root.getAttribute('data-i18n'));
    var me = parseInt(root.getAttribute('data-me'), 10);
    var tz = parseInt(root.getAttribute('data-tz'), 10) || 0;
    var form = root.closest('form');
    var hidden = form.querySelector('input[name="filter"]');
    var byName = {};
    fields.forEach(function (f) { byName[f.name] = f; });

    function opsFor(f) {
      switch (f.type) {
        case 'int': case 'decimal': case 'money': case 'percent': case 'date': case 'datetime':
          return ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'null'];
        case 'enum': case 'link': return ['eq', 'ne', 'in', 'null'];
        case 'bool': return ['eq', 'null'];
        case 'multi_enum': return ['like', 'null'];
        default: return ['eq', 'ne', 'like', 'in', 'null'];
      }
    }
    function tzSuffix() {
      var a = Math.abs(tz), h = Math.floor(a / 3600), m = Math.floor(a % 3600 / 60);
      return (tz < 0 ? '-' : '+') + (h < 10 ? '0' : '') + h + ':' + (m < 10 ? '0' : '') + m;
    }

    function parse(node) {
      if (!node) return { kind: 'group', op: 'and', items: [] };
      if (node.and || node.or) {
        var op = node.and ? 'and' : 'or';
        return { kind: 'group', op: op, items: (node[op] || []).map(parse) };
      }
      return { kind: 'cond', field: node.field, op: node.op || 'eq', value: node.value };
    }

    function valueInput(c) {
      var f = byName[c.field] || fields[0];
      var wrap = el('span', { class: 'fb-value' });
      if (c.op === 'null') {
        var s = el('select', { 'aria-label': t.value }, [
          el('option', { value: 'true', text: t.empty }), el('option', { value: 'false', text: t.notempty })]);
        s.value = c.value === false || c.value === 'false' ? 'false' : 'true';
        s.addEventListener('change', function () { c.value = s.value === 'true'; });
        c.value = s.value === 'true';
        wrap.appendChild(s);
        return wrap;
      }
      if ((f.type === 'enum' || f.type === 'multi_enum') && f.options) {
        var multi = c.op === 'in';
        var sel = el('select', { 'aria-label': t.value });
        if (multi) sel.multiple = true;
        f.options.forEach(function (o) { sel.appendChild(el('option', { value: o.value, text: o.label })); });
        var cur = Array.isArray(c.value) ? c.value : (c.value == null ? [] : [c.value]);
        Array.prototype.forEach.call(sel.options, function (o) { o.selected = cur.indexOf(o.value) >= 0; });
        function read() {
          var vals = Array.prototype.filter.call(sel.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
          c.value = multi ? vals : (vals[0] || f.options[0].value);
        }
        if (!multi && !cur.length) sel.selectedIndex = 0;
        read();
        sel.addEventListener('change', read);
        wrap.appendChild(sel);
        return wrap;
      }
      if (f.type === 'bool') {
        var b = el('select', { 'aria-label': t.value }, [
          el('option', { value: 'true', text: t.yes }), el('option', { value: 'false', text: t.no })]);
        b.value = c.value === false || c.value === 'false' ? 'false' : 'true';
        c.value = b.value === 'true';
        b.addEventListener('change', function () { c.value = b.value === 'true'; });
        wrap.appendChild(b);
        return wrap;
      }
      if (f.type === 'link' && c.op !== 'in') {
        var box = el('span', { class: 'link-search', 'data-link-search': '' });
        var hid = el('input', { type: 'hidden', 'data-link-value': '', value: c.value == null ? '' : String(c.value) });
        var txt = el('input', {
          type: 'search', autocomplete: 'off', placeholder: t.search, 'aria-label': t.value, 'data-link-text': '',
          name: 'q', 'hx-get': '/app/' + f.target + '/options', 'hx-trigger': 'input changed delay:200ms, focus',
          'hx-target': 'next .link-options'
        });
        if (c.value != null && c.value !== '') txt.value = (parseInt(c.value, 10) === me ? t.me : '#' + c.value);
        var opts = el('span', { class: 'link-options', role: 'listbox' });
        box.appendChild(hid); box.appendChild(txt); box.appendChild(opts);
        txt.addEventListener('change', function () { c.value = hid.value ? parseInt(hid.value, 10) : null; });
        if (f.target === 'users') {
          var mine = el('button', { type: 'button', class: 'btn small', text: t.me });
          mine.addEventListener('click', function () { hid.value = String(me); txt.value = t.me; c.value = me; });
          wrap.appendChild(mine);
        }
        wrap.appendChild(box);
        if (window.htmx) setTimeout(function () { window.htmx.process(box); }, 0);
        return wrap;
      }
      var type = f.type === 'date' || f.type === 'datetime' ? 'date' : 'text';
      var shown = c.value;
      if (Array.isArray(shown)) shown = shown.join(',');
      if (f.type === 'money' && shown != null && shown !== '' && c.op !== 'in') shown = fenToYuan(shown);
      if (f.type === 'datetime' && typeof shown === 'string') shown = shown.slice(0, 10);
      var inp = el('input', { type: type, 'aria-label': t.value, placeholder: c.op === 'in' ? t.comma : t.value });
      if (f.type === 'money' || f.type === 'int' || f.type === 'decimal' || f.type === 'percent') inp.setAttribute('inputmode', 'decimal');
      inp.value = shown == null ? '' : String(shown);
      function readText() {
        var v = inp.value.trim();
        if (c.op === 'in') {
          c.value = v.split(',').map(function (x) { return x.trim(); }).filter(Boolean).map(function (x) {
            if (f.type === 'int' || f.type === 'link') return parseInt(x, 10);
            if (f.type === 'money') return yuanToFen(x);
            return x;
          });
          return;
        }
        if (f.type === 'money') c.value = yuanToFen(v);
        else if (f.type === 'int') c.value = v === '' ? null : parseInt(v, 10);
        else if (f.type === 'datetime') c.value = v ? v + 'T00:00:00' + tzSuffix() : '';
        else c.value = v;
      }
      readText();
      inp.addEventListener('input', readText);
      wrap.appendChild(inp);
      return wrap;
    }

    function condRow(c, parent) {
      var row = el('div', { class: 'fb-cond' });
      var fsel = el('select', { 'aria-label': 'field' });
      fields.forEach(function (f) { fsel.appendChild(el('option', { value: f.name, text: f.label })); });
      if (!byName[c.field]) c.field = fields[0].name;
      fsel.value = c.field;
      var osel = el('select', { 'aria-label': 'operator' });
      function fillOps() {
        osel.innerHTML = '';
        var ops = opsFor(byName[c.field]);
        ops.forEach(function (o) { osel.appendChild(el('option', { value: o, text: t[o] })); });
        if (ops.indexOf(c.op) < 0) c.op = ops[0];
        osel.value = c.op;
      }
      fillOps();
      var val = valueInput(c);
      function redrawValue() { var n = valueInput(c); row.replaceChild(n, val); val = n; }
      fsel.addEventListener('change', function () { c.field = fsel.value; c.value = null; fillOps(); redrawValue(); });
      osel.addEventListener('change', function () { c.op = osel.value; c.value = null; redrawValue(); });
      var rm = el('button', { type: 'button', class: 'btn small', 'aria-label': t.remove, title: t.remove, text: '×' });
      rm.addEventListener('click', function () { parent.items.splice(parent.items.indexOf(c), 1); render(); });
      row.appendChild(fsel); row.appendChild(osel); row.appendChild(val); row.appendChild(rm);
      return row;
    }

    function groupBox(g, parent, depth) {
      var box = el('fieldset', { class: 'fb-group' + (depth ? ' nested' : '') });
      var head = el('div', { class: 'fb-head' });
      var op = el('select', { 'aria-label': 'and/or', 'data-fb-op': '' }, [
        el('option', { value: 'and', text: t.and }), el('option', { value: 'or', text: t.or })]);
      op.value = g.op;
      op.addEventListener('change', function () { g.op = op.value; });
      head.appendChild(op);
      if (parent) {
        var rm = el('button', { type: 'button', class: 'btn small', text: t.remove });
        rm.addEventListener('click', function () { parent.items.splice(parent.items.indexOf(g), 1); render(); });
        head.appendChild(rm);
      }
      box.appendChild(head);
      g.items.forEach(function (it) {
        box.appendChild(it.kind === 'group' ? groupBox(it, g, depth + 1) : condRow(it, g));
      });
      var add = el('button', { type: 'button', class: 'btn small', 'data-fb-add': '', text: t.add });
      add.addEventListener('click', function () { g.items.push({ kind: 'cond', field: fields[0].name, op: 'eq', value: null }); render(); });
      var actions = el('div', { class: 'fb-actions' }, [add]);
      if (depth < 3) {
        var sub = el('button', { type: 'button', class: 'btn small', 'data-fb-group': '', text: t.group });
        sub.addEventListener('click', function () {
          g.items.push({ kind: 'group', op: g.op === 'and' ? 'or' : 'and', items: [{ kind: 'cond', field: fields[0].name, op: 'eq', value: null }] });
          render();
        });
        actions.appendChild(sub);
      }
      box.appendChild(actions);
      return box;
    }

    function toJSON(n) {
      if (n.kind === 'cond') {
        if (n.op !== 'null' && (n.value === null || n.value === '' || (Array.isArray(n.value) && !n.value.length))) return null;
        return { field: n.field, op: n.op, value: n.value };
      }
      var items = n.items.map(toJSON).filter(Boolean);
      if (!items.length) return null;
      var o = {};
      o[n.op] = items;
      return o;
    }

    var tree = parse(hidden.value ? JSON.parse(hidden.value) : null);
    if (tree.kind !== 'group') tree = { kind: 'group', op: 'and', items: [tree] };
    if (!tree.items.length) tree.items.push({ kind: 'cond', field: fields[0].name, op: 'eq', value: null });
    function render() {
      root.innerHTML = '';
      root.appendChild(groupBox(tree, null, 0));
    }
    render();
    form.addEventListener('submit', function () {
      var j = toJSON(tree);
      hidden.value = j ? JSON.stringify(j) : '';
      if (!j) hidden.disabled = true;
    });
  }

  /* ---------- kanban ---------- */
  function initKanban(board) {
    if (!window.Sortable) return;
    var moveUrl = board.getAttribute('data-move-url');
    function adjust(col, dCount, dAmount) {
      var c = col.querySelector('[data-col-count]');
      if (c) c.textContent = String((parseInt(c.getAttribute('data-n'), 10) || 0) + dCount);
      if (c) c.setAttribute('data-n', c.textContent);
      var s = col.querySelector('[data-col-sum]');
      if (s && dAmount) {
        var fen = (parseInt(s.getAttribute('data-fen'), 10) || 0) + dAmount;
        s.setAttribute('data-fen', String(fen));
        var y = fenToYuan(fen), parts = y.split('.');
        s.textContent = '¥' + parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '.' + parts[1];
      }
    }
    board.querySelectorAll('[data-cards]').forEach(function (list) {
      window.Sortable.create(list, {
        group: 'kanban', animation: 150, ghostClass: 'ghost', dragClass: 'dragging',
        onAdd: function (evt) {
          var card = evt.item, to = evt.to.closest('[data-value]'), from = evt.from.closest('[data-value]');
          var amount = parseInt(card.getAttribute('data-amount'), 10) || 0;
          var body = new URLSearchParams();
          body.set('id', card.getAttribute('data-id'));
          body.set('version', card.getAttribute('data-version'));
          body.set('value', to.getAttribute('data-value'));
          // A column that asks for a field (the reason of a won or lost deal):
          // no answer, no move.
          if (to.hasAttribute('data-ask')) {
            var said = window.prompt(to.getAttribute('data-ask-label') || '', '');
            if (said === null || !said.trim()) {
              evt.from.insertBefore(card, evt.from.children[evt.oldIndex] || null);
              return;
            }
            body.set('ask', said.trim());
          }
          adjust(from, -1, -amount); adjust(to, 1, amount);
          card.classList.add('saving');
          fetch(moveUrl, {
            method: 'POST', credentials: 'same-origin',
            headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/x-www-form-urlencoded' },
            body: body.toString()
          }).then(function (res) {
            return res.json().then(function (j) { return { ok: res.ok, j: j }; });
          }).then(function (r) {
            card.classList.remove('saving');
            if (!r.ok) throw new Error((r.j.error && r.j.error.message) || 'error');
            card.setAttribute('data-version', String(r.j.version));
          }).catch(function (err) {
            card.classList.remove('saving');
            evt.from.insertBefore(card, evt.from.children[evt.oldIndex] || null);
            adjust(from, 1, amount); adjust(to, -1, -amount);
            var msg = board.querySelector('[data-board-error]');
            if (msg) { msg.hidden = false; msg.querySelector('span').textContent = err.message; }
          });
        }
      });
    });
  }

  /* ---------- address cascade: province -> city -> district ---------- */
  // The selects are rendered with their options by the server; on a change
  // the lower levels are refilled from the division list (divisions.json).
  var divisions = null;
  function withDivisions(url, fn) {
    if (divisions) return fn(divisions);
    fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.json(); })
      .then(function (d) { divisions = d.p; fn(divisions); });
  }
  function fillSelect(sel, names) {
    var first = sel.options[0];
    sel.textContent = '';
    sel.appendChild(first);
    names.forEach(function (n) {
      var o = document.createElement('option');
      o.textContent = n;
      sel.appendChild(o);
    });
    sel.value = '';
    sel.disabled = names.length === 0;
  }
  document.addEventListener('change', function (ev) {
    var sel = ev.target;
    if (!sel.matches || !sel.matches('select[data-division]')) return;
    var box = sel.closest('[data-divisions]');
    var level = sel.getAttribute('data-division');
    if (!box || level === 'district') return;
    var province = box.querySelector('select[data-division=province]');
    var city = box.querySelector('select[data-division=city]');
    var district = box.querySelector('select[data-division=district]');
    withDivisions(box.getAttribute('data-divisions'), function (d) {
      var cities = d[province.value] || {};
      if (level === 'province') {
        fillSelect(city, Object.keys(cities));
        // municipalities have a single city: choose it
        if (city.options.length === 2) city.value = city.options[1].value;
      }
      fillSelect(district, cities[city.value] || []);
    });
  });

  /* ---------- charts (ECharts is only loaded on pages that have one) ---------- */
  function initChart(node) {
    if (!window.echarts) return;
    var d = JSON.parse(node.getAttribute('data-chart'));
    var accent = getComputedStyle(document.documentElement).getPropertyValue('--accent').trim() || '#1f6feb';
    var chart = window.echarts.init(node, null, { renderer: 'canvas' });
    // several series (e.g. target and actual): d.series = [{name, values}], with a legend
    var colors = [accent, '#1a7f37', '#9a5b00', '#6f3fb3'];
    var series = d.series ? d.series.map(function (x, i) {
      return { type: d.type || 'bar', name: x.name, data: x.values, itemStyle: { color: colors[i % colors.length] }, barMaxWidth: 48 };
    }) : [{ type: d.type || 'bar', name: d.name, data: d.values, itemStyle: { color: accent }, barMaxWidth: 48 }];
    chart.setOption({
      animationDuration: 300,
      grid: { left: 56, right: 16, top: d.series ? 32 : 16, bottom: 32 },
      tooltip: { trigger: 'axis' },
      legend: d.series ? { top: 0 } : undefined,
      xAxis: { type: 'category', data: d.labels, axisLabel: { interval: 0 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: series
    });
    window.addEventListener('resize', function () { chart.resize(); });
  }

  function init() {
    document.querySelectorAll('[data-filter-builder]').forEach(initFilterBuilder);
    document.querySelectorAll('[data-kanban]').forEach(initKanban);
    document.querySelectorAll('[data-chart]').forEach(initChart);
    bulkUpdate();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
