// Benchmark, not a test (scripts/bench runs it after a release build):
// capacity. Imports, through the app's own import of complete backups,
// 2,000 generated articles of about 2,000 words with 20,000 annotations
// (10 per article), in four files of 500 articles; then prints how much
// of localStorage and of the origin's quota they use, how long the
// library takes to open (reload to every entry rendered; median of 5),
// and how long one article takes to open. Deterministic data.
import crypto from 'node:crypto';
import { serveDist, launch, openApp, importFiles, storageSnapshot } from './harness.mjs';

const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 2000);
const PER_FILE = 500;
const WORDS = 2000;
const PER_ARTICLE = 10;

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const VOCAB = 'river town market bridge winter report council plan school field letter window morning evening station road budget worker family garden harbour ferry island village coast storm rain change growth record price'.split(' ');

/** One article as the app stores it, with its annotations, ASCII only. */
function entry(n, r) {
  const blocks = [{ kind: 'heading', level: 1, text: `Report number ${n} on the towns`, sentences: [[0, `Report number ${n} on the towns`.length]] }];
  let words = 0;
  while (words < WORDS) {
    const sentences = [];
    for (let k = 0; k < 5; k++) {
      const len = 10 + Math.floor(r() * 15);
      const w = Array.from({ length: len }, () => VOCAB[Math.floor(r() * VOCAB.length)]);
      w[0] = w[0][0].toUpperCase() + w[0].slice(1);
      sentences.push(`${w.join(' ')}.`);
      words += len;
    }
    const text = sentences.join(' ');
    let at = 0;
    const spans = sentences.map((s) => { const span = [at, at + s.length]; at += s.length + 1; return span; });
    blocks.push({ kind: 'paragraph', text, sentences: spans });
  }
  const full = blocks.map((b) => b.text).join('\n\n');
  const id = crypto.createHash('sha256').update(full).digest('hex');
  const places = [];
  let base = 0;
  for (const b of blocks) {
    for (const [s, e] of b.sentences) places.push([base + s, base + e]);
    base += b.text.length + 2;
  }
  const annotations = [];
  const used = new Set();
  for (let k = 0; k < PER_ARTICLE; k++) {
    let i;
    do { i = 1 + Math.floor(r() * (places.length - 1)); } while (used.has(i));
    used.add(i);
    const [start, end] = places[i];
    const at = new Date(Date.UTC(2026, 10, 1) + (n * PER_ARTICLE + k) * 1000).toISOString();
    annotations.push({
      id: `00000000-0000-4000-8000-${(n * PER_ARTICLE + k).toString(16).padStart(12, '0')}`,
      target: {
        kind: 'sentences', sentences: [i, i],
        quote: { exact: full.slice(start, end), prefix: full.slice(Math.max(0, start - 32), start), suffix: full.slice(end, end + 32) },
        position: { start, end },
      },
      colour: ['yellow', 'green', 'blue'][k % 3], tags: k % 3 === 0 ? ['towns'] : [], note: k % 4 === 0 ? `Note ${k}.` : '',
      created: at, updated: at,
    });
  }
  return {
    id, title: blocks[0].text, sourceName: `report-${n}.txt`, added: new Date(Date.UTC(2026, 0, 1) + n * 60000).toISOString(),
    words: full.split(/\s+/).length, sentences: places.length, text: { blocks }, annotations,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const server = await serveDist();
const browser = await launch();
const { ctx, page } = await openApp(browser, server.url);
const r = rng(11);
let t0 = Date.now();
let stopped = null;
for (let f = 0; f < ARTICLES / PER_FILE; f++) {
  const articles = Array.from({ length: PER_FILE }, (_, k) => entry(f * PER_FILE + k, r));
  const file = JSON.stringify({ format: 'marginalia', version: 1, exported: '2026-11-30T00:00:00Z', app: { name: 'bench', version: '0' }, complete: true, articles, tagColours: {} });
  await importFiles(page, [{ name: `backup-${f}.json`, mimeType: 'application/json', buffer: Buffer.from(file) }]);
  await page.locator('[data-testid="import-confirm"]').click({ timeout: 300000 });
  await page.waitForFunction(() => !document.querySelector('[data-testid="transfer-dialog"]'), null, { timeout: 600000 });
  // The apply is asynchronous: wait for its message.
  const notice = await page.locator('[data-testid="notice"]', { hasText: new RegExp(`backup-${f}\\.json`) }).last().textContent({ timeout: 600000 });
  if (!/^Imported/.test(notice)) { stopped = `file ${f + 1}: ${notice.slice(0, 160)}`; break; }
  console.log(`  file ${f + 1}: ${PER_FILE} articles, ${(file.length / 1e6).toFixed(1)} MB, imported (${((Date.now() - t0) / 1000).toFixed(0)} s so far)`);
}
const importSeconds = (Date.now() - t0) / 1000;
const listed = await page.locator('[data-testid="library-item"]').count();
const snap = await storageSnapshot(page);
const lsUnits = Object.entries(snap).filter(([k]) => !k.startsWith('idb:')).reduce((n, [k, v]) => n + k.length + v.length, 0);
const records = Object.keys(snap).filter((k) => k.startsWith('marginalia:a:')).length;
const estimate = await page.evaluate(() => navigator.storage.estimate());
// The library's open, measured inside the page: navigation start to every
// entry rendered, then one frame.
const libOpen = [];
await page.context().addInitScript((n) => {
  const obs = new MutationObserver(() => {
    if (document.querySelectorAll('[data-testid="library-item"]').length >= n) {
      obs.disconnect();
      requestAnimationFrame(() => { window.__libReady = performance.now(); });
    }
  });
  obs.observe(document, { childList: true, subtree: true });
}, listed);
for (let i = 0; i < 5; i++) {
  await page.reload();
  await page.waitForFunction(() => window.__libReady !== undefined, null, { timeout: 60000 });
  libOpen.push(await page.evaluate(() => window.__libReady));
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
console.log(`  library open, from navigation start to every entry rendered: median ${median(libOpen).toFixed(0)} ms [${libOpen.map((x) => x.toFixed(0)).join(', ')}]`);
console.log(`  opening one article from the library: ${articleOpen} ms`);
await ctx.close();
await browser.close();
await server.close();
