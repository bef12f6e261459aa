#!/usr/bin/env node
// Writes a large synthetic Node heap snapshot: ~2.12 M Customer/Order pairs held in a Map and an array.
// Default output: /work/big/synthetic.heapsnapshot, about 1.6 GB, ~17.0 M nodes, ~57 M edges.
// Usage: node --max-old-space-size=16000 make-synthetic.js [--units N] [--out FILE]
// Each unit adds about 8 nodes and 27 edges (Node 20): a Customer, its name (a concatenated string plus the
// number's string), its tags array (copy-on-write elements shared with the literal), an Order, its code string,
// its lines array and that array's elements store. A bare Node 20 process is ~39 K nodes / ~178 K edges.
'use strict';
const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const { stats } = require('./snapshot-stats');
const { arg, buildUnits } = require('./baseline-heap');

const units = Number(arg('--units', 2_120_000));
const out = path.resolve(arg('--out', '/work/big/synthetic.heapsnapshot'));

const t0 = Date.now();
globalThis.store = buildUnits(units);
console.error(`built ${units} units in ${Date.now() - t0} ms; heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);

fs.mkdirSync(path.dirname(out), { recursive: true });
const t1 = Date.now();
v8.writeHeapSnapshot(out);
console.error(`wrote ${out} in ${Date.now() - t1} ms`);
console.log(JSON.stringify(stats(out), null, 2));
