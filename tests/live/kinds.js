// Small HTTP services, one per kind of Node.js leak the guides name, for heapsift's cause tests
// (no npm dependencies). KIND picks the service; every GET /action runs the suspect action once,
// and each leaking kind leaks exactly one object of its own class per action:
//
//   cache        a module-level Map of UserProfile by id, never evicted
//   listeners    a Subscription listener added to a long-lived emitter per request, never removed
//   closure      a closure kept per request whose scope holds a large ReportBuffer it never uses
//   timers       a setInterval per request (never cleared) whose callback holds a PollJob
//   promises     a request awaiting a promise that never settles, holding its PendingJob
//   connections  a DbConnection per request with a socket to a local server, never closed
//   streams      a PassThrough per request piped from a long-lived source, never consumed
//   globals      an AuditEntry pushed onto an accidental global array
//   lru          a cache capped at 20 entries (bounded: not a leak)
//   control      the same work as the others, all of it released (nothing grows)
//
//   KIND=cache PORT=0 node tests/live/kinds.js      prints "listening on PORT" once ready
'use strict';
const http = require('http');
const net = require('net');
const { EventEmitter } = require('events');
const { PassThrough, Readable } = require('stream');

const kind = process.env.KIND || 'control';
let served = 0;

class UserProfile {
  constructor(id) {
    this.id = id;
    this.name = 'user ' + id;
    this.prefs = { theme: 'dark', lang: 'en' };
  }
}
const userCache = new Map();

class Subscription {
  constructor(id) {
    this.id = id;
    this.topic = 'prices';
  }
}
const priceFeed = new EventEmitter();
priceFeed.setMaxListeners(0);

class ReportBuffer {
  constructor(id) {
    this.id = id;
    this.rows = new Array(64).fill(id);
  }
}
const callbacks = [];

class PollJob {
  constructor(id) {
    this.id = id;
    this.polls = 0;
  }
}

class PendingJob {
  constructor(id) {
    this.id = id;
    this.started = Date.now();
  }
}
let resolveReady;
const ready = new Promise((resolve) => {
  resolveReady = resolve;
});

class DbConnection {
  constructor(id, socket) {
    this.id = id;
    this.socket = socket;
    socket.on('data', () => this.onData());
  }
  onData() {}
}
const db = net.createServer((s) => s.on('data', () => {}));

class FeedTap {
  constructor(id) {
    this.id = id;
    this.received = 0;
    this.out = new PassThrough();
    this.out.on('data', (chunk) => this.onData(chunk));
  }
  onData(chunk) {
    this.received += chunk.length;
  }
}
const ticker = new Readable({ read() {} });

class AuditEntry {
  constructor(id) {
    this.id = id;
    this.at = Date.now();
  }
}

class CachedPage {
  constructor(id) {
    this.id = id;
    this.html = '<p>page ' + id + '</p>';
  }
}
const pageCache = new Map();

function action(id, done) {
  switch (kind) {
    case 'cache':
      userCache.set('user-' + id, new UserProfile(id));
      return done();
    case 'listeners': {
      const sub = new Subscription(id);
      priceFeed.on('price', (p) => sub.id + p);
      return done();
    }
    case 'closure': {
      const buffer = new ReportBuffer(id);
      const size = () => buffer.rows.length;
      callbacks.push(() => id); // shares the scope that keeps buffer alive
      size();
      return done();
    }
    case 'timers': {
      const job = new PollJob(id);
      setInterval(() => {
        job.polls++;
      }, 60000);
      return done();
    }
    case 'promises': {
      const job = new PendingJob(id);
      (async () => {
        await ready;
        job.started = 0;
      })();
      return done();
    }
    case 'connections': {
      const socket = net.connect(db.address().port, '127.0.0.1', () => done());
      new DbConnection(id, socket);
      return undefined;
    }
    case 'streams': {
      const tap = new FeedTap(id);
      ticker.pipe(tap.out);
      return done();
    }
    case 'globals':
      // An accidental global: assigned without a declaration in sloppy code elsewhere.
      globalThis.auditLog = globalThis.auditLog || [];
      globalThis.auditLog.push(new AuditEntry(id));
      return done();
    case 'lru':
      pageCache.set(id, new CachedPage(id));
      if (pageCache.size > 20) pageCache.delete(pageCache.keys().next().value);
      return done();
    default: {
      // The same kinds of work, all released.
      const sub = new Subscription(id);
      const onPrice = (p) => sub.id + p;
      priceFeed.on('price', onPrice);
      priceFeed.off('price', onPrice);
      const t = setTimeout(() => {}, 10);
      clearTimeout(t);
      Promise.resolve(new PendingJob(id)).then(() => {});
      return done();
    }
  }
}

const server = http.createServer((req, res) => {
  served++;
  const reply = () => {
    res.setHeader('content-type', 'text/plain');
    res.end('ok ' + served + '\n');
  };
  if (req.url === '/action') {
    action(served, reply);
  } else {
    reply();
  }
});

server.keepAliveTimeout = 0;
db.listen(0, '127.0.0.1', () => {
  server.listen(Number(process.env.PORT || 3000), '127.0.0.1', () => {
    console.log('listening on ' + server.address().port);
  });
});
process.on('SIGTERM', () => process.exit(0));
// Keeps `resolveReady` referenced without settling the promise.
module.exports = { resolveReady };
