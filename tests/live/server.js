// A small HTTP service with a planted leak, for heapsift's live-capture tests (no npm
// dependencies). Every GET /checkout keeps one LeakedCheckout (with its cart) in a
// module-level array that is never cleared: the classic "cache without eviction".
// Other paths allocate and drop garbage, which the leak method must not report.
//
//   PORT=3000 node tests/live/server.js     (PORT=0 picks a free port)
//   BIG=N     also keeps N * 100k small objects alive from the start (slow snapshots for tests)
// Prints "listening on PORT" on stdout once ready.
'use strict';
const http = require('http');

class LeakedCheckout {
  constructor(n) {
    this.id = n;
    this.at = Date.now();
    this.cart = { items: [n, n + 1, n + 2], note: 'order ' + n };
  }
}

const recentCheckouts = []; // the leak: pushed on every request, never trimmed
let served = 0;

const ballast = [];
for (let i = 0; i < Number(process.env.BIG || 0) * 100000; i++) {
  ballast.push({ i, s: 'x' + i });
}

const server = http.createServer((req, res) => {
  served++;
  if (req.url === '/checkout') {
    recentCheckouts.push(new LeakedCheckout(served));
  } else {
    // Garbage: allocated and dropped.
    const tmp = [];
    for (let i = 0; i < 100; i++) tmp.push({ i });
  }
  res.setHeader('content-type', 'text/plain');
  res.end('ok ' + served + '\n');
});

server.keepAliveTimeout = 0;
server.listen(Number(process.env.PORT || 3000), '127.0.0.1', () => {
  console.log('listening on ' + server.address().port);
});
process.on('SIGTERM', () => process.exit(0));
