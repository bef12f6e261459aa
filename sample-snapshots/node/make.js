// Writes node-cache.heapsnapshot.gz: a Node process whose app.js module caches 200 sessions in a
// module-level Map, with 100 Report objects (a class of the same module) in a global array.
// Run: node --expose-gc make.js   (needs Node >= 20)
'use strict';
const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const zlib = require('zlib');
const { handleRequest, Report } = require('./app.js');

for (let i = 0; i < 200; i++) handleRequest(i);
globalThis.metricsReports = [];
for (let i = 0; i < 100; i++) globalThis.metricsReports.push(new Report(i));

global.gc();
const tmp = v8.writeHeapSnapshot(path.join(require('os').tmpdir(), `node-cache-${process.pid}.heapsnapshot`));
const out = path.join(__dirname, '..', 'node-cache.heapsnapshot.gz');
fs.writeFileSync(out, zlib.gzipSync(fs.readFileSync(tmp), { level: 9 }));
fs.unlinkSync(tmp);
console.log(`${out}: ${fs.statSync(out).size} bytes, Node ${process.version}`);
