// Minimal Chrome DevTools Protocol client over --remote-debugging-pipe (no npm dependencies).
// Chromium reads NUL-terminated JSON messages from fd 3 and writes them to fd 4.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic',
  '--disable-extensions', '--disable-default-apps', '--mute-audio', '--no-default-browser-check',
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  // Fixed seed for V8's RNG (identity hashes -> Map/WeakMap table order); the rest of the run is
  // still timing-dependent, see README.md.
  '--js-flags=--random-seed=42',
];

export async function launchChromium({ executablePath = process.env.CHROMIUM || '/usr/bin/chromium' } = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapsift-chromium-'));
  const extra = (process.env.CHROMIUM_EXTRA_ARGS || '').split(' ').filter(Boolean);
  const args = [...CHROMIUM_ARGS, ...extra, `--user-data-dir=${userDataDir}`, '--remote-debugging-pipe', 'about:blank'];
  const proc = spawn(executablePath, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const toChrome = proc.stdio[3];
  const fromChrome = proc.stdio[4];
  let nextId = 1;
  const pending = new Map();
  const listeners = new Set();
  let buf = '';
  fromChrome.setEncoding('utf8');
  fromChrome.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\0')) >= 0) {
      const msg = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (msg.id !== undefined) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`${p.method}: ${JSON.stringify(msg.error)}`));
        else p.resolve(msg.result);
      } else {
        for (const l of listeners) l(msg);
      }
    }
  });
  proc.on('exit', () => {
    for (const p of pending.values()) p.reject(new Error(`chromium exited during ${p.method}\n${stderr}`));
    pending.clear();
  });
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject, method });
    toChrome.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
  });
  const close = async () => {
    try { await send('Browser.close'); } catch { /* already gone */ }
    await exited;
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return { send, on: (l) => listeners.add(l), off: (l) => listeners.delete(l), close };
}

export async function openPage(browser, url = 'about:blank') {
  const { targetId } = await browser.send('Target.createTarget', { url });
  const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
  return { targetId, sessionId, send: (m, p) => browser.send(m, p, sessionId) };
}

export async function evaluate(page, expression, { objectGroup } = {}) {
  const r = await page.send('Runtime.evaluate', {
    expression, awaitPromise: true, returnByValue: !objectGroup, ...(objectGroup ? { objectGroup } : {}),
  });
  if (r.exceptionDetails) throw new Error(`evaluate failed: ${JSON.stringify(r.exceptionDetails)}`);
  return objectGroup ? r.result : r.result.value;
}

// Runs a script under a URL (Runtime.compileScript's sourceURL), as a page's <script src> would
// be named: V8 records the URL as the Script's name, so snapshot locations can name the file.
export async function runNamedScript(page, source, url) {
  await page.send('Runtime.enable');
  const c = await page.send('Runtime.compileScript', { expression: source, sourceURL: url, persistScript: true });
  if (c.exceptionDetails) throw new Error(`compile failed: ${JSON.stringify(c.exceptionDetails)}`);
  const r = await page.send('Runtime.runScript', { scriptId: c.scriptId, awaitPromise: true });
  if (r.exceptionDetails) throw new Error(`run failed: ${JSON.stringify(r.exceptionDetails)}`);
}

// Heap snapshot id of the object an expression evaluates to. Use only after the last snapshot of a
// page: the remote object reference is released again, but the evaluation itself allocates.
export async function heapIdOf(page, expression) {
  const obj = await evaluate(page, expression, { objectGroup: 'heapsift-ids' });
  if (!obj.objectId) throw new Error(`${expression} is not an object`);
  const { heapSnapshotObjectId } = await page.send('HeapProfiler.getHeapObjectId', { objectId: obj.objectId });
  await page.send('Runtime.releaseObjectGroup', { objectGroup: 'heapsift-ids' });
  return Number(heapSnapshotObjectId);
}

export async function takeHeapSnapshot(browser, page) {
  const chunks = [];
  const l = (msg) => {
    if (msg.sessionId === page.sessionId && msg.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(msg.params.chunk);
  };
  browser.on(l);
  await page.send('HeapProfiler.collectGarbage');
  await page.send('HeapProfiler.collectGarbage');
  await page.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false, exposeInternals: false });
  browser.off(l);
  return chunks.join('');
}
