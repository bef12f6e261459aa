#!/usr/bin/env node
// Writes THREE large heap snapshots of ONE process for the three-snapshot leak method (`heapsift leaks S1 S2 S3`):
//   s1  baseline: the make-synthetic.js heap (Customer/Order units in a Map and an array), ~1.5 GB by default
//   s2  after planting leaks: LeakedSession objects in a module-level Map that never evicts and LeakedListener
//       objects (each holding a closure) pushed onto a long-lived array; plus PendingRequest objects that are
//       alive at s2 but released before s3 (must NOT be reported), and transient garbage that dies before s2
//   s3  after releasing the PendingRequests, more transient garbage and a few late leaks (created after s2, so
//       not in s2: must NOT be reported either)
// A few LeakedSession/LeakedListener objects already exist before s1 (in s1, so not leaks by the method).
// The expected answer -- objects new in s2 (not in s1) and alive in s3 -- is exactly the leaks planted between
// s1 and s2; the counts go to the stats JSON (default /work/big/series.stats.json) with every file's header facts.
// Usage: node --expose-gc --max-old-space-size=16000 make-synthetic-series.js [--units N] [--leaked-sessions N]
//          [--leaked-listeners N] [--out-prefix PREFIX]          (files PREFIX-s1.heapsnapshot ..., PREFIX.stats.json)
'use strict';
const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const { stats } = require('./snapshot-stats');
const { arg, REGIONS, buildUnits } = require('./baseline-heap');

const units = Number(arg('--units', 2_000_000));
const nSessions = Number(arg('--leaked-sessions', 50_000)); // planted between s1 and s2
const nListeners = Number(arg('--leaked-listeners', 20_000)); // planted between s1 and s2
const nEarlySessions = 1_000; const nEarlyListeners = 500; // before s1: in every snapshot, not leaks
const nLateSessions = 5_000; const nLateListeners = 2_000; // between s2 and s3: not in s2, not leaks
const nPending = 100_000; // alive at s2 only
const prefix = path.resolve(arg('--out-prefix', '/work/big/series'));
if (typeof gc !== 'function') { console.error('run node with --expose-gc'); process.exit(2); }

// ---- the leaks ----
const EVENTS = ['data', 'end', 'error', 'close', 'drain', 'message'];

class LeakedSession {
  constructor(i) {
    this.id = i;
    this.token = ['sess', i.toString(36).padStart(6, '0'), (Math.imul(i, 2246822519) >>> 0).toString(16)].join('-'); // flat string
    this.user = 'user-' + (i % 10_000);
    this.createdAt = 1_700_000_000_000 + i * 1000; // a heap number
    this.attrs = { ip: '10.0.' + ((i >> 8) & 255) + '.' + (i & 255), agent: REGIONS[i % REGIONS.length], hits: i % 13 };
  }
}

class LeakedListener {
  constructor(i) {
    this.event = EVENTS[i % EVENTS.length];
    this.calls = 0;
    this.handler = (payload) => { this.calls++; return payload + i; }; // a closure (and its context) per listener
  }
}

class PendingRequest { // alive at s2, released before s3
  constructor(i) {
    this.url = '/api/v1/items/' + i;
    this.headers = { accept: 'application/json', 'x-request-id': 'req-' + i };
    this.startedAt = i;
  }
}

class TransientRecord { // dies before the next snapshot
  constructor(i) { this.key = 'tmp-' + i; this.values = [i, i + 1, i + 2]; this.meta = { i }; }
}

const sessionCache = new Map(); // module-level, never evicts
const listeners = []; // long-lived, never shrinks
let pending = [];
let nextSession = 0; let nextListener = 0;
const counts = { LeakedSession: {}, LeakedListener: {}, PendingRequest: {}, TransientRecord: {} };

function plantSessions(n) { for (let k = 0; k < n; k++, nextSession++) sessionCache.set('sess-' + nextSession, new LeakedSession(nextSession)); }
function plantListeners(n) { for (let k = 0; k < n; k++, nextListener++) listeners.push(new LeakedListener(nextListener)); }
function churn(n) { // transient garbage: batches of objects, strings and arrays that are dropped at once
  let sink = 0;
  for (let b = 0; b < n; b += 100_000) {
    const batch = [];
    for (let i = b; i < Math.min(n, b + 100_000); i++) batch.push(new TransientRecord(i));
    sink += batch.length + JSON.stringify(batch.slice(0, 1000)).length;
  }
  return sink;
}

const t0 = Date.now();
const { customersById, orders } = buildUnits(units); // the make-synthetic.js heap
globalThis.store = { customersById, orders, sessionCache, listeners, get pending() { return pending; } };
plantSessions(nEarlySessions); plantListeners(nEarlyListeners);
counts.LeakedSession.before_s1 = nEarlySessions; counts.LeakedListener.before_s1 = nEarlyListeners;
console.error(`built ${units} units in ${Date.now() - t0} ms; heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);

fs.mkdirSync(path.dirname(prefix), { recursive: true });
const files = {};
function snapshot(tag) {
  gc(); gc();
  const file = `${prefix}-${tag}.heapsnapshot`;
  const alive = { LeakedSession: sessionCache.size, LeakedListener: listeners.length, PendingRequest: pending.length };
  const t = Date.now();
  v8.writeHeapSnapshot(file);
  const ms = Date.now() - t;
  console.error(`wrote ${file} in ${ms} ms; alive ${JSON.stringify(alive)}; heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
  files[tag] = { ...stats(file), write_ms: ms, alive };
}

snapshot('s1');

// ---- between s1 and s2: the leaks, requests still in flight at s2, and garbage ----
counts.TransientRecord.between_s1_s2 = 3_000_000; churn(3_000_000);
plantSessions(nSessions); counts.LeakedSession.between_s1_s2 = nSessions;
churn(1_000_000); counts.TransientRecord.between_s1_s2 += 1_000_000;
plantListeners(nListeners); counts.LeakedListener.between_s1_s2 = nListeners;
for (let i = 0; i < nPending; i++) pending.push(new PendingRequest(i));
counts.PendingRequest.between_s1_s2_alive_at_s2_only = nPending;
snapshot('s2');

// ---- between s2 and s3: release the requests, more garbage, a few late leaks ----
pending = [];
counts.TransientRecord.between_s2_s3 = 3_000_000; churn(3_000_000);
plantSessions(nLateSessions); counts.LeakedSession.between_s2_s3 = nLateSessions;
plantListeners(nLateListeners); counts.LeakedListener.between_s2_s3 = nLateListeners;
snapshot('s3');

const result = {
  node: process.version, v8: process.versions.v8, units,
  planted: counts,
  // What `heapsift leaks s1 s2 s3` should find: created between s1 and s2 and alive in s3 (all of them are).
  expected_leaks: { LeakedSession: nSessions, LeakedListener: nListeners },
  files,
  total_ms: Date.now() - t0,
};
fs.writeFileSync(`${prefix}.stats.json`, JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
