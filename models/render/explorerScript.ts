/*
 * The chart page's inline script (no library, nothing fetched): pan (drag), zoom (wheel, buttons)
 * and fit-to-screen on each chart's SVG viewBox; a search box that marks the states and events
 * whose text matches and jumps to them (Enter); and the trace player: one lane per node (a step's
 * `lane`, else its machine), every lane's current state outlined in the lane's colour, the current
 * step's states in blue, the chart transitions it took (`transitions`) drawn as the taken edge, the
 * steps as a swimlane table (time runs down, one column per lane, each row headed by the scenario
 * step it belongs to), and violating steps marked red, in the table and on the chart.
 */
export const EXPLORER_SCRIPT = `
(function () {
  function byId(id) { return document.getElementById(id); }
  var trace = JSON.parse(byId('trace-data').textContent || '[]');
  var edgeIds = JSON.parse(byId('edge-ids').textContent || '{}');
  var index = 0;
  var pos = byId('step-pos'), info = byId('step-info'), list = byId('steps'), lanesBox = byId('lanes'), violationBox = byId('step-violation');
  function idOf(machine, state) { return 'st_' + (machine + '.' + state).replace(/[^A-Za-z0-9_.]/g, '_'); }
  function statesOf(step) { return Array.isArray(step.state) ? step.state : [step.state]; }
  function laneOf(step) { return step.lane || step.machine; }

  /* Pan and zoom: each chart's viewBox; the home box is the whole chart (fit to the viewport). */
  var views = [];
  function viewOf(el) { for (var i = 0; i < views.length; i++) if (views[i].vp.contains(el)) return views[i]; return null; }
  function toSvg(svg, x, y) { var p = svg.createSVGPoint(); p.x = x; p.y = y; return p.matrixTransform(svg.getScreenCTM().inverse()); }
  document.querySelectorAll('.viewport').forEach(function (vp) {
    var svg = vp.querySelector('svg');
    var b0 = svg.viewBox.baseVal;
    var home = { x: b0.x, y: b0.y, w: b0.width, h: b0.height };
    svg.removeAttribute('width'); svg.removeAttribute('height');
    svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    var view = { vp: vp, svg: svg, home: home };
    view.set = function (x, y, w, h) { svg.setAttribute('viewBox', x + ' ' + y + ' ' + w + ' ' + h); vp.setAttribute('data-zoom', (home.w / w).toFixed(2)); };
    view.fit = function () { view.set(home.x, home.y, home.w, home.h); };
    view.zoom = function (factor, cx, cy) {
      var b = svg.viewBox.baseVal;
      if (cx === undefined) { cx = b.x + b.width / 2; cy = b.y + b.height / 2; }
      var w = b.width / factor, h = b.height / factor;
      if (w > home.w * 4 || w < home.w / 80) return;
      view.set(cx - (cx - b.x) / factor, cy - (cy - b.y) / factor, w, h);
    };
    view.fit();
    views.push(view);
    var section = vp.closest('section');
    section.querySelector('.zoom-in').onclick = function () { view.zoom(1.5); };
    section.querySelector('.zoom-out').onclick = function () { view.zoom(1 / 1.5); };
    section.querySelector('.fit').onclick = function () { view.fit(); };
    vp.addEventListener('wheel', function (e) {
      e.preventDefault();
      var p = toSvg(svg, e.clientX, e.clientY);
      view.zoom(e.deltaY < 0 ? 1.25 : 1 / 1.25, p.x, p.y);
    }, { passive: false });
    var drag = null;
    vp.addEventListener('mousedown', function (e) { var b = svg.viewBox.baseVal; drag = { x: e.clientX, y: e.clientY, bx: b.x, by: b.y }; vp.classList.add('dragging'); });
    window.addEventListener('mousemove', function (e) {
      if (!drag) return;
      var b = svg.viewBox.baseVal;
      var scale = Math.max(b.width / svg.clientWidth, b.height / svg.clientHeight);
      view.set(drag.bx - (e.clientX - drag.x) * scale, drag.by - (e.clientY - drag.y) * scale, b.width, b.height);
    });
    window.addEventListener('mouseup', function () { drag = null; vp.classList.remove('dragging'); });
  });

  /* Bring an element into its chart's view: pan to it if it is outside, and zoom in on request. */
  function reveal(el, zoomIn) {
    var view = viewOf(el);
    if (!view) return;
    var svg = view.svg;
    var m = svg.getScreenCTM().inverse().multiply(el.getScreenCTM());
    var bb = el.getBBox();
    var a = svg.createSVGPoint(); a.x = bb.x; a.y = bb.y; a = a.matrixTransform(m);
    var c = svg.createSVGPoint(); c.x = bb.x + bb.width; c.y = bb.y + bb.height; c = c.matrixTransform(m);
    var b = svg.viewBox.baseVal;
    var inside = a.x >= b.x && a.y >= b.y && c.x <= b.x + b.width && c.y <= b.y + b.height;
    var w = b.width, h = b.height;
    if (zoomIn) { w = Math.min(view.home.w, Math.max((c.x - a.x) * 4, 500)); h = w * svg.clientHeight / Math.max(1, svg.clientWidth); }
    if (zoomIn || !inside) view.set((a.x + c.x) / 2 - w / 2, (a.y + c.y) / 2 - h / 2, w, h);
    view.vp.closest('section').scrollIntoView({ block: 'nearest' });
  }

  /* Search: states (their names, ids) and events (arrow labels and rows). */
  var hits = [], hit = -1;
  function search(q) {
    document.querySelectorAll('.search-hit').forEach(function (el) { el.classList.remove('search-hit'); });
    hits = []; hit = -1;
    q = q.trim().toLowerCase();
    if (q) document.querySelectorAll('.viewport svg g.node, .viewport svg g.edge, .viewport svg g.cluster').forEach(function (g) {
      if ((g.textContent || '').toLowerCase().indexOf(q) >= 0) { g.classList.add('search-hit'); hits.push(g); }
    });
    byId('search-count').textContent = q ? hits.length + (hits.length === 1 ? ' match' : ' matches') + (hits.length ? ' (Enter: next)' : '') : '';
  }
  byId('search').addEventListener('input', function (e) { search(e.target.value); });
  byId('search').addEventListener('keydown', function (e) {
    if (e.key !== 'Enter' || !hits.length) return;
    e.preventDefault();
    hit = (hit + 1) % hits.length;
    reveal(hits[hit], true);
  });

  /* The trace player: the steps as a swimlane table, one column per lane in the order lanes first appear. */
  var rows = [];
  function cell(tr, tag, text, cls) { var c = document.createElement(tag); c.textContent = text; if (cls) c.className = cls; tr.appendChild(c); return c; }
  function buildList() {
    list.textContent = '';
    rows = [];
    var lanes = [];
    trace.forEach(function (s) { if (lanes.indexOf(laneOf(s)) < 0) lanes.push(laneOf(s)); });
    if (!trace.length) return;
    var table = document.createElement('table'), head = document.createElement('tr');
    cell(head, 'th', '#'); cell(head, 'th', 'scenario step');
    lanes.forEach(function (lane, k) { cell(head, 'th', lane, 'lane-head lane-' + (k % 6)); });
    table.appendChild(head);
    trace.forEach(function (s, i) {
      var tr = document.createElement('tr');
      tr.className = 'trace-step' + (s.violation ? ' violating-step' : '');
      tr.setAttribute('data-index', String(i));
      if (s.step !== undefined) tr.setAttribute('data-scenario-step', String(s.step));
      cell(tr, 'td', String(i + 1), 'n');
      cell(tr, 'td', s.step !== undefined ? '#' + s.step : '', 'scenario-step');
      lanes.forEach(function (lane) {
        cell(tr, 'td', lane === laneOf(s) ? (s.event ? s.event + ' -> ' : '') + statesOf(s).join(', ') : '', lane === laneOf(s) ? 'in-lane' : '');
      });
      if (s.violation) tr.title = s.violation;
      tr.onclick = function () { show(i); };
      table.appendChild(tr);
      rows.push(tr);
    });
    list.appendChild(table);
  }
  function clearMarks() {
    ['active-state', 'violating-state', 'lane-state', 'taken-edge', 'lane-0', 'lane-1', 'lane-2', 'lane-3', 'lane-4', 'lane-5'].forEach(function (c) {
      document.querySelectorAll('.' + c).forEach(function (el) { el.classList.remove(c); });
    });
  }
  function show(i) {
    clearMarks();
    if (!trace.length) { pos.textContent = 'no trace loaded'; info.textContent = ''; violationBox.textContent = ''; lanesBox.textContent = ''; return; }
    index = Math.max(0, Math.min(trace.length - 1, i));
    var lanes = {}, order = [];
    for (var j = 0; j <= index; j++) { var l = laneOf(trace[j]); if (!(l in lanes)) order.push(l); lanes[l] = trace[j]; }
    lanesBox.textContent = '';
    order.forEach(function (lane, k) {
      var s = lanes[lane];
      statesOf(s).forEach(function (state) { var el = byId(idOf(s.machine, state)); if (el) el.classList.add('lane-state', 'lane-' + (k % 6)); });
      var chip = document.createElement('span');
      chip.className = 'lane-chip lane-' + (k % 6) + (lane === laneOf(trace[index]) ? ' current' : '');
      chip.textContent = lane + ': ' + statesOf(s).join(', ');
      lanesBox.appendChild(chip);
    });
    var step = trace[index];
    var states = statesOf(step);
    var missing = [], first = null;
    states.forEach(function (s) {
      var el = byId(idOf(step.machine, s));
      if (el) { el.classList.add('active-state'); if (step.violation) el.classList.add('violating-state'); first = first || el; } else { missing.push(s); }
    });
    (step.transitions || []).forEach(function (key) { var el = edgeIds[key] && byId(edgeIds[key]); if (el) { el.classList.add('taken-edge'); first = first || el; } });
    pos.textContent = 'step ' + (index + 1) + ' / ' + trace.length;
    info.textContent = (step.lane ? step.lane + ' (' + step.machine + ')' : step.machine) + ': ' + (step.event ? step.event + ' -> ' : '') + states.join(', ') +
      (step.step !== undefined ? '  [scenario step #' + step.step + ']' : '') +
      (missing.length ? '  (not in the charts: ' + missing.join(', ') + ')' : '');
    violationBox.textContent = step.violation ? 'VIOLATION: ' + step.violation : '';
    rows.forEach(function (tr, k) { tr.classList.toggle('current', k === index); });
    if (rows[index]) list.scrollTop = Math.max(0, rows[index].offsetTop - list.clientHeight / 2);
    if (first) reveal(first, byId('follow').checked);
  }
  function load(text) {
    try {
      var parsed = JSON.parse(text);
      if (!Array.isArray(parsed)) throw new Error('a trace is a JSON array of {machine, state, event}');
      trace = parsed; buildList(); show(0);
    } catch (e) { info.textContent = 'cannot load the trace: ' + e.message; }
  }
  byId('first').onclick = function () { show(0); };
  byId('prev').onclick = function () { show(index - 1); };
  byId('next').onclick = function () { show(index + 1); };
  byId('last').onclick = function () { show(trace.length - 1); };
  byId('load').onclick = function () { load(byId('paste').value); };
  byId('file').onchange = function (e) {
    var file = e.target.files[0]; if (!file) return;
    var reader = new FileReader(); reader.onload = function () { load(String(reader.result)); }; reader.readAsText(file);
  };
  /* The player's keys step the trace instead of scrolling the page (End would jump to the last chart). */
  var keys = { ArrowRight: function () { return index + 1; }, ArrowLeft: function () { return index - 1; }, Home: function () { return 0; }, End: function () { return trace.length - 1; } };
  document.addEventListener('keydown', function (e) {
    if (e.target && (e.target.tagName === 'TEXTAREA' || e.target.tagName === 'INPUT')) return;
    if (!keys[e.key] || !trace.length) return;
    e.preventDefault();
    show(keys[e.key]());
  });
  buildList();
  show(0);
})();
`;
