// Benchmark, not a test: the time per annotating action on the Kursk
// article with no annotations and with 200, in one run, in Debian's
// Chromium against the release build; then the same on a 5,000-sentence
// article, where one signal per sentence matters. Prints medians and 95th
// percentiles. Run by scripts/bench (after a release build).
//
// The 200 annotations are written to storage before the article is opened
// (sentence ranges and exact spans, overlapping, with tags and notes), as a
// long-time reader would have them. Each action is dispatched inside the
// page and timed until the page's own updates are done (the handler,
// Leptos's effects, and one macrotask via MessageChannel, which is not
// clamped like a nested setTimeout), so browser-driver latency is not
// counted.
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launch, openApp, importFiles, SHARED, FIXTURES } from './harness.mjs';

const KURSK = path.join(SHARED, 'fixtures/articles/kursk-engineers.txt');
const own = path.join(FIXTURES, 'articles/harbour-ferry.txt');
const source = fs.existsSync(KURSK) ? KURSK : own;
if (source !== KURSK) console.log('  (../shared is absent: using the project fixture harbour-ferry.txt instead of Kursk)');

function longArticle(sentences) {
  const paras = [];
  for (let i = 0; i < sentences; i += 5) {
    paras.push([0, 1, 2, 3, 4].map((k) => `Sentence ${i + k} of the long report says the harbour plan still needs work.`).join(' '));
  }
  return paras.join('\n\n');
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms (n=${s.length})`;
};

/** Runs `n` actions in the page and returns the time of each. */
async function timed(page, action, n) {
  return page.evaluate(async ({ action, n }) => {
    const ch = new MessageChannel();
    const settle = () => new Promise((r) => { ch.port1.onmessage = () => r(); ch.port2.postMessage(0); });
    const key = (k, opts = {}) => window.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...opts }));
    const sentences = document.querySelectorAll('[data-sentence-id]');
    const click = (i) => sentences[i % sentences.length].dispatchEvent(new MouseEvent('click', { bubbles: true }));
    const times = [];
    for (let i = 0; i < n; i++) {
      // Selecting is part of setting up, not of the timed action, except for "select".
      if (action !== 'select') { click(i); await settle(); }
      const t = performance.now();
      if (action === 'select') click(i);
      else if (action === 'highlight') key(String(1 + (i % 6)));
      else if (action === 'recolour') key(String(1 + ((i + 3) % 6)));
      else if (action === 'undo') key('z', { ctrlKey: true });
      else if (action === 'redo') key('z', { ctrlKey: true, shiftKey: true });
      else if (action === 'delete') key('Delete');
      await settle();
      times.push(performance.now() - t);
    }
    return times;
  }, { action, n });
}

async function openFile(page, name, buffer) {
  await importFiles(page, [{ name, mimeType: 'text/plain', buffer }]);
  await page.locator('[data-testid="library-item"]').first().waitFor();
  await page.locator('[data-testid="library-item"]', { hasText: name.replace(/\.txt$/, '').replace(/-/g, ' ') }).first().click().catch(async () => {
    await page.locator('[data-testid="library-item"]').first().click();
  });
  await page.waitForSelector('[data-testid="reader"]');
}

const server = await serveDist();
const browser = await launch();

/** Writes `n` annotations for the open article straight into storage. */
function seed(page, n) {
  return page.evaluate((n) => {
    const id = document.querySelector('[data-testid="reader"]').dataset.articleId;
    const blocks = [...document.querySelectorAll('[data-paragraph]')]
      .sort((a, b) => a.dataset.paragraph - b.dataset.paragraph);
    const cps = (s) => Array.from(s).length;
    const places = [];
    let base = 0;
    for (const b of blocks) {
      for (const el of b.querySelectorAll('[data-sentence-id]')) {
        const r = document.createRange();
        r.setStart(b, 0);
        r.setEnd(el, 0);
        const start = base + cps(r.toString());
        places[Number(el.dataset.sentenceId)] = { start, end: start + cps(el.textContent) };
      }
      base += cps(b.textContent) + 2;
    }
    const text = Array.from(blocks.map((b) => b.textContent).join('\n\n'));
    const slice = (a, b) => text.slice(a, b).join('');
    const colours = ['yellow', 'green', 'blue', 'pink', 'purple', 'orange'];
    const hex = (k) => k.toString(16).padStart(12, '0');
    const out = [];
    for (let k = 0; k < n; k++) {
      const i = k % places.length;
      const p = places[i];
      let start = p.start;
      let end = p.end;
      let last = i;
      let kind = 'span';
      if (k % 3 === 0) {
        kind = 'sentences';
        last = Math.min(places.length - 1, i + (k % 4));
        end = places[last].end;
      } else {
        const len = p.end - p.start;
        start = p.start + ((k * 7) % Math.max(1, len - 12));
        end = Math.min(p.end, start + 6 + (k % 25));
      }
      const at = new Date(Date.UTC(2026, 10, 1) + k * 60000).toISOString();
      out.push({
        id: `00000000-0000-4000-8000-${hex(k)}`, article: id,
        target: { kind, sentences: [i, last], quote: { exact: slice(start, end), prefix: slice(Math.max(0, start - 32), start), suffix: slice(end, end + 32) }, position: { start, end } },
        colour: colours[k % 6], tags: k % 4 === 0 ? [`topic ${k % 10}`, 'kursk'] : [], note: k % 5 === 0 ? `Note number ${k}` : '',
        created: at, updated: at,
      });
    }
    localStorage.setItem(`marginalia:annotations:${id}`, JSON.stringify({ v: 1, article: id, annotations: out, deleted: [] }));
  }, n);
}

async function run(label, name, buffer, n) {
  const { ctx, page } = await openApp(browser, server.url);
  await openFile(page, name, buffer);
  const count = await page.locator('[data-sentence-id]').count();
  console.log(`  ${label}: ${count} sentences`);
  const rows = {};
  rows['no annotations: select a sentence'] = await timed(page, 'select', 50);
  rows['no annotations: highlight'] = await timed(page, 'highlight', 30);
  await seed(page, n);
  let t = Date.now();
  await page.reload();
  await page.waitForSelector('[data-testid="annotation-item"]');
  const open = Date.now() - t;
  const items = await page.locator('[data-testid="annotation-item"]').count();
  rows[`${items} annotations: select a sentence`] = await timed(page, 'select', 50);
  rows[`${items} annotations: highlight or recolour`] = await timed(page, 'highlight', 50);
  rows[`${items} annotations: recolour`] = await timed(page, 'recolour', 50);
  rows[`${items} annotations: undo`] = await timed(page, 'undo', 30);
  rows[`${items} annotations: redo`] = await timed(page, 'redo', 30);
  rows[`${items} annotations: delete`] = await timed(page, 'delete', 30);
  for (const [k, v] of Object.entries(rows)) console.log(`    ${k.padEnd(44)} ${stats(v)}`);
  console.log(`    ${`open with ${items} annotations (reload to panel)`.padEnd(44)} ${open} ms`);
  await ctx.close();
}

await run('Kursk', path.basename(source), fs.readFileSync(source), 200);
await run('Long article', 'long-report.txt', Buffer.from(longArticle(5000)), 200);
await browser.close();
await server.close();
