// Benchmark, not a test (scripts/bench runs it after a release build):
// sync through a real CouchDB-compatible server (pouchdb-server, in memory,
// on loopback). Two devices, each its own browser profile:
//   1. device A's first sync of 50 articles with 5,000 annotations (push);
//   2. device B's first sync of the same (pull, from an empty library);
//   3. one edit on A: A's sync (push) and B's (pull, woken by the change
//      feed).
// For each: requests, bytes on the wire (request and response, headers
// and bodies) and time (the app's `marginalia:sync` User Timing measure,
// from the start of the sync to its status). Loopback, so the time is the
// app's and the server's work, not a network's.
import { serveDist, launch, openApp, importFiles, startCouch } from './harness.mjs';
import { rng, libraryEntry, importGenerated } from './generate.mjs';

const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 50);
const PER_ARTICLE = 100;
const couch = await startCouch();
const server = await serveDist(process.env.BENCH_DIST);
const browser = await launch();
const db = `${couch.url}/bench`;
await fetch(db, { method: 'PUT' });

/** A device, recording every request to the sync server with its bytes. */
async function device() {
  const { ctx, page } = await openApp(browser, server.url);
  page.calls = [];
  ctx.on('request', (r) => {
    if (!r.url().startsWith(couch.url)) return;
    const call = { at: Date.now(), url: r.url(), bytes: 0, done: false };
    page.calls.push(call);
    r.__call = call; // its sizes come once it finished
  });
  const finish = async (r) => {
    if (!r.__call) return;
    const s = await r.sizes().catch(() => null);
    if (s) r.__call.bytes = s.requestHeadersSize + s.requestBodySize + s.responseHeadersSize + s.responseBodySize;
    r.__call.done = true;
  };
  ctx.on('requestfinished', finish);
  ctx.on('requestfailed', (r) => { if (r.__call) r.__call.done = true; });
  return { ctx, page };
}

/** Waits until the sync after run `n` finished and worked. */
async function synced(page, n) {
  for (;;) {
    try {
      return await page.waitForFunction((k) => {
        const last = document.querySelector('[data-testid="sync-last"]');
        const s = document.querySelector('[data-testid="sync-status"]')?.dataset.state;
        return last && Number(last.dataset.runs) > k && s !== 'syncing' && s;
      }, n, { timeout: 600000, polling: 50 }).then((h) => h.jsonValue());
    } catch (e) {
      // The page was still loading after connecting: wait on the new one.
      if (!/context was destroyed|navigat/i.test(e.message)) throw e;
      await page.waitForLoadState('load');
    }
  }
}
const syncTime = (page) => page.evaluate(() => performance.getEntriesByName('marginalia:sync').at(-1)?.duration ?? NaN);

/** Requests started between `from` and `to`, not the long-poll waits: count and bytes. */
async function span(page, from, to = page.calls.length) {
  const calls = page.calls.slice(from, to).filter((c) => !/feed=longpoll/.test(c.url));
  for (let i = 0; i < 100 && calls.some((c) => !c.done); i++) await new Promise((r) => setTimeout(r, 50));
  return { requests: calls.length, bytes: calls.reduce((a, c) => a + c.bytes, 0) };
}

const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const line = (what, w, ms) => console.log(`  ${what.padEnd(64)} ${String(w.requests).padStart(5)} requests ${kb(w.bytes).padStart(11)} ${ms.toFixed(0).padStart(7)} ms`);

const a = await device();
const r = rng(5);
await importGenerated(a.page, importFiles, ARTICLES, (n) => libraryEntry(n, r, { perArticle: PER_ARTICLE }));
console.log(`\nSync: ${ARTICLES} articles, ${(ARTICLES * PER_ARTICLE).toLocaleString('en')} annotations, pouchdb-server on loopback`);

/** Connects `page` to the database (it reloads once) and measures its first sync. */
async function firstSync(page) {
  await page.click('[data-testid="sync-status"]');
  await page.fill('[data-testid="sync-url"]', db);
  await Promise.all([page.waitForEvent('load'), page.click('[data-testid="sync-connect"]')]);
  const from = page.calls.length;
  const state = await synced(page, 0);
  const to = page.calls.length;
  if (state !== 'synced') throw new Error(`first sync: ${state}: ${await page.textContent('[data-testid="sync-message"]')}`);
  return [await span(page, from, to), await syncTime(page)];
}

/** Waits until `page` has made no request to the server (but its long-poll) for `ms`. */
async function quiet(page, ms = 3000) {
  for (;;) {
    const n = page.calls.length;
    await new Promise((res) => setTimeout(res, ms));
    const busy = page.calls.slice(n).some((c) => !/feed=longpoll/.test(c.url));
    if (!busy && !(await page.evaluate(() => document.querySelector('[data-testid="sync-status"]').dataset.state === 'syncing'))) return;
  }
}

const [pushA, msA] = await firstSync(a.page);
line('first sync, device A sends everything', pushA, msA);
await quiet(a.page);
const b = await device();
const [pullB, msB] = await firstSync(b.page);
line('first sync, device B (empty) takes everything in', pullB, msB);
await quiet(b.page);
await quiet(a.page, 1000);
const stored = await b.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('marginalia:a:')).length);
if (stored !== ARTICLES * PER_ARTICLE) throw new Error(`device B holds ${stored} annotations`);

// One edit on A: a new colour on one annotated sentence.
await a.page.evaluate(() => { location.hash = '#/'; });
await a.page.locator('[data-testid="library-item"]').nth(1).click();
await a.page.waitForSelector('[data-testid="reader"] [data-highlight]');
await a.page.click('[data-testid="reader"] [data-highlight]');
const fromA = a.page.calls.length;
const fromB = b.page.calls.length;
const runsB = await b.page.evaluate(() => Number(document.querySelector('[data-testid="sync-last"]')?.dataset.runs ?? 0));
await a.page.keyboard.press('4');
await a.page.locator('[data-testid="save-state"]', { hasText: /^Saved$/ }).waitFor();
// The sync 2 s after the edit settles; its figures once it ends.
await a.page.waitForFunction(() => document.querySelector('[data-testid="sync-status"]').dataset.state === 'syncing', null, { timeout: 10000, polling: 10 });
await a.page.waitForFunction(() => document.querySelector('[data-testid="sync-status"]').dataset.state === 'synced', null, { timeout: 60000, polling: 10 });
const toA = a.page.calls.length;
line('after one edit, device A sends it', await span(a.page, fromA, toA), await syncTime(a.page));
// B hears of it through the change feed and syncs.
await synced(b.page, runsB);
const toB = b.page.calls.length;
line('after one edit, device B takes it in (woken by the change feed)', await span(b.page, fromB, toB), await syncTime(b.page));

await a.ctx.close();
await b.ctx.close();
await browser.close();
await server.close?.();
await couch.stop();
process.exit(0);
