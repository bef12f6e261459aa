// A small program for the sampling heap profile sample (node-alloc.heapprofile): makeRecords keeps
// what it allocates, makeGarbage allocates and drops. Made with
// node --heap-prof --heap-prof-interval 16384 sample-snapshots/node/alloc.js
'use strict';
const kept = [];
class Record {
  constructor(i) {
    this.id = i;
    this.payload = ('record ' + i + ' ').padEnd(2048, '.');
    this.tags = [i, i + 1, i + 2];
  }
}
function makeRecords(n) {
  for (let i = 0; i < n; i++) kept.push(new Record(i));
}
function makeGarbage(n) {
  let x = 0;
  for (let i = 0; i < n; i++) x += new Array(16).fill(i).length;
  return x;
}
function recurse(depth) {
  if (depth === 0) return makeRecords(5000);
  return recurse(depth - 1);
}
makeRecords(20000);
recurse(3);
makeGarbage(100000);
// Node writes the profile of what is alive when it exits; a natural exit tears the module down
// first (its records would be missing), so exit from a callback, as a server stopping would.
setTimeout(() => {
  console.log(kept.length);
  process.exit(0);
}, 100);
