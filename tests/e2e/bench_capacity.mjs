// Benchmark, not a test (scripts/bench runs it after a release build):
// capacity. Imports, through the app's own import of complete backups,
// 2,000 generated articles of about 2,000 words with 20,000 annotations
// (10 per article), in four files of 500 articles; then prints how much
// of localStorage and of the origin's quota they use, how long the
// library takes to open (reload to every entry rendered; median of 11),
// and how long one article takes to open. Deterministic data.
import fs from 'node:fs';
import path from 'node:path';
import { DIST, ROOT, serveDist, launch, openApp, importFiles, storageSnapshot, profile } from './harness.mjs';
import { rng, libraryEntry as entry, importGenerated } from './generate.mjs';

const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 2000);
const WORDS = 2000;
const PER_ARTICLE = 10;
// Fresh loads of each page, interleaved (the machines are noisy: the
// medians of 11 move far less from run to run than those of 5).
const LOADS = Number(process.env.BENCH_LOADS ?? 11);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// BENCH_DIST measures another build (a profiling one with names, say).
// Beside the build, the vanilla-JS library page (tests/bench/vanilla_library.js)
// with the app's stylesheet, and an empty page: what the browser alone
// takes to load and paint a page from this server.
const dist = process.env.BENCH_DIST ?? DIST;
const css = fs.readdirSync(dist).find((f) => f.endsWith('.css'));
const html = (body) => () => ['text/html; charset=utf-8', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>reference</title>${body}`];
const server = await serveDist(dist, {
  '/vanilla-library.html': html(`<link rel="stylesheet" href="/${css}"><script src="/vanilla_library.js"></script></head><body><main id="main" class="library-page"></main></body></html>`),
  '/vanilla_library.js': () => ['text/javascript', fs.readFileSync(path.join(ROOT, 'tests/bench/vanilla_library.js'))],
  '/empty.html': html(`</head><body><p data-testid="library-item">empty</p></body></html>`),
});
const browser = await launch();
const { ctx, page } = await openApp(browser, server.url);
const r = rng(11);
let t0 = Date.now();
const stopped = await importGenerated(page, importFiles, ARTICLES, (n) => entry(n, r), (f, n, size) => {
  console.log(`  file ${f + 1}: ${n} articles, ${(size / 1e6).toFixed(1)} MB, imported (${((Date.now() - t0) / 1000).toFixed(0)} s so far)`);
});
const importSeconds = (Date.now() - t0) / 1000;
const listed = Number((await page.textContent('#library-heading .count')).replace(/[^0-9]/g, ''));
const shown = await page.locator('[data-testid="library-item"]').count();
const snap = await storageSnapshot(page);
const lsUnits = Object.entries(snap).filter(([k]) => !k.startsWith('idb:')).reduce((n, [k, v]) => n + k.length + v.length, 0);
const records = Object.keys(snap).filter((k) => k.startsWith('marginalia:a:')).length;
const estimate = await page.evaluate(() => navigator.storage.estimate());
// The library's open, measured inside the page: navigation start to the
// first entries rendered, then one frame; the same for the vanilla page
// and, to one element, for the empty page.
const libOpen = [];
await page.context().addInitScript((n) => {
  const obs = new MutationObserver(() => {
    if (document.querySelectorAll('[data-testid="library-item"]').length >= (location.pathname === '/empty.html' ? 1 : n)) {
      obs.disconnect();
      requestAnimationFrame(() => { window.__libReady = performance.now(); console.debug(`bench:library-ready ${location.pathname}${location.search}`); });
    }
  });
  obs.observe(document, { childList: true, subtree: true });
}, shown);
const phases = [];
const vanOpen = [];
const emptyOpen = [];
// Each load starts from another page of this origin, alike for all three
// (a reload would first take down the page it reloads). The end is heard
// as a console message: waiting with page.waitForFunction would have
// Playwright parse its own injected script in the page (about 9 ms of the
// main thread) while the page is still loading.
const libraryReady = (url) => new Promise((resolve) => {
  const u = new URL(url);
  const heard = (m) => { if (m.text() === `bench:library-ready ${u.pathname}${u.search}`) { page.off('console', heard); resolve(); } };
  page.on('console', heard);
});
const load = async (url) => {
  await page.goto(`${server.url}empty.html?from`);
  const ready = libraryReady(url);
  await page.goto(url);
  await ready;
};
for (let i = 0; i < LOADS; i++) {
  await load(server.url);
  const t = await page.evaluate(() => {
    const at = (n) => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
    const nav = performance.getEntriesByType('navigation')[0];
    return { ready: window.__libReady, html: nav.responseEnd, script: nav.domInteractive, start: at('marginalia:start'), idb: at('marginalia:idb-opened'), storage: at('marginalia:storage-opened') };
  });
  libOpen.push(t.ready);
  phases.push(t);
  await load(`${server.url}vanilla-library.html`);
  vanOpen.push(await page.evaluate(() => window.__libReady));
  await load(`${server.url}empty.html`);
  emptyOpen.push(await page.evaluate(() => window.__libReady));
}
await load(server.url);
if (process.env.BENCH_PROFILE) {
  await profile(page, 'library reload', async () => {
    const ready = libraryReady(page.url());
    await page.reload();
    await ready;
  });
}
// The same, inside the running app: from the route change (the reader
// back to the library) to the first entries rendered and painted, as the
// reader's open is measured.
const routeOpen = [];
for (let i = 0; i < 5; i++) {
  await page.evaluate(() => { location.hash = '#/read/none'; });
  await page.waitForSelector('[data-testid="library-item"]', { state: 'detached' });
  routeOpen.push(await page.evaluate((n) => new Promise((resolve) => {
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (document.querySelectorAll('[data-testid="library-item"]').length >= n) {
        obs.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - t0));
      }
    });
    obs.observe(document, { childList: true, subtree: true });
    location.hash = '#/';
  }), shown));
}
const first = await page.locator('[data-testid="library-item"]').first();
t0 = Date.now();
await first.click();
await page.waitForSelector('[data-testid="reader"] [data-sentence-id]');
const articleOpen = Date.now() - t0;
console.log(`\nCapacity: ${ARTICLES.toLocaleString('en')} articles of about ${WORDS.toLocaleString('en')} words, ${(ARTICLES * PER_ARTICLE).toLocaleString('en')} annotations`);
if (stopped) console.log(`  import stopped at ${stopped}`);
console.log(`  in the library: ${listed.toLocaleString('en')} articles, ${records.toLocaleString('en')} annotation records; import took ${importSeconds.toFixed(0)} s`);
console.log(`  localStorage: ${(lsUnits / 1e6).toFixed(2)} M of 5.24 M UTF-16 units (${((100 * lsUnits) / 5242880).toFixed(0)} %)`);
console.log(`  origin (navigator.storage.estimate): ${(estimate.usage / 1e6).toFixed(1)} MB used of ${(estimate.quota / 1e9).toFixed(1)} GB`);
const list = (xs) => `median ${median(xs).toFixed(0)} ms [${xs.map((x) => x.toFixed(0)).join(', ')}]`;
console.log(`  library open, from navigation start to its first ${shown} entries rendered (the rest as it scrolls): ${list(libOpen)}`);
console.log(`    the vanilla-JS page rendering the same ${shown} entries from the same stored data: ${list(vanOpen)}; ratio ${(median(libOpen) / median(vanOpen)).toFixed(2)}×`);
console.log(`    an empty page (the browser's own share): ${list(emptyOpen)}; the app's share ${(median(libOpen) - median(emptyOpen)).toFixed(0)} ms`);
const m = (f) => median(phases.map(f)).toFixed(0);
console.log(`    of which: page loaded ${m((p) => p.html)} ms; parsed ${m((p) => p.script - p.html)} ms; wasm fetched, compiled and started ${m((p) => p.start - p.script)} ms; IndexedDB opened ${m((p) => p.idb - p.start)} ms; index, counts and preferences read ${m((p) => p.storage - p.idb)} ms; rendered and painted ${m((p) => p.ready - p.storage)} ms`);
console.log(`  library open, from the route change to its first ${shown} entries painted (the app running): median ${median(routeOpen).toFixed(0)} ms [${routeOpen.map((x) => x.toFixed(0)).join(', ')}]`);
console.log(`  opening one article from the library: ${articleOpen} ms`);
await ctx.close();
await browser.close();
await server.close();
