// Makes sample-snapshots/kinds/dom-{baseline,target,final}.heapsnapshot.gz: a Chromium page
// (pages/dom-leak.js) that leaks one detached toast element per action, 5 actions before the
// baseline, 60 between baseline and target, none after. Checks the page's own count of kept
// toasts at each snapshot.   Usage: node sample-snapshots/make-dom-leak.mjs   (needs Chromium)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { evaluate, launchChromium, openPage, runNamedScript, takeHeapSnapshot } from './lib/cdp.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'kinds');
const browser = await launchChromium();
try {
  const page = await openPage(browser);
  await page.send('HeapProfiler.enable');
  const src = fs.readFileSync(path.join(here, 'pages', 'dom-leak.js'), 'utf8');
  await runNamedScript(page, src, 'https://shop.example.test/js/dom-leak.js');
  const steps = [['baseline', 5], ['target', 60], ['final', 0]];
  let kept = 0;
  for (const [name, actions] of steps) {
    for (let i = 0; i < actions; i++) kept = await evaluate(page, 'showAndCloseToast()');
    const want = steps.slice(0, steps.findIndex((s) => s[0] === name) + 1).reduce((a, s) => a + s[1], 0);
    if (kept !== want && actions > 0) throw new Error(`${name}: the page keeps ${kept} toasts, expected ${want}`);
    const text = await takeHeapSnapshot(browser, page);
    const file = path.join(out, `dom-${name}.heapsnapshot.gz`);
    fs.writeFileSync(file, zlib.gzipSync(text, { level: 9 }));
    console.error(`${file}: ${text.length} bytes before compression, ${kept} toasts kept`);
  }
} finally {
  await browser.close();
}
