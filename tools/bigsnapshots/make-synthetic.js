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

function arg(name, def) { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : def; }
const units = Number(arg('--units', 2_120_000));
const out = path.resolve(arg('--out', '/work/big/synthetic.heapsnapshot'));

const TIERS = ['basic', 'silver', 'gold', 'platinum'];
const STATUSES = ['open', 'paid', 'shipped', 'returned', 'cancelled'];
const REGIONS = ['eu-central-1', 'eu-west-2', 'us-east-1', 'us-west-2', 'ap-south-1', 'ap-northeast-1', 'sa-east-1'];

class Customer {
  constructor(i) {
    this.name = 'customer-' + i; // a cons string ('customer-' + the number's string) once i >= 1000
    this.tier = TIERS[i % TIERS.length];
    this.tags = ['retail', 'newsletter'];
    this.id = i;
  }
}

class Order {
  constructor(i, customer) {
    this.customer = customer;
    // Array#join gives a flat (sequential) string: one node, no edges, ~55 characters.
    this.code = ['order', REGIONS[i % REGIONS.length], 'warehouse-' + String(i % 50).padStart(3, '0'),
      '2024-' + String(1 + (i % 12)).padStart(2, '0'), String(i).padStart(10, '0'), (Math.imul(i, 2654435761) >>> 0).toString(16)].join('/');
    this.status = STATUSES[i % STATUSES.length];
    this.lines = [i % 97, (i * 7) % 89, (i * 13) % 83];
  }
}

const customersById = new Map();
const orders = [];
const t0 = Date.now();
for (let i = 0; i < units; i++) {
  const c = new Customer(i);
  customersById.set(i, c);
  orders.push(new Order(i, c));
}
globalThis.store = { customersById, orders };
console.error(`built ${units} units in ${Date.now() - t0} ms; heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);

fs.mkdirSync(path.dirname(out), { recursive: true });
const t1 = Date.now();
v8.writeHeapSnapshot(out);
console.error(`wrote ${out} in ${Date.now() - t1} ms`);
console.log(JSON.stringify(stats(out), null, 2));
