#!/usr/bin/env node
// Facts about a (possibly huge) .heapsnapshot without JSON.parse-ing it:
//   header fields (node_count, edge_count, extra_native_bytes, ...), file size, and a streaming scan of the
//   "strings" section: number of strings, sum of their decoded lengths in UTF-16 units, longest string,
//   and the raw byte length of the section.
// Usage: node snapshot-stats.js FILE [--no-strings]      (also require()-able: stats(file, {strings}))
'use strict';
const fs = require('fs');

function readHeader(fd) {
  const buf = Buffer.alloc(1 << 16);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  const text = buf.toString('latin1', 0, n);
  const end = text.indexOf('"nodes"');
  if (end < 0) throw new Error('no "nodes" key in the first 64 KB');
  const head = text.slice(0, end).replace(/,\s*$/, '') + '}';
  return JSON.parse(head).snapshot;
}

// Finds the byte offset of the first occurrence of `needle` (ASCII) at or after `from`.
function findInFile(fd, needle, from, chunk = 64 << 20) {
  const pat = Buffer.from(needle, 'latin1');
  const buf = Buffer.alloc(chunk + pat.length);
  let pos = from;
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, pos);
    if (n <= 0) return -1;
    const i = buf.subarray(0, n).indexOf(pat);
    if (i >= 0) return pos + i;
    if (n < buf.length) return -1;
    pos += n - pat.length + 1;
  }
}

function scanStrings(fd, start, chunk = 64 << 20) {
  const buf = Buffer.alloc(chunk);
  let pos = start + Buffer.byteLength('"strings"');
  // state: 0 outside a string, 1 inside, 2 after backslash, 3..6 skipping \u hex digits
  let state = 0; let count = 0; let units = 0; let cur = 0; let longest = 0; let done = false;
  let sectionBytes = 0;
  while (!done) {
    const n = fs.readSync(fd, buf, 0, chunk, pos);
    if (n <= 0) break;
    let i = 0;
    for (; i < n; i++) {
      const b = buf[i];
      if (state === 1) {
        if (b === 0x22) { state = 0; units += cur; if (cur > longest) longest = cur; }
        else if (b === 0x5c) state = 2;
        else if (b < 0x80 || b >= 0xc0) cur += b >= 0xf0 ? 2 : 1; // UTF-8 lead or ASCII; continuation bytes add 0
      } else if (state === 0) {
        if (b === 0x22) { state = 1; count++; cur = 0; }
        else if (b === 0x5d) { done = true; i++; break; } // closing ] of the strings array
      } else if (state === 2) { cur++; state = b === 0x75 ? 3 : 1; }
      else if (state >= 3) { state = state === 6 ? 1 : state + 1; }
    }
    sectionBytes += i;
    pos += n;
  }
  return { strings_count: count, strings_chars: units, strings_longest: longest, strings_section_bytes: sectionBytes };
}

function stats(file, { strings = true } = {}) {
  const fd = fs.openSync(file, 'r');
  try {
    const header = readHeader(fd);
    const out = { file, bytes: fs.fstatSync(fd).size };
    for (const [k, v] of Object.entries(header)) if (k !== 'meta') out[k] = v;
    out.node_fields = header.meta.node_fields.join(',');
    out.location_fields = (header.meta.location_fields || []).join(',');
    if (strings) {
      const at = findInFile(fd, '"strings":', 0);
      if (at < 0) throw new Error('no "strings" section');
      const loc = findInFile(fd, '"locations":', 0);
      out.has_locations_key = loc >= 0;
      Object.assign(out, scanStrings(fd, at));
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

module.exports = { stats };

if (require.main === module) {
  const file = process.argv[2];
  if (!file) { console.error('usage: node snapshot-stats.js FILE [--no-strings]'); process.exit(2); }
  console.log(JSON.stringify(stats(file, { strings: !process.argv.includes('--no-strings') }), null, 2));
}
