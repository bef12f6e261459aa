// Writes node-leak-s1/s2/s3.heapsnapshot.gz: three snapshots of one Node process for the
// three-snapshot method. app.js caches every session in a module-level Map that is never
// evicted: 20 requests before s1, 200 between s1 and s2, 30 between s2 and s3.
// Run: node --expose-gc make-leak.js   (needs Node >= 20)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const v8 = require('v8');
const zlib = require('zlib');
const { handleRequest } = require('./app.js');

let next = 0;
function requests(n) {
  for (let i = 0; i < n; i++) {
    // Temporary garbage per request: gone by the next snapshot.
    const scratch = new Array(16).fill(0).map((_, k) => ({ k, at: next }));
    if (scratch.length !== 16) throw new Error('unreachable');
    handleRequest(next++);
  }
}

// Printed at the end: the first console.log creates stdout's stream, which would show up as
// objects allocated between the snapshots.
const written = [];

function snapshot(name) {
  global.gc();
  const tmp = v8.writeHeapSnapshot(path.join(os.tmpdir(), `${name}-${process.pid}.heapsnapshot`));
  const out = path.join(__dirname, '..', `${name}.heapsnapshot.gz`);
  fs.writeFileSync(out, zlib.gzipSync(fs.readFileSync(tmp), { level: 9 }));
  fs.unlinkSync(tmp);
  written.push(`${out}: ${fs.statSync(out).size} bytes, ${next} requests so far`);
}

requests(20);
snapshot('node-leak-s1');
requests(200);
snapshot('node-leak-s2');
requests(30);
snapshot('node-leak-s3');
console.log(written.join('\n'));
