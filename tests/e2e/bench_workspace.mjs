// Benchmark, not a test (scripts/bench runs it after a release build): the
// library as a workspace at scale. Imports 2,000 generated articles of
// about 2,000 words (a 20,000-word made-up vocabulary with a Zipf-like
// skew, so the index holds as many distinct words as prose gives) with
// 20,000 annotations, then prints:
//   - search: building the index (first use), each keystroke from the
//     input event to the results painted, and until the shown results'
//     sentences are worked out;
//   - the notebook: open to the first entries painted, to every
//     annotation loaded, a filter keystroke, regrouping by tag;
//   - the tag manager: open, a rename across the library, its undo.
// Deterministic data; figures are medians where repeated.
import { serveDist, launch, openApp, importFiles, profile } from './harness.mjs';
import { rng, libraryEntry, wordList, zipf, importGenerated } from './generate.mjs';

const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 2000);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs) => Math.max(...xs);
const fmt = (xs) => `median ${median(xs).toFixed(1)} ms, max ${max(xs).toFixed(1)} ms over ${xs.length}`;

const server = await serveDist(process.env.BENCH_DIST);
const browser = await launch();
const { ctx, page } = await openApp(browser, server.url);
const r = rng(23);
const vocab = wordList(20000, r);
const t0 = Date.now();
const stopped = await importGenerated(page, importFiles, ARTICLES, (n) => libraryEntry(n, r, { vocab, pick: zipf(r) }));
if (stopped) console.log(`  import stopped at ${stopped}`);
console.log(`\nWorkspace: ${ARTICLES.toLocaleString('en')} articles of about 2,000 words (20,000-word vocabulary), ${(ARTICLES * 10).toLocaleString('en')} annotations; imported in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

// Start from a fresh page, as a reader opening the app would.
await page.reload();
await page.waitForSelector('[data-testid="library-search"]');

/** Sets the box to `value` as typing does; ms from the input event to the next frame painted. */
const keystroke = (selector, value) => page.evaluate(([s, v]) => new Promise((resolve) => {
  const input = document.querySelector(s);
  const t = performance.now();
  input.value = v;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t), 0));
}), [selector, value]);
const SEARCH = '[data-testid="library-search"]';
const snippetsReady = () => page.waitForFunction(() => [...document.querySelectorAll('[data-testid="search-result"]')].every((x) => x.dataset.ready === 'true'), null, { timeout: 60000 });
const indexed = () => page.waitForFunction(() => !/Reading texts/.test(document.querySelector('[data-testid="search-status"]')?.textContent ?? 'Reading texts'), null, { timeout: 600000 });

// 1. Search. The index is built on first use: time it from the focus.
const PROFILE = process.env.BENCH_PROFILE;
const maybeProfile = (label, run) => (PROFILE ? profile(page, label, run) : run());
let t = Date.now();
let build = 0;
await maybeProfile('building the search index', async () => {
  await page.focus(SEARCH);
  await keystroke(SEARCH, vocab[5]);
  await indexed();
  build = Date.now() - t;
});
if (PROFILE) {
  await profile(page, 'typing', async () => {
    for (const q of [vocab[3], 'report 12']) for (let i = 1; i <= q.length; i++) await keystroke(SEARCH, q.slice(0, i));
  });
  await profile(page, 'typing in the notebook filter', async () => {
    await page.evaluate(() => { location.hash = '#/notebook'; });
    await page.waitForFunction(() => !/Loading/.test(document.querySelector('[data-testid="notebook-status"]')?.textContent ?? 'Loading'), null, { timeout: 60000 });
    for (let i = 1; i <= 5; i++) await keystroke('[data-testid="filter-text"]', 'towns'.slice(0, i));
    await page.evaluate(() => { location.hash = '#/'; });
    await page.waitForSelector(SEARCH);
  });
}
// A later session: the index comes back from the snapshot the first kept.
const snapshotBytes = await page.waitForFunction(() => new Promise((resolve) => {
  const req = indexedDB.open('marginalia-cache');
  req.onsuccess = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains('cache')) { db.close(); resolve(0); return; }
    const r = db.transaction('cache').objectStore('cache').get('search-index');
    r.onsuccess = () => { db.close(); resolve(r.result ? r.result.length : 0); };
  };
}), null, { timeout: 60000 }).then((h) => h.jsonValue());
await page.reload();
await page.waitForSelector(SEARCH);
t = Date.now();
await page.focus(SEARCH);
await keystroke(SEARCH, vocab[5]);
await indexed();
const rebuild = Date.now() - t;
const typed = [];
const ready = [];
// A rare word, a common one, a title word with a number, a tag, two words.
for (const query of [vocab[9000], vocab[3], 'report 1234', 'towns', `${vocab[40]} ${vocab[700]}`]) {
  await keystroke(SEARCH, '');
  for (let i = 1; i <= query.length; i++) {
    typed.push(await keystroke(SEARCH, query.slice(0, i)));
  }
  const s = Date.now();
  await snippetsReady();
  ready.push(Date.now() - s);
}
const status = await page.textContent('[data-testid="search-status"]');
console.log('  search');
console.log(`    index built on first use (titles, ${(ARTICLES * 10).toLocaleString('en')} annotations' notes and tags, every text read from IndexedDB): ${build} ms`);
console.log(`    a later session, the index from the snapshot the first kept (${(snapshotBytes / 1e6).toFixed(1)} MB in IndexedDB): ${rebuild} ms`);
console.log(`    a keystroke, input event to the results painted: ${fmt(typed)} (goal ≤ 50 ms)`);
console.log(`    then the shown results' sentences worked out: ${fmt(ready)}`);
console.log(`    last query "${`${vocab[40]} ${vocab[700]}`}": ${status.trim()}`);
await keystroke(SEARCH, '');

// 2. The notebook.
const nb = await page.evaluate(() => new Promise((resolve) => {
  const t = performance.now();
  let first = null;
  const obs = new MutationObserver(() => {
    if (first === null && document.querySelector('[data-testid="notebook-item"]')) {
      requestAnimationFrame(() => { first = performance.now() - t; });
    }
    const s = document.querySelector('[data-testid="notebook-status"]');
    if (first !== null && s && !/Loading/.test(s.textContent)) {
      obs.disconnect();
      requestAnimationFrame(() => resolve({ first, all: performance.now() - t }));
    }
  });
  obs.observe(document, { childList: true, subtree: true, characterData: true });
  location.hash = '#/notebook';
}));
const count = await page.textContent('[data-testid="filter-count"]');
const filterKeys = [];
for (const q of ['towns', vocab[2]]) {
  for (let i = 1; i <= q.length; i++) filterKeys.push(await keystroke('[data-testid="filter-text"]', q.slice(0, i)));
  await keystroke('[data-testid="filter-text"]', '');
}
const regroup = await page.evaluate(() => new Promise((resolve) => {
  const sel = document.querySelector('[data-testid="notebook-group-by"]');
  const t = performance.now();
  sel.value = 'tag';
  sel.dispatchEvent(new Event('change', { bubbles: true }));
  requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t), 0));
}));
console.log('  notebook');
console.log(`    open, route change to the first entries painted: ${nb.first.toFixed(0)} ms; to all ${count.trim()} loaded: ${nb.all.toFixed(0)} ms`);
console.log(`    a filter keystroke (text in quotes and notes), to painted: ${fmt(filterKeys)}`);
console.log(`    grouping by tag, to painted: ${regroup.toFixed(0)} ms`);

// 3. The tag manager.
const tagsOpen = await page.evaluate(() => new Promise((resolve) => {
  const t = performance.now();
  const obs = new MutationObserver(() => {
    if (document.querySelector('[data-testid="tag-row"]')) {
      obs.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - t));
    }
  });
  obs.observe(document, { childList: true, subtree: true });
  location.hash = '#/tags';
}));
const towns = await page.textContent('[data-testid="tag-row"][data-tag="towns"] [data-testid="tag-count"]');
await page.click('[data-testid="tag-row"][data-tag="towns"] [data-testid="tag-rename"]');
await page.fill('[data-testid="tag-rename-input"]', 'cities');
const rename = await page.evaluate(() => new Promise((resolve) => {
  const input = document.querySelector('[data-testid="tag-rename-input"]');
  const t = performance.now();
  input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
  requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t), 0));
}));
const done = await page.textContent('[data-testid="tag-done"]');
const undo = await page.evaluate(() => new Promise((resolve) => {
  const t = performance.now();
  document.querySelector('[data-testid="tag-undo"]').click();
  requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t), 0));
}));
const back = await page.textContent('[data-testid="tag-row"][data-tag="towns"] [data-testid="tag-count"]');
console.log('  tag manager');
console.log(`    open, route change to the rows painted (statistics from every record): ${tagsOpen.toFixed(0)} ms`);
console.log(`    rename "towns" (${towns} annotations) to "cities", all or nothing, to painted: ${rename.toFixed(0)} ms (${done.replace(/\s*Undo\s*$/, '').trim()})`);
console.log(`    its undo, to painted: ${undo.toFixed(0)} ms (towns: ${back} annotations again)`);
if (page.errors.length) console.log(`  page errors: ${page.errors.join(' | ')}`);
await ctx.close();
await browser.close();
await server.close();
