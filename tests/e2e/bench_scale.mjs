// Benchmark, not a test (scripts/bench runs it after a release build): the
// app at scale against a vanilla-JS page (tests/bench/vanilla.js) that
// renders the same reader DOM from the same stored data, in one run, in
// Debian's Chromium. Prints, for N stored annotations on a generated
// 100,000-word article:
//   - open: from the route change to painted highlights (median of 5
//     fresh loads), app and vanilla, and the ratio;
//   - act: a click on a sentence and the key `3`, dispatched at the start
//     of a frame: time in each handler, and time until that frame has
//     rendered the change (handlers, the work they queue, style, layout
//     and paint; medians of 20). The sentence is scrolled to two frames
//     before, so that the blocks the scroll brings into view have been
//     laid out (content-visibility: auto lays them out a frame late):
//     the frame holds the edit's work, not the scroll's;
//   - save: the main-thread time of the save itself (p95 of 20 edits), as
//     the page measures it (the User Timing measure "marginalia:save");
//     and the longest main-thread block from 150 ms to 800 ms after the
//     key (a MessageChannel ping loop's longest gap), which also holds any
//     frame rendered meanwhile, so it has a floor the vanilla page shows;
//   - memory after opening: JS heap (after a forced GC) plus wasm memory.
// The article and the annotations are generated deterministically, and
// the annotations go in through the app's own import of a Marginalia JSON
// file, so the same script measures any storage layout.
import fs from 'node:fs';
import path from 'node:path';
import { DIST as BUILT, ROOT, serveDist, launch, importFiles, profile } from './harness.mjs';
import { rng } from './generate.mjs';

// BENCH_TRACE=1 prints, per page, the browser's time by trace event
// (style, layout, paint) over 10 edits: for finding what a frame holds.
// BENCH_DIST measures another build (a profiling one with names, say).
const DIST = process.env.BENCH_DIST ?? BUILT;

const NS = (process.env.BENCH_NS ?? '0,500,2000,5000,15000').split(',').map(Number);
const LOADS = Number(process.env.BENCH_LOADS ?? 5);
const EDITS = Number(process.env.BENCH_EDITS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// Frames between scrolling to a sentence and editing it (1 measures the
// scroll's late layout of the blocks it brought into view as well).
const SETTLE = Number(process.env.BENCH_SETTLE ?? 2);

// ---- deterministic data -------------------------------------------------
const WORDS = ('harbour ferry council plan report town river bridge market winter summer road train station engineer ' +
  'budget school library street house garden field worker family child teacher doctor nurse letter paper window ' +
  'morning evening night week month year crossing vessel passenger ticket price service route timetable delay ' +
  'storm wind rain snow coast island village city county region border office minister member vote meeting ' +
  'question answer reason result effect cause change growth decline record figure number share cost value ' +
  'quietly slowly later again often never always still already almost nearly rather quite simply clearly ' +
  'reads writes says finds keeps holds brings takes makes gives shows opens closes moves turns builds ' +
  'old new long short early late small large local public private careful open narrow wide heavy light').split(' ');
export function generateArticle(words = 100_000, seed = 42) {
  const r = rng(seed);
  const pick = () => WORDS[Math.floor(r() * WORDS.length)];
  const paras = [];
  let n = 0;
  while (n < words) {
    const sentences = [];
    const k = 3 + Math.floor(r() * 5);
    for (let s = 0; s < k && n < words; s++) {
      const len = 10 + Math.floor(r() * 18);
      const w = Array.from({ length: len }, pick);
      w[0] = w[0][0].toUpperCase() + w[0].slice(1);
      sentences.push(`${w.join(' ')}.`);
      n += len;
    }
    paras.push(sentences.join(' '));
  }
  return `The long report on harbour towns\n\n${paras.join('\n\n')}\n`;
}

// ---- server: the release build, and the vanilla page beside it --------
function serve() {
  const css = fs.readdirSync(DIST).find((f) => f.endsWith('.css'));
  const vanilla = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>vanilla</title>
<link rel="stylesheet" href="/${css}"><script src="/vanilla.js"></script></head><body><main id="main"><div id="root"></div></main></body></html>`;
  return serveDist(DIST, {
    '/vanilla.html': () => ['text/html; charset=utf-8', vanilla],
    '/vanilla.js': () => ['text/javascript', fs.readFileSync(path.join(ROOT, 'tests/bench/vanilla.js'))],
  });
}

// ---- in-page helpers ----------------------------------------------------
/** The sentence places (code points) of the open article, from its DOM. */
const places = (page) => page.evaluate(() => {
  const blocks = [...document.querySelectorAll('[data-testid="reader"] [data-paragraph]')]
    .sort((a, b) => a.dataset.paragraph - b.dataset.paragraph);
  const out = [];
  let base = 0;
  for (const b of blocks) {
    for (const el of b.querySelectorAll('[data-sentence-id]')) {
      const r = document.createRange();
      r.setStart(b, 0);
      r.setEnd(el, 0);
      const start = base + Array.from(r.toString()).length;
      out[Number(el.dataset.sentenceId)] = [start, start + Array.from(el.textContent).length];
    }
    base += Array.from(b.textContent).length + 2;
  }
  return { places: out, text: blocks.map((b) => b.textContent).join('\n\n') };
});

/** A Marginalia JSON file with `n` annotations on the article: sentence
 * ranges and exact spans, overlapping, tags on a quarter, notes on a fifth. */
function annotationsFile(article, { places, text }, n) {
  const r = rng(7);
  const colours = ['yellow', 'green', 'blue', 'pink', 'purple', 'orange'];
  const hex = (k) => k.toString(16).padStart(12, '0');
  const out = [];
  const taken = new Set();
  for (let k = 0; k < n; k++) {
    const i = Math.floor(r() * places.length);
    let [start, end] = places[i];
    let last = i;
    // Sentence targets while free places last, then exact spans.
    let kind = k % 3 === 2 || taken.has(`sentences:${start}:${end}`) ? 'span' : 'sentences';
    if (kind === 'span') {
      const len = end - start;
      start += Math.floor(r() * Math.max(1, len - 16));
      end = Math.min(end - 1, start + 6 + Math.floor(r() * 20));
      if (text[end - 1] === ' ') end -= 1;
      if (text[start] === ' ') start += 1;
    } else if (k % 7 === 0) {
      last = Math.min(places.length - 1, i + 1 + Math.floor(r() * 2));
      end = places[last][1];
    }
    // Two annotations at one place would be one on import: move on.
    if (taken.has(`${kind}:${start}:${end}`)) { k--; continue; }
    taken.add(`${kind}:${start}:${end}`);
    const at = new Date(Date.UTC(2026, 10, 1) + k * 60000).toISOString();
    out.push({
      id: `00000000-0000-4000-8000-${hex(k)}`,
      target: {
        kind, sentences: [i, last],
        quote: { exact: text.slice(start, end), prefix: text.slice(Math.max(0, start - 32), start), suffix: text.slice(end, end + 32) },
        position: { start, end },
      },
      colour: colours[k % 6], tags: k % 4 === 0 ? [`topic ${k % 12}`, 'harbour'] : [],
      note: k % 5 === 0 ? `Note number ${k}: check this against the council minutes.` : '',
      created: at, updated: at,
    });
  }
  return JSON.stringify({
    format: 'marginalia', version: 1, exported: '2026-11-30T00:00:00Z', app: { name: 'bench', version: '0' }, complete: false,
    articles: [{ ...article, annotations: out }], tagColours: {},
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => { const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b); if (!s.length) return NaN; return s[Math.min(s.length - 1, Math.floor(0.95 * s.length))]; };
const f1 = (x) => (x === undefined ? '—' : x.toFixed(1));

/** Resolves after the next frame has been produced (rAF, then a task). */
const FRAME = `() => new Promise((res) => requestAnimationFrame(() => { const c = new MessageChannel(); c.port1.onmessage = () => res(performance.now()); c.port2.postMessage(0); }))`;

async function openApp(page, url, id, sentences, n) {
  await page.goto(`${url}#/`);
  await page.waitForSelector('[data-testid="library-item"]');
  return page.evaluate(async ({ id, last, n, FRAME }) => {
    const frame = eval(FRAME);
    const ready = () => document.querySelector(`[data-sentence-id="${last}"]`) && (n === 0 || document.querySelector('.reader-body [data-highlight], .reader-body mark'));
    const t0 = performance.now();
    await new Promise((res) => {
      const obs = new MutationObserver(() => { if (ready()) { obs.disconnect(); res(); } });
      obs.observe(document.body, { childList: true, subtree: true, attributes: true });
      location.hash = `#/read/${id}`;
    });
    return (await frame()) - t0;
  }, { id, last: sentences - 1, n, FRAME });
}

async function openVanilla(page, url, id) {
  await page.goto(`${url}vanilla.html`);
  return page.evaluate(async ({ id, FRAME }) => {
    const frame = eval(FRAME);
    const t0 = performance.now();
    await window.openArticle(id);
    return (await frame()) - t0;
  }, { id, FRAME });
}

/** `EDITS` times: click a sentence, press 3; handler time, frame, save block. */
function act(page, sentences, round = 0) {
  return page.evaluate(async ({ edits, sentences, FRAME, round, settle }) => {
    const frame = eval(FRAME);
    const out = { handler: [], frame: [], block: [], save: [] };
    const ch = new MessageChannel();
    for (let e = 0; e < edits; e++) {
      const i = (Math.floor(((e * 7919) % 997) / 997 * sentences) + round * 17) % sentences;
      const el = document.querySelector(`[data-sentence-id="${i}"]`);
      el.scrollIntoView({ block: 'center' });
      // `settle` frames (2 by default): the scroll's own, and the next, in
      // which the blocks it brought into view (content-visibility: auto)
      // are laid out and painted (they are found on screen only at the
      // end of the first). With one, the measured frame holds that layout
      // too, on both pages: about 14 ms of a 22 ms frame at N = 5,000.
      for (let f = 0; f < settle; f++) await frame();
      // At the start of a frame (in its animation callback): the click,
      // the key, the work they queue, and that frame's rendering of the
      // change, which ends before the message posted here arrives. Waiting
      // for the next vsync is not counted, so frame phase is no noise.
      const [t0, t1, t2, tf] = await new Promise((res) => requestAnimationFrame(() => {
        performance.mark('bench:frame-start');
        const t0 = performance.now();
        el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
        const t1 = performance.now();
        window.dispatchEvent(new KeyboardEvent('keydown', { key: '3', bubbles: true, cancelable: true }));
        const t2 = performance.now();
        const c = new MessageChannel();
        c.port1.onmessage = () => { performance.mark('bench:frame-end'); res([t0, t1, t2, performance.now()]); };
        c.port2.postMessage(0);
      }));
      out.handler.push(Math.max(t1 - t0, t2 - t1));
      out.frame.push(tf - t0);
      // The longest gap in a ping loop from 150 ms to 800 ms after the key.
      let longest = 0;
      await new Promise((res) => {
        let prev = null;
        ch.port1.onmessage = () => {
          const now = performance.now();
          if (now - t2 >= 150) { if (prev !== null) longest = Math.max(longest, now - prev); prev = now; }
          if (now - t2 >= 800) res(); else ch.port2.postMessage(0);
        };
        ch.port2.postMessage(0);
      });
      out.block.push(longest);
      // The save itself, as the page measures it (User Timing).
      const m = performance.getEntriesByName('marginalia:save').pop();
      out.save.push(m ? m.duration : NaN);
      performance.clearMeasures('marginalia:save');
    }
    return out;
  }, { edits: EDITS, sentences, FRAME, round, settle: SETTLE });
}

async function memory(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const wasm = await page.evaluate(() => window.__wasm?.memory?.buffer?.byteLength ?? 0);
  const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  await cdp.detach();
  return { js: usedSize, wasm, nodes };
}

// ---- the run ------------------------------------------------------------
const server = await serve();
const browser = await launch();
const text = generateArticle();
const rows = [];
let mem = null;
const mems = [];
for (const n of NS) {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  await ctx.addInitScript(() => addEventListener('TrunkApplicationStarted', (e) => { window.__wasm = e.detail.wasm; }));
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.log(`  page error: ${e}`));
  await page.goto(server.url);
  await page.waitForSelector('[data-testid="add-article"]');
  await importFiles(page, [{ name: 'long-report.txt', mimeType: 'text/plain', buffer: Buffer.from(text) }]);
  const item = page.locator('[data-testid="library-item"]', { hasText: 'harbour towns' }).first();
  await item.waitFor({ timeout: 180000 });
  const id = await item.getAttribute('data-article-id');
  await item.click();
  await page.waitForSelector('[data-testid="reader"] [data-sentence-id]');
  const where = await places(page);
  const sentences = where.places.length;
  let fits = true;
  if (n > 0) {
    const article = { id, title: 'The long report on harbour towns', added: '2026-11-30T00:00:00Z' };
    await page.goto(`${server.url}#/`);
    await importFiles(page, [{ name: 'bench.json', mimeType: 'application/json', buffer: Buffer.from(annotationsFile(article, where, n)) }]);
    await page.locator('[data-testid="import-confirm"]').click({ timeout: 300000 });
    await page.waitForFunction(() => !document.querySelector('[data-testid="transfer-dialog"]'), null, { timeout: 300000 });
    const count = Number(await page.locator('[data-testid="library-item"]', { hasText: 'harbour towns' }).locator('[data-testid="annotation-count"]').textContent().catch(() => '0').then((t) => (t.match(/\d[\d,]*/) ?? ['0'])[0].replace(/,/g, '')));
    if (count < n) {
      fits = false;
      const notice = await page.locator('[data-testid="notice"]').last().textContent().catch(() => '');
      console.log(`  N=${n}: does not fit (${count} stored): ${notice.slice(0, 120)}`);
    }
  }
  if (!fits) { rows.push({ n, fits }); await ctx.close(); continue; }
  const app = [];
  const van = [];
  for (let l = 0; l < LOADS; l++) {
    app.push(await openApp(page, server.url, id, sentences, n));
    van.push(await openVanilla(page, server.url, id));
  }
  await openApp(page, server.url, id, sentences, n);
  const memApp = await memory(page);
  await openVanilla(page, server.url, id);
  const memVan = await memory(page);
  if (n === 5000 || mem === null) mem = { n, a: memApp, v: memVan };
  mems.push({ n, a: memApp, v: memVan });
  if (process.env.BENCH_PROFILE) {
    await page.goto(`${server.url}#/`);
    await page.waitForSelector('[data-testid="library-item"]');
    await profile(page, `app open, N=${n}`, () => openApp(page, server.url, id, sentences, n));
    await profile(page, `app click + 3 and the next frame, 20 times, N=${n}`, () => page.evaluate(async ({ sentences, FRAME }) => {
      const frame = eval(FRAME);
      for (let e = 0; e < 20; e++) {
        const el = document.querySelector(`[data-sentence-id="${(e * 263) % sentences}"]`);
        el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
        window.dispatchEvent(new KeyboardEvent('keydown', { key: '3', bubbles: true, cancelable: true }));
        await frame();
      }
    }, { sentences, FRAME }));
  }
  if (process.env.BENCH_TRACE) {
    // What the browser does in the frames of 10 edits, app and vanilla:
    // total time per trace event name (style, layout, paint, ...).
    for (const [label, open] of [['app', () => openApp(page, server.url, id, sentences, n)], ['vanilla', () => openVanilla(page, server.url, id)]]) {
      await open();
      await browser.startTracing(page, { categories: ['devtools.timeline', 'blink', 'blink.user_timing', 'disabled-by-default-devtools.timeline'] });
      // Sentences of their own: the rounds below would repeat these edits.
      await act(page, sentences, 100 * ROUNDS);
      const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
      // Only what runs on the page's main thread within the measured
      // frames (from the click to the frame rendered), nested events
      // counted in each of their names.
      const marks = (name) => events.filter((e) => e.name === name).map((e) => [e.ts, e.tid]);
      const starts = marks('bench:frame-start');
      const ends = marks('bench:frame-end');
      const windows = starts.map(([ts, tid], i) => [ts, ends[i]?.[0] ?? ts, tid]);
      const total = new Map();
      for (const e of events) {
        if (e.ph !== 'X' || !e.dur) continue;
        if (!windows.some(([a, b, tid]) => e.tid === tid && e.ts >= a && e.ts < b)) continue;
        total.set(e.name, (total.get(e.name) ?? 0) + e.dur / 1000);
      }
      // How much of the frames the main thread was busy (top-level
      // tasks, clipped to the frames): the rest it waited.
      let span = 0;
      let busy = 0;
      for (const [a, b, tid] of windows) {
        span += (b - a) / 1000;
        for (const e of events) {
          if (e.ph === 'X' && e.tid === tid && (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask') && e.ts < b && e.ts + e.dur > a) {
            busy += (Math.min(b, e.ts + e.dur) - Math.max(a, e.ts)) / 1000;
          }
        }
      }
      console.log(`  trace, ${label}: frames ${span.toFixed(1)} ms in all, the main thread busy in tasks ${busy.toFixed(1)} ms of them (nested task names counted twice)`);
      console.log(`  trace, ${label}, ${windows.length} edits' frames (ms by event, main thread):`);
      for (const [k, v] of [...total].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`    ${v.toFixed(1).padStart(8)}  ${k}`);
    }
  }
  if (process.env.BENCH_CSS) {
    // What part of the app's frame a piece of its page costs: the act
    // measured again with each style of BENCH_CSS (a JSON object, label to
    // CSS, "{\"no panel\": \".panel { display: none }\"}" say) applied.
    // Each style's rounds edit sentences of their own (an edit repeated
    // on a sentence would change nothing, and cost less), and none that
    // the rounds below edit.
    for (const [k, [label, css]] of Object.entries(JSON.parse(process.env.BENCH_CSS)).entries()) {
      const f = [];
      const v = [];
      for (let r = 0; r < ROUNDS; r++) {
        const round = ROUNDS * (k + 1) + r;
        await openApp(page, server.url, id, sentences, n);
        if (css) await page.addStyleTag({ content: css });
        f.push(...(await act(page, sentences, round)).frame);
        await openVanilla(page, server.url, id);
        v.push(...(await act(page, sentences, round)).frame);
      }
      console.log(`  N=${n}, ${label}: next frame, app / vanilla ${f1(median(f))} / ${f1(median(v))} ms (${(median(f) - median(v)).toFixed(1)})`);
    }
  }
  // In rounds, alternating, so that drift in the machine's speed falls
  // on both pages alike.
  const actApp = { handler: [], frame: [], block: [], save: [] };
  const actVan = { handler: [], frame: [], block: [], save: [] };
  const add = (to, from) => { for (const k of Object.keys(to)) to[k].push(...from[k]); };
  for (let round = 0; round < ROUNDS; round++) {
    await openApp(page, server.url, id, sentences, n);
    add(actApp, await act(page, sentences, round));
    await openVanilla(page, server.url, id);
    add(actVan, await act(page, sentences, round));
  }
  rows.push({ n, fits, sentences, app, van, actApp, actVan });
  console.log(`  N=${n}: open app [${app.map((x) => x.toFixed(0)).join(', ')}] vanilla [${van.map((x) => x.toFixed(0)).join(', ')}] ms`);
  await ctx.close();
}

console.log(`\nScale: a ${text.split(/\s+/).length.toLocaleString('en')}-word article, ${rows.find((r) => r.sentences)?.sentences ?? '?'} sentences; medians of ${LOADS} fresh loads and ${ROUNDS} × ${EDITS} edits, each ${SETTLE} frame${SETTLE === 1 ? "" : "s"} after its scroll; ratio = app / vanilla`);
console.log('| N | open: app / vanilla (ratio) | click + `3`: handler, app / vanilla | next frame, app / vanilla (app − vanilla) | save p95, app / vanilla | longest block while saving, p95, app / vanilla |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  if (!r.fits) { console.log(`| ${r.n.toLocaleString('en')} | does not fit in storage | | | | |`); continue; }
  const oa = median(r.app), ov = median(r.van);
  const ha = median(r.actApp.handler), hv = median(r.actVan.handler);
  const fa = median(r.actApp.frame), fv = median(r.actVan.frame);
  const ba = p95(r.actApp.block), bv = p95(r.actVan.block);
  const sa = p95(r.actApp.save), sv = p95(r.actVan.save);
  const f2 = (x) => (Number.isNaN(x) ? 'not measured' : x.toFixed(2));
  console.log(`| ${r.n.toLocaleString('en')} | ${f1(oa)} / ${f1(ov)} ms (${(oa / ov).toFixed(2)}×) | ${f1(ha)} / ${f1(hv)} ms | ${f1(fa)} / ${f1(fv)} ms (${fa - fv >= 0 ? '+' : ''}${f1(fa - fv)}) | ${f2(sa)} / ${f2(sv)} ms | ${f1(ba)} / ${f1(bv)} ms |`);
}
if (mems.length) {
  const mb = (b) => (b / 1048576).toFixed(1);
  console.log('\n| N | memory after opening: app (JS heap + wasm) | vanilla (JS heap) | ratio | DOM elements, app / vanilla |');
  console.log('|---|---|---|---|---|');
  for (const { n, a, v } of mems) {
    console.log(`| ${n.toLocaleString('en')} | ${mb(a.js + a.wasm)} MB (${mb(a.js)} + ${mb(a.wasm)}) | ${mb(v.js)} MB | ${((a.js + a.wasm) / v.js).toFixed(2)}× | ${a.nodes} / ${v.nodes} |`);
  }
}
await browser.close();
await server.close();
