#!/usr/bin/env node
// Type-checks a generated TypeScript project in-process with the TypeScript compiler API, then writes a heap
// snapshot while the Program and its TypeChecker are still alive.
// Default output: /work/big/tsc.heapsnapshot (~400 MB with the default 320 modules; ~0.93 MB per module on top
// of ~92 MB for the compiler itself and the lib .d.ts files).
// Usage: node --max-old-space-size=16000 make-tsc.js [--files N] [--out FILE]
// The project is generated in memory (deterministic, no files on disk): N modules, each importing three
// earlier ones, with interfaces, generic classes, mapped/conditional types, unions and inferred calls.
'use strict';
const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const ts = require('typescript');
const { stats } = require('./snapshot-stats');
const { arg } = require('./baseline-heap');

const fileCount = Number(arg('--files', 320));
const out = path.resolve(arg('--out', '/work/big/tsc.heapsnapshot'));

function deps(i) {
  if (i === 0) return [];
  const set = new Set([i - 1, Math.floor(i / 2), (i * 7919) % i]);
  return [...set].sort((a, b) => a - b);
}

function moduleSource(i) {
  const d = deps(i);
  const p = d.length ? d[d.length - 1] : -1;
  const lines = [];
  for (const j of d) lines.push(`import { Entity${j}, make${j}, Service${j}, type Kind${j} } from './m${j}';`);
  lines.push(
    `export type Kind${i} = 'alpha${i}' | 'beta${i}' | 'gamma${i}'${p >= 0 ? ` | Kind${p}` : ''};`,
    `export interface Entity${i}<T = string> {`,
    `  readonly id: number;`,
    `  name: T;`,
    `  kind: Kind${i};`,
    `  tags: readonly string[];`,
    p >= 0 ? `  parent?: Entity${p};` : `  parent?: { readonly name: string };`,
    `  meta: Record<string, { at: number; by: string; note?: T }>;`,
    `}`,
    `export type Patch${i} = { [K in keyof Entity${i}]?: Entity${i}[K] extends readonly (infer U)[] ? U[] : Entity${i}[K] };`,
    `export type Keys${i} = { [K in keyof Entity${i} as \`get\${Capitalize<string & K>}\`]: () => Entity${i}[K] };`,
    `export class Service${i}<T extends Entity${i}<string> = Entity${i}> {`,
    `  private readonly items = new Map<number, T>();`,
    `  private listeners: Array<(item: T, op: 'add' | 'remove') => void> = [];`,
    `  add(item: T): this { this.items.set(item.id, item); this.listeners.forEach((l) => l(item, 'add')); return this; }`,
    `  remove(id: number): T | undefined { const x = this.items.get(id); if (x) { this.items.delete(id); this.listeners.forEach((l) => l(x, 'remove')); } return x; }`,
    `  find(pred: (item: T) => boolean): T | undefined { for (const x of this.items.values()) if (pred(x)) return x; return undefined; }`,
    `  map<U>(f: (item: T, index: number) => U): U[] { return [...this.items.values()].map(f); }`,
    `  patch(id: number, p: Patch${i}): T | undefined { const x = this.items.get(id); return x ? { ...x, ...p } as T : undefined; }`,
    `  on(l: (item: T, op: 'add' | 'remove') => void): () => void { this.listeners.push(l); return () => { this.listeners = this.listeners.filter((y) => y !== l); }; }`,
    `}`,
    `export function make${i}(id: number, name: string${p >= 0 ? `, parent?: Entity${p}` : ''}): Entity${i} {`,
    `  const kinds: Kind${i}[] = ['alpha${i}', 'beta${i}', 'gamma${i}'];`,
    `  return { id, name, kind: kinds[id % kinds.length], tags: [name, String(id)], ${p >= 0 ? 'parent, ' : ''}meta: { created: { at: id, by: name } } };`,
    `}`,
    `export function describe${i}(e: Entity${i}): string {`,
    `  switch (e.kind) {`,
    `    case 'alpha${i}': return \`A:\${e.name}\`;`,
    `    case 'beta${i}': return \`B:\${e.tags.join(',')}\`;`,
    `    default: return \`\${e.kind}:\${e.id}\`;`,
    `  }`,
    `}`,
    `export const service${i} = new Service${i}();`,
    `export const seed${i} = [1, 2, 3, 4].map((n) => make${i}(n * ${i + 1}, 'item-${i}-' + n${p >= 0 ? `, make${p}(n, 'parent')` : ''}));`,
    `seed${i}.forEach((e) => service${i}.add(e));`,
    `export const summary${i} = service${i}.map((e, k) => ({ k, text: describe${i}(e), kind: e.kind, parent: e.parent?.name ?? null }));`,
  );
  for (const j of d) {
    lines.push(
      `export function link${i}_${j}(a: Entity${i}, b: Entity${j}): [Entity${i}, Entity${j}, Kind${i} | Kind${j}] { return [a, b, a.id > b.id ? a.kind : b.kind]; }`,
      `export const svc${i}_${j}: Service${j} = new Service${j}().add(make${j}(${i}, 'x'));`,
    );
  }
  return lines.join('\n') + '\n';
}

const root = '/project/src';
const sources = new Map();
for (let i = 0; i < fileCount; i++) sources.set(`${root}/m${i}.ts`, moduleSource(i));
sources.set(`${root}/index.ts`, Array.from({ length: fileCount }, (_, i) => `export * as m${i} from './m${i}';`).join('\n') + '\n');

const options = {
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true, noEmit: true, skipLibCheck: false, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
};
const host = ts.createCompilerHost(options, true);
const realGetSourceFile = host.getSourceFile.bind(host);
host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
  const text = sources.get(fileName);
  if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
  return realGetSourceFile(fileName, languageVersion, onError, shouldCreate);
};
const realFileExists = host.fileExists.bind(host);
host.fileExists = (f) => sources.has(f) || realFileExists(f);
const realReadFile = host.readFile.bind(host);
host.readFile = (f) => sources.get(f) ?? realReadFile(f);
const realDirectoryExists = host.directoryExists ? host.directoryExists.bind(host) : () => false;
host.directoryExists = (d) => d === '/project' || d === root || realDirectoryExists(d);
host.getCurrentDirectory = () => '/project';

const t0 = Date.now();
const program = ts.createProgram([...sources.keys()], options, host);
const checker = program.getTypeChecker();
const diagnostics = ts.getPreEmitDiagnostics(program);
console.error(`checked ${program.getSourceFiles().length} source files (${fileCount} generated) in ${Date.now() - t0} ms; `
  + `${diagnostics.length} diagnostics; types: ${checker.getTypeCount()}, symbols: ${checker.getSymbolCount()}; `
  + `heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
for (const d of diagnostics.slice(0, 5)) console.error(ts.formatDiagnostic(d, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => '/project', getNewLine: () => '\n' }));
globalThis.keepAlive = { program, checker, diagnostics };

// Node 20's V8 (11.3) looks up a line/column for every live closure while writing the snapshot (the
// "locations" section). For a script whose line-ends table was never built (typescript.js is 9 MB and nothing
// has needed a line number in it yet) every lookup rescans the source: the snapshot then takes hours. Building
// a stack trace through a frame in typescript.js makes V8 build and cache that table first.
ts.forEachChild(ts.createSourceFile('warm.ts', 'let x = 1;', ts.ScriptTarget.ES2022), () => { void new Error().stack; });

fs.mkdirSync(path.dirname(out), { recursive: true });
const t1 = Date.now();
v8.writeHeapSnapshot(out);
console.error(`wrote ${out} in ${Date.now() - t1} ms`);
console.log(JSON.stringify(stats(out), null, 2));
