#!/usr/bin/env node
// Regenerates every sample heap snapshot in this folder, plus expected.json and the generated
// section of README.md.   Usage:  node sample-snapshots/generate.mjs [small-app] [leak] [growth]
// Needs Node 20+ and Chromium (/usr/bin/chromium, or set CHROMIUM=/path/to/chrome). No npm packages.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, openPage, evaluate, heapIdOf, runNamedScript, takeHeapSnapshot } from './lib/cdp.mjs';
import { Snapshot } from './lib/snapshot.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAX_FILE_BYTES = 3_000_000;
const MAX_TOTAL_BYTES = 25_000_000;
const expectedPath = path.join(here, 'expected.json');

function check(cond, msg) { if (!cond) throw new Error(`check failed: ${msg}`); }

let currentBrowser = '';

async function withPage(out, fn) {
  const browser = await launchChromium();
  try {
    const version = await browser.send('Browser.getVersion');
    out.chromium = version.product;
    out.v8 = version.jsVersion;
    currentBrowser = `${version.product} (V8 ${version.jsVersion})`;
    const page = await openPage(browser);
    await page.send('HeapProfiler.enable');
    return await fn(browser, page, version);
  } finally {
    await browser.close();
  }
}

async function loadPageScript(page, name) {
  const src = fs.readFileSync(path.join(here, 'pages', name), 'utf8');
  await evaluate(page, `${src}\nvoid 0;\n//# sourceURL=${name}\n`);
}

// Takes a snapshot, writes it, and returns facts about it (header, max JS id, raw-name counts).
async function snapshotTo(browser, page, file, countSpec) {
  const text = await takeHeapSnapshot(browser, page);
  fs.writeFileSync(path.join(here, file), text);
  const snap = new Snapshot(text);
  const counts = {};
  for (const [label, [type, name]] of Object.entries(countSpec)) counts[label] = snap.count(type, name);
  const info = {
    chromium: currentBrowser,
    bytes: Buffer.byteLength(text),
    sha256: crypto.createHash('sha256').update(text).digest('hex'),
    ...snap.header(),
    node_fields: snap.meta.node_fields,
    location_fields: snap.meta.location_fields,
    sections: snap.sections(),
    strings_chars: snap.stringChars(),
    max_js_object_id: snap.maxJsObjectId(),
    counts_in_snapshot: counts,
  };
  console.error(`${file}: ${info.bytes} bytes, ${info.node_count} nodes, ${info.edge_count} edges, max JS id ${info.max_js_object_id}`);
  return { info, snap };
}

function presentIds(snap, ids) {
  return Object.fromEntries(Object.entries(ids).filter(([, id]) => snap.indexOfId(id) >= 0));
}

// ---------------------------------------------------------------------------------------------
async function smallApp(out) {
  await withPage(out, async (browser, page) => {
    await loadPageScript(page, 'small-app.js');
    const app = await evaluate(page, `({
      Author: authors.length, Book: books.length, Inventory: 1, ShoppingCart: carts.length, EventBus: 1,
      customers_id_name_email: customers.length, addresses_street_city_zip: addresses.length,
      receipts_customer_total_label: receipts.length, inventory_books_map_size: inventory.books.size,
      bookStats_weakmap_entries: books.filter((b) => bookStats.has(b)).length,
      priceHistory_Float64Array_length: priceHistory.length, thumbnail_Uint8Array_length: thumbnail.length,
      detached_elements: 2 })`);
    const spec = {
      Author: ['object', 'Author'], Book: ['object', 'Book'], Inventory: ['object', 'Inventory'],
      ShoppingCart: ['object', 'ShoppingCart'], EventBus: ['object', 'EventBus'],
      Map: ['object', 'Map'], WeakMap: ['object', 'WeakMap'],
      count_closure: ['closure', 'count'],
    };
    const { info, snap } = await snapshotTo(browser, page, 'small-app.heapsnapshot', spec);
    for (const k of ['Author', 'Book', 'Inventory', 'ShoppingCart', 'EventBus']) check(info.counts_in_snapshot[k] === app[k], `small-app ${k}`);
    const ids = {
      root: 1,
      'Inventory#books (Map)': await heapIdOf(page, 'inventory.books'),
      'Book (emoji title)': await heapIdOf(page, 'books[12]'),
      'Author 村上春樹': await heapIdOf(page, 'authors[2]'),
      'customers[0] {id, name, email}': await heapIdOf(page, 'customers[0]'),
      'bookStats (WeakMap)': await heapIdOf(page, 'bookStats'),
      'thumbnail (Uint8Array)': await heapIdOf(page, 'thumbnail'),
      'detachedPanel (HTMLDivElement wrapper)': await heapIdOf(page, 'detachedPanel'),
      'pageViews (closure count)': await heapIdOf(page, 'pageViews'),
    };
    for (const [k, id] of Object.entries(ids)) check(snap.indexOfId(id) >= 0, `small-app id ${k}=${id} in snapshot`);
    out.files['small-app.heapsnapshot'] = info;
    out.small_app = { page_counts: app, ids };
    out.golden_ids['small-app.heapsnapshot'] = Object.values(ids);
  });
}

// ---------------------------------------------------------------------------------------------
const LEAK = {
  warmup: { requests: [0, 12], samples: 20 },
  target: { requests: [12, 312], samples: 150, uploads: 45 },
  final: { requests: [312, 342], samples: 25 },
};

function listenersIn([from, to]) { let n = 0; for (let i = from; i < to; i++) if (i % 3 !== 0) n++; return n; }

const LEAK_URL = 'https://shop.example.test/js/leak.js';

async function leak(out) {
  await withPage(out, async (browser, page) => {
    // Run under a URL, as a page's <script src> is: locations then name the file (leak.js:14:14).
    await runNamedScript(page, fs.readFileSync(path.join(here, 'pages', 'leak.js'), 'utf8'), LEAK_URL);
    const waitForSamples = () => evaluate(page, `new Promise((resolve) => {
      const t = setInterval(() => { if (metricBudget === 0) { clearInterval(t); resolve(leakStats()); } }, 5);
    })`);
    const spec = {
      CachedSession: ['object', 'CachedSession'], RequestContext: ['object', 'RequestContext'],
      MetricSample: ['object', 'MetricSample'], TempBuffer: ['object', 'TempBuffer'],
      PendingUpload: ['object', 'PendingUpload'], onInvalidate_closure: ['closure', 'onInvalidate'],
    };
    const snaps = {};
    const stats = {};
    const phase = async (label, p, fn) => {
      await evaluate(page, `runRequests(${p.requests[0]}, ${p.requests[1]}); allowMetricSamples(${p.samples}); ${fn || ''}`);
      stats[label] = await waitForSamples();
      snaps[label] = await snapshotTo(browser, page, `leak-${label}.heapsnapshot`, spec);
    };
    await phase('s1', LEAK.warmup);
    await phase('s2', LEAK.target, `startUploads(${LEAK.target.uploads});`);
    await phase('s3', LEAK.final, 'finishUploads();');

    // Expected live counts per snapshot, from the scenario definition.
    const cum = (k, f) => ['warmup', 'target', 'final'].slice(0, k).reduce((a, ph) => a + f(LEAK[ph]), 0);
    const expect = (k) => ({
      CachedSession: cum(k, (p) => p.requests[1] - p.requests[0]),
      RequestContext: cum(k, (p) => listenersIn(p.requests)),
      onInvalidate_closure: cum(k, (p) => listenersIn(p.requests)),
      MetricSample: cum(k, (p) => p.samples),
      TempBuffer: 0,
      PendingUpload: k === 2 ? LEAK.target.uploads : 0,
    });
    ['s1', 's2', 's3'].forEach((s, i) => {
      const want = expect(i + 1);
      const got = snaps[s].info.counts_in_snapshot;
      for (const k of Object.keys(want)) check(got[k] === want[k], `leak ${s} ${k}: snapshot has ${got[k]}, expected ${want[k]}`);
      check(stats[s].sessionCache_size === want.CachedSession && stats[s].listeners === want.onInvalidate_closure
        && stats[s].metricSamples_length === want.MetricSample, `leak ${s} page stats ${JSON.stringify(stats[s])}`);
    });

    // Ids (taken after s3, so they cannot influence any snapshot).
    const s3 = snaps.s3.snap;
    const ctxIdx = s3.findByStringProperty('RequestContext', 'requestId', 'req-0100');
    check(ctxIdx.length === 1, 'RequestContext req-0100 found once');
    const fnIdx = s3.findClosuresCapturing('onInvalidate', 'ctx', ctxIdx[0]);
    check(fnIdx.length === 1, 'onInvalidate closure capturing req-0100 found once');
    const ids = {
      root: 1,
      'sessionCache (Map)': await heapIdOf(page, 'sessionCache'),
      'appEvents (EventTarget)': await heapIdOf(page, 'appEvents'),
      'metricSamples (Array)': await heapIdOf(page, 'metricSamples'),
      'CachedSession sess-0005 (before s1)': await heapIdOf(page, 'sessionCache.get("sess-0005")'),
      'CachedSession sess-0100 (between s1 and s2)': await heapIdOf(page, 'sessionCache.get("sess-0100")'),
      'CachedSession sess-0320 (between s2 and s3)': await heapIdOf(page, 'sessionCache.get("sess-0320")'),
      'RequestContext req-0100 (between s1 and s2)': s3.id(ctxIdx[0]),
      'onInvalidate closure capturing req-0100': s3.id(fnIdx[0]),
      'MetricSample #50 (between s1 and s2)': await heapIdOf(page, 'metricSamples[50]'),
    };
    for (const [k, id] of Object.entries(ids)) check(s3.indexOfId(id) >= 0, `leak id ${k}=${id} in s3`);
    const max = Object.fromEntries(['s1', 's2', 's3'].map((s) => [s, snaps[s].info.max_js_object_id]));
    check(ids['CachedSession sess-0100 (between s1 and s2)'] > max.s1 && ids['CachedSession sess-0100 (between s1 and s2)'] <= max.s2, 'sess-0100 id in (max s1, max s2]');
    check(ids['CachedSession sess-0005 (before s1)'] <= max.s1, 'sess-0005 id <= max s1');
    check(ids['CachedSession sess-0320 (between s2 and s3)'] > max.s2, 'sess-0320 id > max s2');

    for (const s of ['s1', 's2', 's3']) {
      out.files[`leak-${s}.heapsnapshot`] = snaps[s].info;
      out.golden_ids[`leak-${s}.heapsnapshot`] = Object.values(presentIds(snaps[s].snap, ids));
    }
    out.leak = {
      scenario: {
        requests_before_s1: LEAK.warmup.requests, requests_s1_to_s2: LEAK.target.requests, requests_s2_to_s3: LEAK.final.requests,
        listener_rule: 'request i subscribes an onInvalidate listener iff i % 3 !== 0',
        metric_samples_before_s1: LEAK.warmup.samples, metric_samples_s1_to_s2: LEAK.target.samples, metric_samples_s2_to_s3: LEAK.final.samples,
        pending_uploads: 'startUploads(45) between s1 and s2 (alive in s2), finishUploads() before s3',
        temp_buffers: '3 TempBuffer per request, unreachable when the request returns',
      },
      page_stats: stats,
      live_counts: Object.fromEntries(['s1', 's2', 's3'].map((s) => [s, snaps[s].info.counts_in_snapshot])),
      created_s1_to_s2_alive_in_s3: {
        CachedSession: LEAK.target.requests[1] - LEAK.target.requests[0],
        RequestContext: listenersIn(LEAK.target.requests),
        onInvalidate_closure: listenersIn(LEAK.target.requests),
        MetricSample: LEAK.target.samples,
        PendingUpload: 0,
        TempBuffer: 0,
      },
      created_s2_to_s3_alive_in_s3: {
        CachedSession: LEAK.final.requests[1] - LEAK.final.requests[0],
        RequestContext: listenersIn(LEAK.final.requests),
        onInvalidate_closure: listenersIn(LEAK.final.requests),
        MetricSample: LEAK.final.samples,
      },
      ids,
    };
  });
}

// ---------------------------------------------------------------------------------------------
const GROWTH_STEPS = 5;

async function growth(out) {
  await withPage(out, async (browser, page) => {
    await loadPageScript(page, 'growth.js');
    const spec = {
      Order: ['object', 'Order'], AuditLogEntry: ['object', 'AuditLogEntry'], Customer: ['object', 'Customer'],
      Product: ['object', 'Product'], CartDraft: ['object', 'CartDraft'],
    };
    const per = {};
    const snaps = [];
    for (let k = 1; k <= GROWTH_STEPS; k++) {
      const stats = await evaluate(page, `growthStep(${k}); growthStats()`);
      const file = `growth-${k}.heapsnapshot`;
      const { info, snap } = await snapshotTo(browser, page, file, spec);
      for (const c of Object.keys(spec)) check(info.counts_in_snapshot[c] === stats[c], `${file} ${c}: snapshot ${info.counts_in_snapshot[c]} page ${stats[c]}`);
      per[file] = stats;
      out.files[file] = info;
      snaps.push([file, snap]);
    }
    const ids = {
      root: 1,
      'orders (Array)': await heapIdOf(page, 'orders'),
      'Order #0 (step 1)': await heapIdOf(page, 'orders[0]'),
      'Order #900 (step 5)': await heapIdOf(page, 'orders[900]'),
      'auditLog (Array)': await heapIdOf(page, 'auditLog'),
      'Product SKU-00007': await heapIdOf(page, 'products[7]'),
    };
    for (const [file, snap] of snaps) out.golden_ids[file] = Object.values(presentIds(snap, ids));
    out.growth = { per_snapshot: per, ids };
  });
}

// ---------------------------------------------------------------------------------------------
const DOM_URL = 'https://shop.example.test/js/dom.js';

async function dom(out) {
  await withPage(out, async (browser, page) => {
    await evaluate(page, `document.body.innerHTML = '<main id="app"></main>'`);
    await runNamedScript(page, fs.readFileSync(path.join(here, 'pages', 'dom.js'), 'utf8'), DOM_URL);
    const stats = await evaluate(page, 'domStats()');
    const spec = { RowWidget: ['object', 'RowWidget'], HTMLTableElement: ['native', 'HTMLTableElement'] };
    const { info, snap } = await snapshotTo(browser, page, 'dom.heapsnapshot', spec);
    check(info.counts_in_snapshot.RowWidget === stats.RowWidget, `RowWidget: snapshot ${info.counts_in_snapshot.RowWidget} page ${stats.RowWidget}`);
    out.files['dom.heapsnapshot'] = info;
    const ids = { root: 1, 'removedTables (Array)': await heapIdOf(page, 'removedTables') };
    out.golden_ids['dom.heapsnapshot'] = Object.values(presentIds(snap, ids));
    out.dom = { script_url: DOM_URL, page_stats: stats, ids };
  });
}

// ---------------------------------------------------------------------------------------------
function fmtTable(rows) {
  const head = rows[0];
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.slice(1).map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function readmeSection(e) {
  const lines = [];
  const browsers = [...new Set(Object.values(e.files).map((i) => i.chromium).filter(Boolean))];
  lines.push(`Generated with ${browsers.join(' and ')} by Node ${e.node} (each file's browser is in expected.json).`, '');
  lines.push(fmtTable([['file', 'bytes', 'node_count', 'edge_count', 'extra_native_bytes', 'strings (count / chars)', 'max JS object id'],
    ...Object.entries(e.files).map(([f, i]) => [f, i.bytes, i.node_count, i.edge_count, i.extra_native_bytes ?? '—',
      `${i.sections.strings} / ${i.strings_chars}`, i.max_js_object_id])]));
  const total = Object.values(e.files).reduce((a, i) => a + i.bytes, 0);
  lines.push('', `Total: ${total} bytes.`, '');
  if (e.leak) {
    lines.push('### leak: live instances per snapshot (raw V8 node names; closures are DevTools class `Function`)', '');
    const L = e.leak.live_counts;
    lines.push(fmtTable([['class', 's1', 's2', 's3', 'created s1→s2, alive in s3', 'created s2→s3, alive in s3'],
      ...Object.keys(L.s1).map((k) => [k, L.s1[k], L.s2[k], L.s3[k], e.leak.created_s1_to_s2_alive_in_s3[k] ?? '', e.leak.created_s2_to_s3_alive_in_s3[k] ?? ''])]));
    lines.push('', 'Page state at each snapshot (`leakStats()`):', '');
    const S = e.leak.page_stats;
    lines.push(fmtTable([['value', 's1', 's2', 's3'], ...Object.keys(S.s1).map((k) => [k, S.s1[k], S.s2[k], S.s3[k]])]));
    lines.push('', 'Object ids (same id in every snapshot that contains the object):', '');
    lines.push(fmtTable([['object', 'id'], ...Object.entries(e.leak.ids).map(([k, v]) => [k, v])]));
    lines.push('');
  }
  if (e.growth) {
    lines.push('### growth: live instances per snapshot', '');
    const P = e.growth.per_snapshot;
    const files = Object.keys(P);
    lines.push(fmtTable([['class', ...files.map((f) => f.replace('.heapsnapshot', ''))], ...Object.keys(P[files[0]]).map((k) => [k, ...files.map((f) => P[f][k])])]));
    lines.push('', fmtTable([['object', 'id'], ...Object.entries(e.growth.ids).map(([k, v]) => [k, v])]), '');
  }
  if (e.dom) {
    lines.push('### dom (script loaded as ' + e.dom.script_url + ')', '');
    lines.push(fmtTable([['value', 'count'], ...Object.entries(e.dom.page_stats).map(([k, v]) => [k, v])]));
    lines.push('', fmtTable([['object', 'id'], ...Object.entries(e.dom.ids).map(([k, v]) => [k, v])]), '');
  }
  if (e.small_app) {
    lines.push('### small-app', '');
    lines.push(fmtTable([['value', 'count'], ...Object.entries(e.small_app.page_counts).map(([k, v]) => [k, v])]));
    lines.push('', fmtTable([['object', 'id'], ...Object.entries(e.small_app.ids).map(([k, v]) => [k, v])]), '');
  }
  return lines.join('\n');
}

function updateReadme(e) {
  const file = path.join(here, 'README.md');
  const begin = '<!-- BEGIN GENERATED (generate.mjs) -->';
  const end = '<!-- END GENERATED -->';
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `${begin}\n${end}\n`;
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) { console.error('README.md has no generated-section markers; not updated'); return; }
  fs.writeFileSync(file, `${text.slice(0, a + begin.length)}\n${readmeSection(e)}\n${text.slice(b)}`);
}

const all = { 'small-app': smallApp, leak, growth, dom };
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(all);
for (const w of wanted) check(all[w], `unknown set ${w}; choose from ${Object.keys(all).join(', ')}`);
const prev = fs.existsSync(expectedPath) ? JSON.parse(fs.readFileSync(expectedPath, 'utf8')) : {};
const out = { ...prev, node: process.version, files: { ...(prev.files || {}) }, golden_ids: { ...(prev.golden_ids || {}) } };
for (const w of wanted) {
  for (const f of Object.keys(out.files)) if (f.startsWith(w === 'small-app' || w === 'dom' ? w : `${w}-`)) { delete out.files[f]; delete out.golden_ids[f]; }
  await all[w](out);
}
let total = 0;
for (const [f, i] of Object.entries(out.files)) { check(i.bytes <= MAX_FILE_BYTES, `${f} is ${i.bytes} bytes (> ${MAX_FILE_BYTES})`); total += i.bytes; }
check(total <= MAX_TOTAL_BYTES, `all snapshots together are ${total} bytes (> ${MAX_TOTAL_BYTES})`);
fs.writeFileSync(expectedPath, `${JSON.stringify(out, null, 2)}\n`);
updateReadme(out);
console.error(`wrote ${Object.keys(out.files).length} snapshots (${total} bytes), expected.json, README.md`);
