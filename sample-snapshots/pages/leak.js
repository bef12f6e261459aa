// leak: a tiny request-handling "server" that leaks in three ways.
//   (a) every request caches a CachedSession in a module-level Map that never evicts;
//   (b) two out of three requests subscribe an 'invalidate' listener closure that captures the
//       request's RequestContext on a long-lived EventTarget and never unsubscribe;
//   (c) a setInterval pushes MetricSample objects into a module-level array forever
//       (each tick consumes one unit of a budget the generator hands out, so counts are exact);
//   (d) every request also makes transient garbage (TempBuffer objects, strings, arrays)
//       that is unreachable once the request returns.
// PendingUpload objects model in-flight work: alive while queued, released by finishUploads().
// The generator (../generate.mjs) drives it with Runtime.evaluate; nothing is printed.
'use strict';

class CachedSession {
  constructor(sessionId, user, seq) {
    this.sessionId = sessionId;
    this.user = user;
    this.token = 'tok_' + sessionId + '_' + (seq * 2654435761 >>> 0).toString(16);
    this.roles = seq % 5 === 0 ? ['user', 'admin'] : ['user'];
    this.lastSeen = seq;
  }
}

class RequestContext {
  constructor(requestId, path) {
    this.requestId = requestId;
    this.path = path;
    this.headers = { accept: 'application/json', 'user-agent': 'sample-client/1.0' };
    this.lastInvalidation = null;
  }
}

class MetricSample {
  constructor(seq) {
    this.seq = seq;
    this.name = seq % 2 ? 'latency_ms' : 'queue_depth';
    this.value = (seq * 37) % 101 + 0.5;
  }
}

class TempBuffer {
  constructor(size, label) {
    this.label = label;
    this.data = new Array(size).fill(label.length);
  }
}

class PendingUpload {
  constructor(n) {
    this.uploadId = 'upl-' + String(n).padStart(4, '0');
    this.chunks = [new ArrayBuffer(256), new ArrayBuffer(256)];
  }
}

const sessionCache = new Map();        // never evicts: leak (a)
const appEvents = new EventTarget();   // long-lived: listeners are never removed, leak (b)
const metricSamples = [];              // grows forever: leak (c)
let metricBudget = 0;
let metricSeq = 0;
let listenerCount = 0;
let requestCount = 0;
let tempBuffersCreated = 0;
let inFlight = [];

const metricsTimer = setInterval(function recordMetric() {
  if (metricBudget > 0) {
    metricBudget -= 1;
    metricSamples.push(new MetricSample(metricSeq++));
  }
}, 1);

function handleRequest(i) {
  const requestId = 'req-' + String(i).padStart(4, '0');
  const ctx = new RequestContext(requestId, '/api/items/' + (i % 17));
  // (d) transient garbage
  const scratch = [new TempBuffer(16, 'a' + i), new TempBuffer(8, 'b' + i), new TempBuffer(4, 'c' + i)];
  tempBuffersCreated += scratch.length;
  const summary = scratch.map((t) => t.label + ':' + t.data.length).join(',');
  // (a) unbounded cache
  const sessionId = 'sess-' + String(i).padStart(4, '0');
  const user = { id: 'u' + (i % 40), name: 'User ' + (i % 40), email: 'user' + (i % 40) + '@example.com' };
  sessionCache.set(sessionId, new CachedSession(sessionId, user, i));
  // (b) listener that is never removed
  if (i % 3 !== 0) {
    appEvents.addEventListener('invalidate', function onInvalidate(event) {
      ctx.lastInvalidation = event.type;
    });
    listenerCount += 1;
  }
  requestCount += 1;
  return summary.length;
}

function runRequests(from, to) {
  let bytes = 0;
  for (let i = from; i < to; i++) bytes += handleRequest(i);
  return bytes;
}

function allowMetricSamples(n) { metricBudget += n; }

function startUploads(n) { for (let k = 0; k < n; k++) inFlight.push(new PendingUpload(k)); }

function finishUploads() { inFlight = []; }

function leakStats() {
  return {
    sessionCache_size: sessionCache.size,
    listeners: listenerCount,
    metricSamples_length: metricSamples.length,
    metricBudget,
    requests: requestCount,
    tempBuffersCreated,
    inFlight_length: inFlight.length,
  };
}
