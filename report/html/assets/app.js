// geowarden report page. Reads the JSON embedded in the page (gw-items,
// gw-data, gw-basemap) and draws the summary, the map and the table. Text
// from the report is only ever set with textContent.
(function () {
  'use strict';

  // Item columns, as report/html writes them.
  var KIND = 0, RULE = 1, SEV = 2, FILE = 3, LINE = 4, PTS = 5, T0 = 6, T1 = 7,
    ACT = 8, ZL = 9, FP = 10, WHY = 11, SRC = 12, SCORE = 13;
  // Severities in warm colours, zone classes in cool ones, so that the
  // two never read as each other.
  var SEV_COLOR = ['#8a949e', '#6f8796', '#e0b31b', '#f08c2e', '#e3342f', '#8b0022'];
  var CLASS_COLOR = {
    military: '#7b3294', rail: '#1b7837', airport: '#2166ac', energy: '#8c510a',
    government: '#01665e', telecom: '#c51b7d', custom: '#4d4d4d'
  };
  var ROW_H = 28, CELL_PX = 52, MAX_FIT_ZOOM = 14;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmtInt(n) { return Number(n).toLocaleString('en-US'); }
  function short(n) {
    if (n < 1000) return String(n);
    if (n < 10000) return (n / 1000).toFixed(1).replace(/\.0$/, '') + 'k';
    if (n < 1e6) return Math.round(n / 1000) + 'k';
    return (n / 1e6).toFixed(1) + 'M';
  }
  function classColor(c) { return CLASS_COLOR[c] || '#4d4d4d'; }
  function fmtTime(t) {
    if (t === null || t === undefined) return '';
    return new Date(t * 1000).toISOString().replace('T', ' ').replace(/\.000Z$|Z$/, '');
  }
  function fatal(msg) {
    var f = $('gw-fatal');
    f.hidden = false;
    f.textContent = 'This report could not be drawn: ' + msg;
    document.body.dataset.state = 'error';
  }

  var data, rows, basemap;
  try {
    data = JSON.parse($('gw-data').textContent);
    rows = JSON.parse($('gw-items').textContent);
    basemap = JSON.parse($('gw-basemap').textContent);
  } catch (e) {
    fatal('its data is damaged (' + e.message + ')');
    throw e;
  }
  if (rows.length !== data.items) {
    fatal('it holds ' + rows.length + ' items, but says ' + data.items);
    throw new Error('item count mismatch');
  }
  var D = data.dict, N = rows.length, SEVN = data.severities;
  var zonesById = {};
  data.zones.forEach(function (z) { zonesById[z.id] = z; });

  var noun = 'items';
  if (D.kinds.length === 0 || (D.kinds.length === 1 && D.kinds[0] === 'finding')) noun = 'findings';
  else if (D.kinds.length === 1 && D.kinds[0] === 'alert') noun = 'alerts';

  // ---- header and summary -------------------------------------------------

  var H = data.header, S = data.summary;
  document.title = H.title;
  $('gw-title').textContent = H.title;
  if (H.policy) $('gw-policy').textContent = 'policy ' + H.policy + (H.policy_revision ? ' (revision ' + H.policy_revision.slice(0, 12) + ')' : '');
  $('gw-generated').textContent = 'generated ' + H.generated.replace('T', ' ').replace('Z', ' UTC');
  if (H.generator) $('gw-generator').textContent = H.generator;

  function card(label, value, wide, title) {
    var d = el('div', wide ? 'gw-wide' : '');
    d.appendChild(el('dd', '', value));
    d.appendChild(el('dt', '', label));
    if (title) d.title = title;
    $('gw-cards').appendChild(d);
  }
  card('files', fmtInt(S.files));
  card('records', fmtInt(S.records));
  if (S.findings || !S.alerts) card('findings', fmtInt(S.findings));
  if (S.alerts) card('alerts', fmtInt(S.alerts));
  if (S.bad) card('unparseable records', fmtInt(S.bad));
  card('skipped inputs', fmtInt(S.skipped.length));
  card('errors', fmtInt(S.errors.length));
  if (H.policy_revision) card('policy revision', H.policy_revision, true);

  function fillList(sec, list, ul, nEl, fmt) {
    if (!list.length) return;
    $(sec).hidden = false;
    $(nEl).textContent = fmtInt(list.length);
    var max = Math.min(list.length, 500);
    for (var i = 0; i < max; i++) $(ul).appendChild(el('li', '', fmt(list[i])));
    if (list.length > max) $(ul).appendChild(el('li', '', 'and ' + fmtInt(list.length - max) + ' more'));
  }
  fillList('gw-skipped-sec', S.skipped, 'gw-skipped', 'gw-skipped-n', function (s) { return s.path + ': ' + s.reason; });
  fillList('gw-errors-sec', S.errors, 'gw-errors', 'gw-errors-n', function (s) { return s; });

  // ---- items: positions and counts ----------------------------------------

  var MAXLAT = 85.0511287798, R = 6378137, DEG = Math.PI / 180;
  function projX(lon) { return (lon / 360 + 0.5) * 256; }
  function projY(lat) {
    lat = Math.max(Math.min(MAXLAT, lat), -MAXLAT);
    var s = Math.sin(lat * DEG);
    return 256 * (0.5 - R * Math.log((1 + s) / (1 - s)) / 2 / (2 * Math.PI * R));
  }
  function validPt(lat, lon) {
    return typeof lat === 'number' && typeof lon === 'number' && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;
  }

  var P = 0, i, j;
  for (i = 0; i < N; i++) P += rows[i][PTS].length / 2;
  var ptItem = new Int32Array(P), ptX = new Float64Array(P), ptY = new Float64Array(P), ptOK = new Uint8Array(P);
  var itemPt = new Int32Array(N).fill(-1); // first drawable point of each item
  var p = 0, minLat = 90, maxLat = -90, minLon = 180, maxLon = -180, drawable = 0;
  var ruleCount = new Array(D.rules.length).fill(0), zoneCount = new Array(D.zones.length).fill(0),
    fileCount = new Array(D.files.length).fill(0), kindCount = new Array(D.kinds.length).fill(0),
    sevCount = new Array(SEVN.length).fill(0);
  for (i = 0; i < N; i++) {
    var r = rows[i], pts = r[PTS];
    ruleCount[r[RULE]]++; fileCount[r[FILE]]++; kindCount[r[KIND]]++; sevCount[r[SEV]]++;
    var zl = D.zone_lists[r[ZL]];
    for (j = 0; j < zl.length; j++) zoneCount[zl[j]]++;
    for (j = 0; j < pts.length; j += 2, p++) {
      var la = pts[j], lo = pts[j + 1];
      ptItem[p] = i;
      if (!validPt(la, lo)) continue;
      ptOK[p] = 1; ptX[p] = projX(lo); ptY[p] = projY(la);
      if (itemPt[i] < 0) itemPt[i] = p;
      drawable++;
      if (la < minLat) minLat = la;
      if (la > maxLat) maxLat = la;
      if (lo < minLon) minLon = lo;
      if (lo > maxLon) maxLon = lo;
    }
  }

  // ---- severity and rule bars ----------------------------------------------

  function bars(container, entries, onClick) {
    var max = 1;
    entries.forEach(function (e) { if (e.n > max) max = e.n; });
    entries.forEach(function (e) {
      var b = el('button');
      b.type = 'button';
      b.appendChild(el('span', 'lbl', e.label)).title = e.label;
      var bar = b.appendChild(el('span', 'bar'));
      bar.style.width = Math.max(1, Math.round(100 * e.n / max)) + '%';
      bar.style.background = e.color;
      b.appendChild(el('span', 'n', fmtInt(e.n)));
      b.addEventListener('click', function () { onClick(e); });
      container.appendChild(b);
    });
  }
  var sevEntries = [];
  for (i = SEVN.length - 1; i >= 1; i--) {
    var n = S.by_severity[SEVN[i]] || sevCount[i];
    if (n) sevEntries.push({ label: SEVN[i], n: n, color: SEV_COLOR[i], sev: i });
  }
  bars($('gw-sev'), sevEntries, function (e) { setFilter('f-sev', '=' + e.sev); });
  var ruleEntries = Object.keys(S.by_rule).map(function (k) { return { label: k, n: S.by_rule[k] }; });
  if (!ruleEntries.length) ruleEntries = D.rules.map(function (k, ri) { return { label: k, n: ruleCount[ri] }; });
  ruleEntries.sort(function (a, b) { return b.n - a.n || (a.label < b.label ? -1 : 1); });
  ruleEntries.forEach(function (e) { e.color = '#6d8fb0'; });
  bars($('gw-rules'), ruleEntries, function (e) {
    var ri = D.rules.indexOf(e.label);
    if (ri >= 0) setFilter('f-rule', String(ri));
  });

  // ---- zone legend ------------------------------------------------------------

  var classes = {};
  data.zones.forEach(function (z) {
    var c = classes[z.class] || (classes[z.class] = { n: 0, items: 0 });
    c.n++; c.items += z.items;
  });
  Object.keys(classes).sort().forEach(function (c) {
    var d = el('div');
    var sw = d.appendChild(el('span', 'gw-swatch'));
    sw.style.borderColor = classColor(c);
    sw.style.background = classColor(c) + '55';
    d.appendChild(el('span', '', c + ': ' + fmtInt(classes[c].n) + ' zone' + (classes[c].n === 1 ? '' : 's') +
      (classes[c].items ? ', ' + fmtInt(classes[c].items) + ' ' + (classes[c].items === 1 ? noun.replace(/s$/, '') : noun) : '')));
    $('gw-legend').appendChild(d);
  });
  var notes = [];
  if (!data.zones.length) notes.push('No zones to draw.');
  if (data.zones_omitted) notes.push(fmtInt(data.zones_omitted) + ' zones without ' + noun + ' are not drawn, to keep the page small.');
  if (data.zone_tolerance) notes.push('Zone outlines are simplified (tolerance ' + data.zone_tolerance + '°) for display; classification used the exact ones.');
  $('gw-zone-note').textContent = notes.join(' ');

  // ---- filters ------------------------------------------------------------------

  function options(id, entries) {
    var s = $(id);
    entries.forEach(function (e) {
      var o = el('option', '', e.label);
      o.value = e.value;
      s.appendChild(o);
    });
  }
  options('f-rule', D.rules.map(function (r, ri) { return { label: r + ' (' + fmtInt(ruleCount[ri]) + ')', value: String(ri), n: ruleCount[ri] }; })
    .sort(function (a, b) { return b.n - a.n; }));
  var sevOpts = [];
  for (i = SEVN.length - 1; i >= 1; i--) if (sevCount[i]) sevOpts.push({ label: SEVN[i] + ' (' + fmtInt(sevCount[i]) + ')', value: '=' + i });
  for (i = SEVN.length - 2; i >= 2; i--) sevOpts.push({ label: SEVN[i] + ' or above', value: '>=' + i });
  options('f-sev', sevOpts);
  options('f-zone', D.zones.map(function (z, zi) {
    var zz = zonesById[z], label = zz && zz.name && zz.name !== z ? zz.name + ' (' + z + ')' : z;
    return { label: label + ' (' + fmtInt(zoneCount[zi]) + ')', value: String(zi), n: zoneCount[zi] };
  }).sort(function (a, b) { return b.n - a.n; }));
  var fileOrder = D.files.map(function (f, fi) { return fi; }).sort(function (a, b) { return fileCount[b] - fileCount[a]; });
  fileOrder.slice(0, 1000).forEach(function (fi) {
    var o = el('option');
    o.value = D.files[fi];
    $('gw-files').appendChild(o);
  });
  if (D.kinds.length > 1) {
    $('f-kind-label').hidden = false;
    options('f-kind', D.kinds.map(function (k, ki) { return { label: k + ' (' + fmtInt(kindCount[ki]) + ')', value: String(ki) }; }));
  }
  $('gw-total').textContent = fmtInt(N);
  $('gw-noun').textContent = noun;
  document.body.dataset.itemsTotal = String(N);

  var visible = new Uint8Array(N), order = [], sortKey = '', sortDir = 1, selected = -1;
  var map; // set below

  function readFilters() {
    var f = {
      rule: $('f-rule').value, zone: $('f-zone').value, kind: $('f-kind').value,
      sevOp: '', sev: 0, file: $('f-file').value.trim(), fileIdx: -1, view: $('f-view').checked
    };
    var sv = $('f-sev').value;
    if (sv) { f.sevOp = sv.slice(0, sv.length - 1); f.sev = +sv.slice(-1); }
    if (f.file) {
      f.fileIdx = D.files.indexOf(f.file);
      f.fileLow = f.file.toLowerCase();
    }
    return f;
  }

  function applyFilters() {
    var f = readFilters(), rule = f.rule === '' ? -1 : +f.rule, zone = f.zone === '' ? -1 : +f.zone,
      kind = f.kind === '' ? -1 : +f.kind, fileOK = null, bounds = null;
    if (f.file && f.fileIdx < 0) {
      fileOK = D.files.map(function (name) { return name.toLowerCase().indexOf(f.fileLow) >= 0; });
    }
    if (f.view && map) bounds = map.getBounds();
    order = [];
    for (var i = 0; i < N; i++) {
      var r = rows[i], ok = true;
      if (rule >= 0 && r[RULE] !== rule) ok = false;
      else if (kind >= 0 && r[KIND] !== kind) ok = false;
      else if (f.sevOp === '=' && r[SEV] !== f.sev) ok = false;
      else if (f.sevOp === '>=' && r[SEV] < f.sev) ok = false;
      else if (f.fileIdx >= 0 && r[FILE] !== f.fileIdx) ok = false;
      else if (fileOK && !fileOK[r[FILE]]) ok = false;
      else if (zone >= 0 && D.zone_lists[r[ZL]].indexOf(zone) < 0) ok = false;
      else if (bounds) {
        ok = false;
        for (var j = 0; j < r[PTS].length; j += 2) {
          if (validPt(r[PTS][j], r[PTS][j + 1]) && bounds.contains([r[PTS][j], r[PTS][j + 1]])) { ok = true; break; }
        }
      }
      visible[i] = ok ? 1 : 0;
      if (ok) order.push(i);
    }
    sortOrder();
    $('gw-shown').textContent = fmtInt(order.length);
    document.body.dataset.itemsShown = String(order.length);
    $('gw-spacer').style.height = (order.length * ROW_H) + 'px';
    renderRows();
    if (itemsLayer) itemsLayer.redraw();
  }

  function sortOrder() {
    var cmp = null;
    if (sortKey === 'sev') cmp = function (a, b) { return (rows[b][SEV] - rows[a][SEV]) * sortDir || a - b; };
    else if (sortKey === 'rule') cmp = function (a, b) { var x = D.rules[rows[a][RULE]], y = D.rules[rows[b][RULE]]; return (x < y ? -1 : x > y ? 1 : 0) * sortDir || a - b; };
    else if (sortKey === 'file') cmp = function (a, b) {
      var x = D.files[rows[a][FILE]], y = D.files[rows[b][FILE]];
      return ((x < y ? -1 : x > y ? 1 : 0) || rows[a][LINE] - rows[b][LINE]) * sortDir || a - b;
    };
    else if (sortKey === 'time') cmp = function (a, b) {
      var x = rows[a][T0], y = rows[b][T0];
      if (x === null && y === null) return a - b;
      if (x === null) return 1;
      if (y === null) return -1;
      return (x - y) * sortDir || a - b;
    };
    if (cmp) order.sort(cmp);
  }

  function setFilter(id, value) {
    $(id).value = value;
    applyFilters();
  }

  var fileTimer = 0;
  ['f-rule', 'f-sev', 'f-zone', 'f-kind', 'f-view'].forEach(function (id) { $(id).addEventListener('change', applyFilters); });
  $('f-file').addEventListener('input', function () {
    clearTimeout(fileTimer);
    fileTimer = setTimeout(applyFilters, 150);
  });
  $('gw-filters').addEventListener('submit', function (e) { e.preventDefault(); applyFilters(); });
  $('f-reset').addEventListener('click', function () {
    ['f-rule', 'f-sev', 'f-zone', 'f-kind', 'f-file'].forEach(function (id) { $(id).value = ''; });
    $('f-view').checked = false;
    applyFilters();
  });
  Array.prototype.forEach.call(document.querySelectorAll('#gw-head [data-sort]'), function (h) {
    h.addEventListener('click', function () {
      var k = h.dataset.sort;
      if (sortKey === k) sortDir = -sortDir; else { sortKey = k; sortDir = 1; }
      Array.prototype.forEach.call(document.querySelectorAll('#gw-head [data-sort]'), function (o) { o.className = ''; });
      h.className = sortDir > 0 ? 'asc' : 'desc';
      applyFilters();
    });
  });

  // ---- table (only the visible rows are in the DOM) -----------------------------

  var rowsEl = $('gw-rows');
  var rowLayer = rowsEl.appendChild(el('div'));

  function where(r) {
    var f = D.files[r[FILE]];
    return r[LINE] ? f + ':' + r[LINE] : f;
  }
  function zoneNames(r) {
    return D.zone_lists[r[ZL]].map(function (zi) { return D.zones[zi]; });
  }
  function sevChip(s) {
    var c = el('span', 'gw-sev', SEVN[s]);
    c.style.background = SEV_COLOR[s] || '#888';
    return c;
  }

  // cell adds a text cell to a row; its tooltip holds the whole text, which
  // the column may cut.
  function cell(row, text) {
    var c = row.appendChild(el('span', '', text));
    c.title = text;
  }

  function renderRows() {
    var top = rowsEl.scrollTop, h = rowsEl.clientHeight || 400;
    var first = Math.max(0, Math.floor(top / ROW_H) - 4), last = Math.min(order.length, Math.ceil((top + h) / ROW_H) + 4);
    rowLayer.textContent = '';
    if (!order.length) {
      rowLayer.appendChild(el('div', 'gw-empty', N ? 'No ' + noun + ' match the filters.' : 'No ' + noun + '.'));
      return;
    }
    for (var k = first; k < last; k++) {
      var i = order[k], r = rows[i], row = el('div', 'gw-row' + (i === selected ? ' sel' : ''));
      row.setAttribute('role', 'row');
      row.style.top = (k * ROW_H) + 'px';
      row.dataset.item = String(i);
      row.appendChild(el('span')).appendChild(sevChip(r[SEV]));
      cell(row, D.rules[r[RULE]]);
      cell(row, zoneNames(r).join(', '));
      cell(row, where(r));
      var pts = r[PTS];
      row.appendChild(el('span', 'gw-mono', pts.length ? pts[0] + ', ' + pts[1] + (pts.length > 2 ? ' (+' + (pts.length / 2 - 1) + ')' : '') : '—'));
      row.appendChild(el('span', 'gw-mono', fmtTime(r[T0]) + (r[T1] !== null ? ' – ' + fmtTime(r[T1]) : '')));
      cell(row, D.actions[r[ACT]]);
      cell(row, D.reasons[r[WHY]]);
      rowLayer.appendChild(row);
    }
  }
  var rowsPending = false;
  rowsEl.addEventListener('scroll', function () {
    if (rowsPending) return;
    rowsPending = true;
    requestAnimationFrame(function () { rowsPending = false; renderRows(); });
  });
  rowsEl.addEventListener('click', function (e) {
    var row = e.target.closest('.gw-row');
    if (row && row.dataset.item) select(+row.dataset.item, true);
  });
  rowsEl.addEventListener('keydown', function (e) {
    if (!order.length || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Enter')) return;
    e.preventDefault();
    var k = order.indexOf(selected);
    if (e.key === 'ArrowDown') k = Math.min(order.length - 1, k + 1);
    else if (e.key === 'ArrowUp') k = Math.max(0, k - 1);
    else if (k < 0) k = 0;
    var y = k * ROW_H;
    if (y < rowsEl.scrollTop) rowsEl.scrollTop = y;
    else if (y + ROW_H > rowsEl.scrollTop + rowsEl.clientHeight) rowsEl.scrollTop = y + ROW_H - rowsEl.clientHeight;
    select(order[k], true);
  });

  // ---- details popup --------------------------------------------------------------

  function details(i) {
    var r = rows[i], box = el('div', 'gw-pop');
    var h = box.appendChild(el('div'));
    h.appendChild(sevChip(r[SEV]));
    h.appendChild(document.createTextNode(' ' + D.rules[r[RULE]] + ' '));
    h.appendChild(el('span', 'gw-note', D.kinds[r[KIND]]));
    var dl = box.appendChild(el('dl'));
    function row(k, v, mono) {
      if (v === '' || v === null || v === undefined) return;
      dl.appendChild(el('dt', '', k));
      dl.appendChild(el('dd', mono ? 'gw-mono' : '', v));
    }
    row('where', where(r));
    var pts = r[PTS], ps = [];
    for (var j = 0; j < pts.length && j < 20; j += 2) ps.push(pts[j] + ', ' + pts[j + 1]);
    if (pts.length > 40) ps.push('…');
    row(pts.length > 2 ? 'points' : 'lat, lon', ps.join('; '), true);
    row('time', fmtTime(r[T0]) + (r[T1] !== null ? ' – ' + fmtTime(r[T1]) : ''), true);
    row('action', D.actions[r[ACT]]);
    row('zones', zoneNames(r).map(function (z) {
      var zz = zonesById[z];
      return zz ? (zz.name && zz.name !== z ? zz.name + ' (' + z + ', ' + zz.class + ')' : z + ' (' + zz.class + ')') : z;
    }).join('; '));
    row('sources', D.source_lists[r[SRC]].map(function (s) { return D.sources[s]; }).join(', '));
    if (r[SCORE]) row('score', r[SCORE]);
    row('reason', D.reasons[r[WHY]]);
    row('fingerprint', r[FP], true);
    return box;
  }

  function select(i, pan) {
    selected = i;
    document.body.dataset.selected = String(i);
    Array.prototype.forEach.call(rowLayer.children, function (row) {
      row.classList.toggle('sel', row.dataset.item === String(i));
    });
    showDetails(i);
    var pt = itemPt[i];
    if (pt < 0 || !map) return;
    var pts = rows[i][PTS], k = 2 * (pt - firstPt(i)), ll = L.latLng(pts[k], pts[k + 1]);
    if (pan) {
      // Show the item with the zones it is in, unless they are too large
      // to make out the item (a long corridor, a country).
      var b = L.latLngBounds(ll, ll);
      zoneNames(rows[i]).forEach(function (id) {
        var zb = zoneLayers[id] && zoneLayers[id].getBounds();
        if (zb && zb.isValid() && map.distance(zb.getSouthWest(), zb.getNorthEast()) < 20000) b.extend(zb);
      });
      // Room on the right for the details box.
      map.fitBounds(b, { paddingTopLeft: [50, 40], paddingBottomRight: [400, 40], maxZoom: 17, animate: false });
      if (map.getZoom() < 12) map.setView(ll, 12, { animate: false });
    }
    itemsLayer.redraw();
  }
  var firstPtOf = new Int32Array(N);
  (function () { var q = 0; for (var i = 0; i < N; i++) { firstPtOf[i] = q; q += rows[i][PTS].length / 2; } })();
  function firstPt(i) { return firstPtOf[i]; }

  // ---- map ----------------------------------------------------------------------------

  map = L.map('gw-map', { minZoom: 1, maxZoom: 19, worldCopyJump: false, zoomControl: true, preferCanvas: true });
  map.attributionControl.setPrefix('Leaflet');
  map.attributionControl.addAttribution('Natural Earth');
  L.control.scale({ imperial: false }).addTo(map);

  map.createPane('gwBase').style.zIndex = 150;
  map.createPane('gwItems').style.zIndex = 450;
  map.getPane('gwItems').classList.add('gw-items-pane');
  map.getPane('gwItems').style.pointerEvents = 'none';
  var baseRenderer = L.canvas({ pane: 'gwBase', padding: 0.2 });
  var baseLayer = L.layerGroup();
  basemap.features.forEach(function (f) {
    var land = f.properties.layer === 'land';
    L.geoJSON(f, {
      renderer: baseRenderer, interactive: false,
      style: land ? { stroke: false, fillColor: '#f4f2ec', fillOpacity: 1 } : { color: '#b9b2a0', weight: 0.7, fill: false }
    }).addTo(baseLayer);
  });
  baseLayer.addTo(map);
  // The outlines are at 1:50 million: kilometres off at street level, where
  // they would show land as sea. Past BASE_MAX_ZOOM they are hidden.
  var BASE_MAX_ZOOM = 10;
  function baseVisibility() {
    var close = map.getZoom() > BASE_MAX_ZOOM;
    map.getPane('gwBase').style.display = close ? 'none' : '';
    map.getContainer().classList.toggle('gw-close', close);
  }
  map.on('zoomend', baseVisibility);

  // Zones: vectors, plus a marker on the items canvas for zones too small
  // to see at the current zoom.
  var zoneLayer = L.featureGroup(), zoneLayers = {}, corridors = [], zoneBoxes = [];
  function zoneTip(z) {
    var d = el('div');
    d.appendChild(el('strong', '', z.name || z.id));
    d.appendChild(document.createTextNode(' ' + z.class + ' ' + z.shape + (z.buffer_m ? ' ' + z.buffer_m + ' m' : '')));
    d.appendChild(el('div', 'gw-note', z.id + (z.set ? ' · set ' + z.set : '') + ' · ' + fmtInt(z.items) + ' ' + noun));
    return d;
  }
  function walk(c, fn) {
    if (typeof c[0] === 'number') fn(c[0], c[1]);
    else for (var k = 0; k < c.length; k++) walk(c[k], fn);
  }
  data.zones.forEach(function (z) {
    var color = classColor(z.class);
    var layer = L.geoJSON({ type: 'Feature', properties: {}, geometry: z.geometry }, {
      style: function () {
        if (z.shape === 'corridor') return { color: color, weight: 3, opacity: 0.45, lineCap: 'round', lineJoin: 'round' };
        return { color: color, weight: 1.5, opacity: 0.9, fillColor: color, fillOpacity: 0.22 };
      },
      pointToLayer: function (f, ll) {
        return L.circle(ll, { radius: z.buffer_m || 1, color: color, weight: 1.5, fillColor: color, fillOpacity: 0.22 });
      }
    });
    layer.bindTooltip(function () { return zoneTip(z); }, { sticky: true });
    layer.on('click', function (e) {
      if (itemsLayer.hit(e.containerPoint) >= 0) return; // the items on top get the click
      var zi = D.zones.indexOf(z.id);
      if (zi >= 0) setFilter('f-zone', String(zi));
    });
    zoneLayers[z.id] = layer;
    if (z.shape === 'corridor') corridors.push({ layer: layer, buffer: z.buffer_m });
    var b = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity, color: color };
    walk(z.geometry.coordinates, function (lon, lat) {
      var x = projX(lon), y = projY(lat), pad = 0;
      if (z.shape !== 'area' && z.buffer_m) pad = z.buffer_m / (40075016.686 * Math.cos(Math.min(Math.abs(lat), MAXLAT) * DEG) / 256);
      b.x0 = Math.min(b.x0, x - pad); b.x1 = Math.max(b.x1, x + pad);
      b.y0 = Math.min(b.y0, y - pad); b.y1 = Math.max(b.y1, y + pad);
    });
    if (b.x0 <= b.x1) zoneBoxes.push(b);
    layer.addTo(zoneLayer);
  });
  zoneLayer.addTo(map);
  document.body.dataset.zones = String(data.zones.length);

  function corridorWidths() {
    var z = map.getZoom(), lat = map.getCenter().lat;
    var mpp = 40075016.686 * Math.cos(lat * DEG) / (256 * Math.pow(2, z));
    corridors.forEach(function (c) { c.layer.setStyle({ weight: Math.max(3, 2 * c.buffer / mpp) }); });
  }
  map.on('zoomend', corridorWidths);

  // Items: aggregated into a pixel grid per zoom level and drawn on one
  // canvas. A cell with one item is a dot; with more, a circle with the
  // count, coloured by the worst severity in it.
  var ItemsLayer = L.Layer.extend({
    onAdd: function (m) {
      this._canvas = L.DomUtil.create('canvas', 'gw-items-canvas', m.getPane('gwItems'));
      this._cells = [];
      m.on('moveend resize viewreset', this.redraw, this);
      m.on('zoomstart', this._hide, this);
      this.redraw();
    },
    onRemove: function (m) {
      L.DomUtil.remove(this._canvas);
      m.off('moveend resize viewreset', this.redraw, this);
      m.off('zoomstart', this._hide, this);
      this._cells = [];
      document.body.dataset.mapDrawn = '0';
    },
    _hide: function () { this._canvas.style.visibility = 'hidden'; },
    redraw: function () {
      if (!this._map) return;
      var m = this._map, size = m.getSize(), dpr = window.devicePixelRatio || 1, cv = this._canvas;
      L.DomUtil.setPosition(cv, m.containerPointToLayerPoint([0, 0]));
      cv.width = Math.round(size.x * dpr); cv.height = Math.round(size.y * dpr);
      cv.style.width = size.x + 'px'; cv.style.height = size.y + 'px';
      cv.style.visibility = '';
      var ctx = cv.getContext('2d');
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      var z = m.getZoom(), scale = Math.pow(2, z), world = 256 * scale;
      var c = m.project(m.getCenter(), z), ox = c.x - size.x / 2, oy = c.y - size.y / 2;
      function sx(wx) {
        var x = wx - ox;
        if (x < -CELL_PX) x += world; else if (x > size.x + CELL_PX) x -= world;
        return x;
      }

      // Zones smaller than a few pixels: a square in the class colour.
      var zonesInView = 0;
      if (m.hasLayer(zoneLayer)) {
        for (var k = 0; k < zoneBoxes.length; k++) {
          var b = zoneBoxes[k], bx0 = sx(b.x0 * scale), by0 = b.y0 * scale - oy;
          var bw = (b.x1 - b.x0) * scale, bh = (b.y1 - b.y0) * scale;
          if (bx0 > size.x || by0 > size.y || bx0 + bw < 0 || by0 + bh < 0) continue;
          zonesInView++;
          if (bw > 6 || bh > 6) continue;
          var zx = bx0 + bw / 2, zy = by0 + bh / 2;
          ctx.fillStyle = b.color + '40'; ctx.strokeStyle = b.color; ctx.lineWidth = 1;
          ctx.fillRect(zx - 3, zy - 3, 6, 6); ctx.strokeRect(zx - 3, zy - 3, 6, 6);
        }
      }

      var index = new Map(), cells = [], drawn = 0;
      for (var q = 0; q < P; q++) {
        if (!ptOK[q] || !visible[ptItem[q]]) continue;
        var wx = ptX[q] * scale, wy = ptY[q] * scale, x = sx(wx), y = wy - oy;
        if (x < -CELL_PX || y < -CELL_PX || x > size.x + CELL_PX || y > size.y + CELL_PX) continue;
        var key = Math.floor(wx / CELL_PX) * 4194304 + Math.floor(wy / CELL_PX), ci = index.get(key), cell;
        if (ci === undefined) {
          cell = { n: 0, x: 0, y: 0, sev: 0, pts: [] };
          index.set(key, cells.length);
          cells.push(cell);
        } else cell = cells[ci];
        cell.n++; cell.x += x; cell.y += y; cell.pts.push(q);
        var s = rows[ptItem[q]][SEV];
        if (s > cell.sev) cell.sev = s;
      }
      cells.sort(function (a, b) { return a.sev - b.sev || a.n - b.n; });
      ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
      ctx.font = 'bold 11px system-ui, "DejaVu Sans", Arial, sans-serif';
      for (var t = 0; t < cells.length; t++) {
        var e = cells[t];
        e.x /= e.n; e.y /= e.n;
        e.r = e.n === 1 ? 5 : Math.min(CELL_PX / 2, 9 + 4 * Math.log10(e.n)); // neighbours do not overlap much
        if (e.x < -e.r || e.y < -e.r || e.x > size.x + e.r || e.y > size.y + e.r) { e.r = 0; continue; }
        drawn += e.n;
        ctx.beginPath();
        ctx.arc(e.x, e.y, e.r, 0, 2 * Math.PI);
        ctx.fillStyle = SEV_COLOR[e.sev] || '#888';
        ctx.globalAlpha = e.n === 1 ? 1 : 0.85;
        ctx.fill();
        ctx.globalAlpha = 1;
        ctx.lineWidth = e.n === 1 ? 1.5 : 2;
        ctx.strokeStyle = '#fff';
        ctx.stroke();
        if (e.n > 1) {
          ctx.fillStyle = '#fff';
          ctx.fillText(short(e.n), e.x, e.y + 0.5);
        }
      }
      if (selected >= 0 && itemPt[selected] >= 0) {
        var sp = itemPt[selected], hx = sx(ptX[sp] * scale), hy = ptY[sp] * scale - oy;
        ctx.beginPath(); ctx.arc(hx, hy, 11, 0, 2 * Math.PI);
        ctx.lineWidth = 4; ctx.strokeStyle = '#fff'; ctx.stroke();
        ctx.lineWidth = 2; ctx.strokeStyle = '#111'; ctx.stroke();
      }
      this._cells = cells;
      // Where the largest mark is, in page coordinates, for tests and
      // tools that click on the map.
      var big = null, rect = m.getContainer().getBoundingClientRect();
      cells.forEach(function (e) { if (e.r && (!big || e.n > big.n)) big = e; });
      document.body.dataset.mapLargest = big ? Math.round(rect.left + big.x) + ',' + Math.round(rect.top + big.y) + ',' + big.n : '';
      var vb = m.getBounds();
      document.body.dataset.view = [vb.getSouth(), vb.getWest(), vb.getNorth(), vb.getEast()].map(function (v) { return v.toFixed(6); }).join(',') + ',' + z;
      document.body.dataset.zonesInView = String(zonesInView);
      document.body.dataset.mapDrawn = String(drawn);
      document.body.dataset.mapCells = String(cells.length);
    },
    // hit returns the index in _cells of the cell drawn at a container
    // point, the topmost first, or -1.
    hit: function (pt) {
      var cells = this._cells || [];
      for (var t = cells.length - 1; t >= 0; t--) {
        var e = cells[t], dx = pt.x - e.x, dy = pt.y - e.y;
        if (e.r && dx * dx + dy * dy <= (e.r + 3) * (e.r + 3)) return t;
      }
      return -1;
    },
    cell: function (t) { return this._cells[t]; }
  });
  var itemsLayer = new ItemsLayer();

  function cellPopup(cell, at) {
    var box = el('div', 'gw-pop');
    box.appendChild(el('strong', '', fmtInt(cell.n) + ' ' + noun + ' here'));
    var ul = box.appendChild(el('ul'));
    var seen = {}, shown = 0;
    for (var k = 0; k < cell.pts.length && shown < 12; k++) {
      var i = ptItem[cell.pts[k]];
      if (seen[i]) continue;
      seen[i] = true; shown++;
      var li = ul.appendChild(el('li')), a = li.appendChild(el('a', '', SEVN[rows[i][SEV]] + ' · ' + D.rules[rows[i][RULE]] + ' · ' + where(rows[i])));
      a.tabIndex = 0;
      a.addEventListener('click', (function (i) { return function () { select(i, false); scrollToItem(i); }; })(i));
    }
    if (cell.n > shown) box.appendChild(el('div', 'gw-note', 'and ' + fmtInt(cell.n - shown) + ' more: zoom in, or filter the table'));
    L.popup({ maxWidth: 380 }).setLatLng(at).setContent(box).openOn(map);
  }

  function scrollToItem(i) {
    var k = order.indexOf(i);
    if (k < 0) return;
    var y = k * ROW_H;
    if (y < rowsEl.scrollTop || y + ROW_H > rowsEl.scrollTop + rowsEl.clientHeight) rowsEl.scrollTop = Math.max(0, y - rowsEl.clientHeight / 2);
    renderRows();
  }

  map.on('click', function (e) {
    var t = itemsLayer.hit(e.containerPoint);
    if (t < 0) return;
    var cell = itemsLayer.cell(t);
    if (cell.n === 1) { select(ptItem[cell.pts[0]], false); scrollToItem(ptItem[cell.pts[0]]); return; }
    var b = L.latLngBounds([]);
    cell.pts.forEach(function (q) {
      var i = ptItem[q], k = 2 * (q - firstPt(i));
      b.extend([rows[i][PTS][k], rows[i][PTS][k + 1]]);
    });
    var z = map.getZoom(), target = Math.min(map.getBoundsZoom(b.pad(0.2)), map.getMaxZoom());
    if (target > z) map.fitBounds(b.pad(0.2), { maxZoom: map.getMaxZoom() });
    else cellPopup(cell, e.latlng);
  });
  map.on('mousemove', function (e) {
    map.getContainer().style.cursor = itemsLayer.hit(e.containerPoint) >= 0 ? 'pointer' : '';
  });
  map.on('moveend', function () { if ($('f-view').checked) applyFilters(); });

  // The selected item's details, in a box beside the map's edge rather
  // than a popup over the item, which would hide its zone.
  var detailsBox;
  var detailsCtl = L.control({ position: 'bottomright' });
  detailsCtl.onAdd = function () {
    detailsBox = el('div', 'gw-details leaflet-bar');
    detailsBox.hidden = true;
    L.DomEvent.disableClickPropagation(detailsBox);
    L.DomEvent.disableScrollPropagation(detailsBox);
    return detailsBox;
  };
  detailsCtl.addTo(map);
  function showDetails(i) {
    map.closePopup();
    detailsBox.textContent = '';
    var x = detailsBox.appendChild(el('button', 'gw-close-btn', '×'));
    x.type = 'button';
    x.title = 'Close';
    x.addEventListener('click', function () { detailsBox.hidden = true; });
    detailsBox.appendChild(details(i));
    detailsBox.hidden = false;
  }

  var legend = L.control({ position: 'bottomleft' });
  legend.onAdd = function () {
    var d = el('div', 'gw-maplegend');
    for (var s = SEVN.length - 1; s >= 1; s--) {
      if (!sevCount[s]) continue;
      d.appendChild(el('i')).style.background = SEV_COLOR[s];
      d.appendChild(document.createTextNode(SEVN[s]));
    }
    return d;
  };
  if (N) legend.addTo(map);

  var overlays = {};
  overlays['Zones'] = zoneLayer;
  overlays[noun.charAt(0).toUpperCase() + noun.slice(1)] = itemsLayer;
  overlays['Country outlines'] = baseLayer;
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);

  // Initial view: every drawable item, else every zone, else the world.
  function initialView() {
    if (drawable) {
      if (minLat === maxLat && minLon === maxLon) map.setView([minLat, minLon], MAX_FIT_ZOOM, { animate: false });
      else map.fitBounds([[minLat, minLon], [maxLat, maxLon]], { padding: [30, 30], maxZoom: MAX_FIT_ZOOM, animate: false });
    } else if (data.zones.length && zoneLayer.getBounds().isValid()) {
      map.fitBounds(zoneLayer.getBounds(), { padding: [20, 20], maxZoom: MAX_FIT_ZOOM, animate: false });
    } else {
      map.setView([20, 0], 2, { animate: false });
    }
  }
  initialView();
  $('f-reset').addEventListener('click', function () {
    map.closePopup();
    if (detailsBox) detailsBox.hidden = true;
    initialView();
  });
  corridorWidths();
  baseVisibility();
  itemsLayer.addTo(map);
  applyFilters();
  requestAnimationFrame(function () {
    document.body.dataset.state = 'ready';
  });
})();
