// The Kansrijke Start monitor: reads the indicators through the gateway's FHIR API ($evaluate-measure) with a
// monitoring reader's token; the map is drawn with ECharts (served by the gateway from its WebJar), the rest in SVG.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';
const EXCLUDED = 'https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-excluded-for-consent';
let token = null;
let measures = [];
// The report on screen, which the map redraws when another level is chosen.
let shown = null;
const geometry = {};
const CLASS_COLOURS = ['#deebf7', '#9ecae1', '#6baed6', '#3182bd', '#08519c'];
const NO_DATA = '#f4f5f6';
const SUPPRESSED = '#f3e9c6';
const HATCH = { symbol: 'rect', symbolSize: 1, color: '#8a6d00', dashArrayX: [1, 0], dashArrayY: [2, 3], rotation: Math.PI / 4 };

const $ = (id) => document.getElementById(id);

// People sign in with the OpenID Connect authorization code and PKCE (RFC 7636) as a public client: the page holds
// no secret. The endpoints come from the gateway's SMART discovery; the verifier and state live in sessionStorage
// only until the code comes back.
const CLIENT_ID = 'monitoring-dashboard';
const SCOPES = 'user/Measure.read user/MeasureReport.read';

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function redirectUri() {
  return location.origin + '/monitoring/';
}

async function smartConfiguration() {
  const response = await fetch('/.well-known/smart-configuration');
  if (!response.ok) {
    throw new Error('SMART discovery: ' + response.status);
  }
  return response.json();
}

async function signIn() {
  try {
    const configuration = await smartConfiguration();
    const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
    const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
    const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    sessionStorage.setItem('pkce', JSON.stringify({ verifier, state }));
    const query = new URLSearchParams({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: redirectUri(), scope: SCOPES,
      state, code_challenge: challenge, code_challenge_method: 'S256' });
    location.assign(configuration.authorization_endpoint + '?' + query);
  } catch (e) {
    $('sign-in-status').textContent = 'Sign-in failed: ' + e.message;
  }
}

/** Back from the identity provider with ?code=&state=: exchanges the code (with the verifier) for a token. */
async function completeSignIn() {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) {
    return;
  }
  const pending = JSON.parse(sessionStorage.getItem('pkce') || 'null');
  sessionStorage.removeItem('pkce');
  history.replaceState(null, '', redirectUri());
  if (params.has('error')) {
    $('sign-in-status').textContent = 'Sign-in refused: ' + params.get('error');
    return;
  }
  if (!pending || pending.state !== params.get('state')) {
    $('sign-in-status').textContent = 'Sign-in failed: the answer does not belong to this page\'s request';
    return;
  }
  const configuration = await smartConfiguration();
  const response = await fetch(configuration.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri(),
      client_id: CLIENT_ID, code_verifier: pending.verifier })
  });
  if (!response.ok) {
    $('sign-in-status').textContent = 'Sign-in failed (' + response.status + ')';
    return;
  }
  token = (await response.json()).access_token;
  const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  $('sign-in-status').textContent = 'Signed in as ' + (claims.preferred_username || claims.sub);
  $('sign-in').hidden = true;
  await loadMeasures();
  $('controls').hidden = false;
}

async function api(path, accept = 'application/fhir+json') {
  const response = await fetch(path, { headers: { 'Authorization': 'Bearer ' + token, 'Accept': accept } });
  if (!response.ok) {
    throw new Error(path + ': ' + response.status);
  }
  return response;
}

async function loadMeasures() {
  const bundle = await (await api('/fhir/Measure')).json();
  measures = (bundle.entry || []).map((e) => e.resource);
  const select = $('indicator');
  select.replaceChildren(...measures.map((m) => new Option(m.title, m.id)));
}

function measure() {
  return measures.find((m) => m.id === $('indicator').value);
}

function multiplier(m) {
  const ext = (m.extension || []).find((e) => e.url.endsWith('ks-ext-score-multiplier'));
  return ext ? ext.valueInteger : 1;
}

function isMedian(m) {
  return m.scoring.coding[0].code === 'continuous-variable';
}

/** Why a score is missing: 'masked' (suppressed) or 'not-applicable' (nobody in the denominator). */
function absent(quantity) {
  const e = ((quantity && quantity.extension) || []).find((x) => x.url === DATA_ABSENT);
  return e ? e.valueCode : null;
}

/** A score for display: a percentage, per 1000, or days; 'suppressed', or '–' when there is nobody to count. */
function format(m, quantity) {
  if (!quantity || quantity.value === undefined) {
    return absent(quantity) === 'masked' ? 'suppressed' : '–';
  }
  if (isMedian(m)) {
    return quantity.value.toFixed(1) + ' d';
  }
  return multiplier(m) === 1000 ? quantity.value.toFixed(1) + ' ‰' : (quantity.value * 100).toFixed(1) + '%';
}

function count(populations, code) {
  const p = (populations || []).find((x) => x.code.coding[0].code === code);
  if (!p) {
    return null;
  }
  return p.count === undefined ? 'suppressed' : p.count;
}

/** The chosen period as [start, end] months: a calendar month, quarter or year (the gateway's fixed grid). */
function period() {
  const year = $('year').value;
  const choice = $('period').value;
  if (choice === 'year') {
    return [year + '-01', year + '-12'];
  }
  if (choice.startsWith('Q')) {
    const first = (Number(choice.slice(1)) - 1) * 3 + 1;
    return [year + '-' + String(first).padStart(2, '0'), year + '-' + String(first + 2).padStart(2, '0')];
  }
  return [year + '-' + choice, year + '-' + choice];
}

async function show() {
  const m = measure();
  const [start, end] = period();
  $('status').textContent = 'Loading…';
  try {
    const report = await (await api('/fhir/Measure/' + m.id + '/$evaluate-measure?periodStart=' + start + '&periodEnd=' + end)).json();
    render(m, report, start, end);
    $('status').textContent = '';
  } catch (e) {
    $('status').textContent = 'Could not load: ' + e.message;
  }
}

function render(m, report, start, end) {
  const group = report.group[0];
  const national = format(m, group.measureScore);
  const nationalValue = group.measureScore && group.measureScore.value !== undefined ? group.measureScore.value : null;
  const excluded = (group.extension || []).find((e) => e.url === EXCLUDED);
  const excludedText = excluded && excluded.valueInteger !== undefined ? excluded.valueInteger : 'suppressed';
  $('title').textContent = m.title + ', ' + start + ' to ' + end;
  $('summary').textContent = 'National: ' + national + '. Left out for consent: ' + excludedText + '.';
  const rowsOf = (stratifier) => ((stratifier && stratifier.stratum) || []).map((s) => ({
    municipality: s.value.coding[0].code,
    name: s.value.coding[0].display || '',
    numerator: isMedian(m) ? '' : count(s.population, 'numerator'),
    denominator: isMedian(m) ? count(s.population, 'measure-population') : count(s.population, 'denominator'),
    score: format(m, s.measureScore),
    value: s.measureScore && s.measureScore.value !== undefined ? s.measureScore.value : null,
    masked: absent(s.measureScore) === 'masked'
  }));
  const rows = rowsOf((group.stratifier || [])[0]);
  const regions = rowsOf((group.stratifier || [])[1]);
  const yearly = start.endsWith('-01') && end.endsWith('-12');
  $('grid-note').textContent = yearly ? ''
    : 'Municipalities are published per year' + (start === end ? ', GGD regions per quarter and year' : '') + ' (small counts).';
  fillTable($('cells'), 'municipality', rows, national);
  fillTable($('regions'), 'region', regions, national);
  drawBars(rows, nationalValue);
  shown = { m, rows, regions, national, nationalValue, title: $('title').textContent };
  const select = $('trend-municipality');
  const chosen = select.value;
  select.replaceChildren(...regions.concat(rows).map((r) => new Option(r.municipality, r.municipality)));
  if ([...select.options].some((o) => o.value === chosen)) {
    select.value = chosen;
  }
  $('results').hidden = false;
  drawMap();
  if (select.options.length > 0) {
    drawTrend();
  }
}

/**
 * Up to five classes, each about a fifth of the published scores (fewer when scores repeat, so that a score is in one
 * class only): [{from, to, colour}], ascending.
 */
function classesOf(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  const n = CLASS_COLOURS.length;
  const classes = [];
  for (let i = 0; i < n; i++) {
    const hi = Math.floor(((i + 1) * sorted.length) / n) - 1;
    const previous = classes.length > 0 ? classes[classes.length - 1].to : -Infinity;
    if (hi < 0 || sorted[hi] <= previous) {
      continue;
    }
    classes.push({ from: sorted.find((v) => v > previous), to: sorted[hi], colour: CLASS_COLOURS[i] });
  }
  return classes;
}

async function mapGeometry(level) {
  if (!geometry[level]) {
    geometry[level] = await (await api('/monitoring/api/map/' + level + '.geojson', 'application/geo+json')).json();
    echarts.registerMap('ks-' + level, geometry[level]);
  }
  return geometry[level];
}

/** The chosen level's areas coloured by class of score, suppressed ones hatched, with a legend and the national value. */
async function drawMap() {
  const level = $('map-level').value;
  const { m, national, nationalValue } = shown;
  const rows = level === 'regions' ? shown.regions : shown.rows;
  let areas;
  try {
    areas = await mapGeometry(level);
  } catch (e) {
    $('map-national').textContent = 'Could not load the map: ' + e.message + '. The tables below hold the same figures.';
    return;
  }
  const classes = classesOf(rows.filter((r) => !r.masked && r.value !== null).map((r) => r.value));
  const byCode = new Map(rows.map((r) => [r.municipality, r]));
  const data = areas.features.map((f) => {
    const row = byCode.get(f.properties.code) || null;
    const mapClass = !row || (!row.masked && row.value === null) ? 'none'
      : row.masked ? 'suppressed' : String(classes.findIndex((c) => row.value <= c.to));
    const style = mapClass === 'suppressed' ? { areaColor: SUPPRESSED, decal: HATCH }
      : { areaColor: mapClass === 'none' ? NO_DATA : classes[Number(mapClass)].colour };
    return {
      name: f.properties.code, value: row && !row.masked ? row.value : null, areaName: f.properties.name, row, mapClass,
      itemStyle: style, emphasis: { itemStyle: { ...style, borderColor: '#1d2733', borderWidth: 1.5 } }
    };
  });
  const tooltip = (p) => {
    const d = p.data;
    const lines = [d.areaName + ' (' + d.name + ')'];
    if (!d.row) {
      lines.push('no data');
    } else if (d.row.masked) {
      lines.push('suppressed');
    } else {
      lines.push('score ' + d.row.score, (isMedian(m) ? '' : 'numerator ' + d.row.numerator + ', ') + 'denominator ' + d.row.denominator);
    }
    lines.push('national ' + national);
    return lines.map((l) => l.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c])).join('<br>');
  };
  const chart = echarts.getInstanceByDom($('map')) || echarts.init($('map'), null, { renderer: 'svg' });
  chart.setOption({
    tooltip: { trigger: 'item', triggerOn: 'mousemove|click', className: 'map-tip', formatter: tooltip },
    series: [{
      type: 'map', map: 'ks-' + level, nameProperty: 'code', aspectScale: 0.62, roam: true, selectedMode: false,
      label: { show: false }, emphasis: { label: { show: false } }, itemStyle: { borderColor: '#b8c2cc', borderWidth: 0.5 }, data
    }]
  }, true);
  $('map').dataset.areas = JSON.stringify(Object.fromEntries(data.map((d) => [d.name, d.mapClass])));
  $('map').dataset.shows = shown.title + ' / ' + level;
  drawLegend(m, classes, nationalValue, national);
}

function drawLegend(m, classes, nationalValue, national) {
  const item = (attributes, colour, text) => {
    const li = document.createElement('li');
    Object.assign(li.dataset, attributes);
    const key = document.createElement('span');
    key.className = 'key' + (colour === null ? ' suppressed' : '');
    if (colour !== null) {
      key.style.background = colour;
    }
    li.append(key, text);
    return li;
  };
  const label = (v) => format(m, { value: v });
  const items = classes.map((c, i) => {
    const li = item({ class: String(i), from: c.from, to: c.to, colour: c.colour }, c.colour,
      c.from === c.to ? label(c.from) : label(c.from) + ' – ' + label(c.to));
    if (nationalValue !== null && nationalValue >= c.from && nationalValue <= c.to) {
      li.classList.add('national');
      li.append(' (national)');
    }
    return li;
  });
  items.push(item({ class: 'suppressed' }, null, 'suppressed'), item({ class: 'none' }, NO_DATA, 'no data'));
  $('map-legend').replaceChildren(...items);
  $('map-national').textContent = 'National: ' + national;
}

function fillTable(table, level, rows, national) {
  table.tBodies[0].replaceChildren(...rows.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset[level] = r.municipality;
    for (const [name, value] of [[level, r.municipality], ['name', r.name], ['numerator', r.numerator], ['denominator', r.denominator],
      ['score', r.score], ['national', national]]) {
      const td = document.createElement('td');
      td.className = name + (value === 'suppressed' ? ' suppressed' : '');
      td.textContent = value;
      tr.appendChild(td);
    }
    return tr;
  }));
}

function el(name, attributes, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) {
    e.setAttribute(k, v);
  }
  if (text !== undefined) {
    e.textContent = text;
  }
  return e;
}

function hatch() {
  const defs = el('defs', {});
  const pattern = el('pattern', { id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
  pattern.appendChild(el('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#8a6d00', 'stroke-width': 2 }));
  defs.appendChild(pattern);
  return defs;
}

function drawBars(rows, national) {
  const svg = $('bars');
  svg.replaceChildren(hatch());
  const width = svg.clientWidth || 900;
  const height = 280;
  const top = 20;
  const bottom = 40;
  const max = Math.max(national || 0, ...rows.map((r) => r.value || 0)) * 1.15 || 1;
  const step = (width - 60) / Math.max(rows.length, 1);
  const y = (v) => height - bottom - (v / max) * (height - top - bottom);
  svg.appendChild(el('line', { class: 'axis', x1: 50, y1: height - bottom, x2: width - 10, y2: height - bottom }));
  rows.forEach((r, i) => {
    const x = 55 + i * step;
    const w = Math.max(step * 0.7, 2);
    if (r.masked) {
      svg.appendChild(el('rect', { class: 'bar suppressed', x, y: top, width: w, height: height - top - bottom, 'data-municipality': r.municipality }));
    } else if (r.value === null) {
      // Nobody to count: an empty bar.
      svg.appendChild(el('rect', { class: 'bar empty', x, y: height - bottom, width: w, height: 0, 'data-municipality': r.municipality }));
    } else {
      svg.appendChild(el('rect', { class: 'bar', x, y: y(r.value), width: w, height: height - bottom - y(r.value), 'data-municipality': r.municipality, 'data-value': r.value }));
    }
    // With hundreds of municipalities the codes would overlap: the map and the table name them.
    if (step >= 40) {
      svg.appendChild(el('text', { class: 'label', x: x + w / 2, y: height - bottom + 14, 'text-anchor': 'middle' }, r.municipality));
    }
  });
  if (national !== null) {
    svg.appendChild(el('line', { id: 'national-line', class: 'national-line', x1: 50, y1: y(national), x2: width - 10, y2: y(national), 'data-value': national }));
    svg.appendChild(el('text', { class: 'label', x: width - 12, y: y(national) - 4, 'text-anchor': 'end' }, 'national'));
  }
}

/** The stratum of a code in a report asked for it: a municipality's or a region's. */
function stratumOf(group, code) {
  const stratifier = (group.stratifier || [])[code.startsWith('GG') ? 1 : 0];
  return ((stratifier && stratifier.stratum) || []).find((s) => s.value.coding[0].code === code);
}

async function drawTrend() {
  const m = measure();
  const code = $('trend-municipality').value;
  const year = $('year').value;
  const value = (q) => (q && q.value !== undefined ? q.value : null);
  // The quarters of the year, each its own report, for a region; a municipality is published per year only.
  const points = !code.startsWith('GG') ? [] : await Promise.all([1, 2, 3, 4].map(async (q) => {
    const first = year + '-' + String(3 * q - 2).padStart(2, '0');
    const last = year + '-' + String(3 * q).padStart(2, '0');
    const report = await (await api('/fhir/Measure/' + m.id + '/$evaluate-measure?periodStart=' + first + '&periodEnd=' + last
      + '&region=' + code)).json();
    const group = report.group[0];
    const stratum = stratumOf(group, code);
    return { quarter: first, label: 'Q' + q, municipality: stratum ? value(stratum.measureScore) : null, national: value(group.measureScore) };
  }));
  drawLines($('trend'), points);
  $('trend-note').textContent = code.startsWith('GG') ? '' : 'A municipality is published per year: see the years side by side.';
  // The years side by side: each year's figure of the municipality or region beside the national one.
  const response = await fetch('/monitoring/api/' + m.id + '/trend?code=' + code,
    { headers: { 'Authorization': 'Bearer ' + token, 'Accept': 'application/json' } });
  const years = response.ok ? await response.json() : [];
  drawLines($('year-trend'), years.map((p) => ({ year: p.year, label: String(p.year), municipality: p.score, national: p.nationalScore })));
}

/** Two lines over the points (municipality or region, and national); a suppressed point breaks its line. */
function drawLines(svg, points) {
  svg.replaceChildren();
  const width = svg.clientWidth || 900;
  const height = 220;
  const max = Math.max(...points.flatMap((p) => [p.municipality || 0, p.national || 0])) * 1.15 || 1;
  const x = (i) => 50 + i * ((width - 70) / Math.max(points.length - 1, 1));
  const y = (v) => height - 30 - (v / max) * (height - 50);
  svg.appendChild(el('line', { class: 'axis', x1: 50, y1: height - 30, x2: width - 10, y2: height - 30 }));
  for (const [key, cls] of [['municipality', 'trend-municipality'], ['national', 'trend-national']]) {
    let run = [];
    const flush = () => {
      if (run.length > 0) {
        svg.appendChild(el('polyline', { class: cls, points: run.join(' ') }));
      }
      run = [];
    };
    points.forEach((p, i) => (p[key] === null ? flush() : run.push(x(i) + ',' + y(p[key]))));
    flush();
  }
  points.forEach((p, i) => svg.appendChild(el('text', { class: 'label', x: x(i), y: height - 14, 'text-anchor': 'middle' }, p.label)));
  svg.dataset.points = JSON.stringify(points);
}

async function save(path, filename) {
  const response = await fetch(path, { headers: { 'Authorization': 'Bearer ' + token } });
  const blob = await response.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function download() {
  const m = measure();
  const [start, end] = period();
  return save('/monitoring/api/' + m.id + '.csv?periodStart=' + start + '&periodEnd=' + end, m.id + '_' + start + '_' + end + '.csv');
}

function downloadYear() {
  const year = $('year').value;
  return save('/monitoring/api/year/' + year + '.csv', 'kansrijke-start-' + year + '.csv');
}

document.addEventListener('DOMContentLoaded', () => {
  $('sign-in').addEventListener('click', signIn);
  completeSignIn().catch((e) => { $('sign-in-status').textContent = 'Sign-in failed: ' + e.message; });
  $('show').addEventListener('click', show);
  $('download').addEventListener('click', download);
  $('download-year').addEventListener('click', downloadYear);
  $('trend-municipality').addEventListener('change', drawTrend);
  $('map-level').addEventListener('change', drawMap);
});
