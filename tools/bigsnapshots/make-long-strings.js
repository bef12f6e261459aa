#!/usr/bin/env node
// Writes a Node heap snapshot whose "strings" section holds more than 600 M characters: 650,000 distinct
// 1,200-character strings stay alive, and V8 writes each string node's name cut to 1,024 UTF-16 units
// (StringsStorage::kMaxNameSize), so the section sums to ~666 M characters (~680 MB of JSON text).
// Past V8's maximum string length (~537 M), so Chrome DevTools cannot load it ("Invalid string length").
// Default output: /work/big/long-strings.heapsnapshot.
// Usage: node --max-old-space-size=16000 make-long-strings.js [--count N] [--length L] [--out FILE]
// Each string starts with its own index (so the first 1,024 units are distinct) and contains a few characters
// that V8 escapes: '"', '\\', '\n', '\t' and Latin-1 'é' / 'ü' (written as \u00E9 / \u00FC).
'use strict';
const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const { stats } = require('./snapshot-stats');
const { arg } = require('./baseline-heap');

const count = Number(arg('--count', 650_000));
const length = Number(arg('--length', 1200));
const out = path.resolve(arg('--out', '/work/big/long-strings.heapsnapshot'));

// A deterministic word soup, long enough to take varied windows from.
const WORDS = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'café', 'über', 'naïve', 'heap', 'snapshot', 'retained',
  'dominator', 'edge', 'node', '"quoted"', 'back\\slash', 'tab\tbed', 'new\nline', 'size', 'shallow'];
let seed = 12345;
const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 8; };
const soupParts = [];
for (let n = 0; n < 20000; n++) soupParts.push(WORDS[rnd() % WORDS.length]);
const soup = soupParts.join(' ');

class Document {
  constructor(i, body) {
    this.title = 'doc ' + i;
    this.body = body;
  }
}

const documents = new Array(count);
const t0 = Date.now();
for (let i = 0; i < count; i++) {
  const start = (i * 7919) % (soup.length - length);
  const prefix = `#${i}: `;
  // join() makes one flat sequential string, so each body is exactly one string node.
  documents[i] = new Document(i, [prefix, soup.slice(start, start + length - prefix.length)].join(''));
}
globalThis.library = documents;
console.error(`built ${count} strings of ${length} chars in ${Date.now() - t0} ms; heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);

fs.mkdirSync(path.dirname(out), { recursive: true });
const t1 = Date.now();
v8.writeHeapSnapshot(out);
console.error(`wrote ${out} in ${Date.now() - t1} ms`);
console.log(JSON.stringify(stats(out), null, 2));
