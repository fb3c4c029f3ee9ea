// Benchmark, not a test: the time per annotating action on the Kursk
// article with no annotations and with 200, in one run, in Debian's
// Chromium against the release build; then the same on a 5,000-sentence
// article, where one signal per sentence matters. Prints medians and 95th
// percentiles. Run by scripts/bench (after a release build).
//
// Each action is dispatched inside the page and timed until the page's
// own updates are done (the handler, Leptos's effects, and a macrotask),
// so browser-driver latency is not counted.
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
    const settle = () => new Promise((r) => setTimeout(r, 0));
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

async function run(label, name, buffer, n) {
  const { ctx, page } = await openApp(browser, server.url);
  await openFile(page, name, buffer);
  const count = await page.locator('[data-sentence-id]').count();
  console.log(`  ${label}: ${count} sentences`);
  const empty = await timed(page, 'select', 50);
  const firstHighlights = await timed(page, 'highlight', 20);
  // Grow to 200 annotations (overlapping: several per sentence).
  await timed(page, 'highlight', n - 20);
  const items = await page.locator('[data-testid="annotation-item"]').count();
  const rows = {
    'select a sentence (no annotations)': empty,
    'highlight (first 20)': firstHighlights,
    [`select a sentence (${items} annotations)`]: await timed(page, 'select', 50),
    [`highlight (annotation ${items + 1}–${items + 50})`]: await timed(page, 'highlight', 50),
    'recolour': await timed(page, 'recolour', 50),
    'undo': await timed(page, 'undo', 30),
    'redo': await timed(page, 'redo', 30),
    'delete': await timed(page, 'delete', 30),
  };
  for (const [k, v] of Object.entries(rows)) console.log(`    ${k.padEnd(42)} ${stats(v)}`);
  // Opening the article with its annotations.
  const t = Date.now();
  await page.reload();
  await page.waitForSelector('[data-testid="annotation-item"]');
  console.log(`    ${'reload and show all annotations'.padEnd(42)} ${Date.now() - t} ms`);
  await ctx.close();
}

await run('Kursk', path.basename(source), fs.readFileSync(source), 200);
await run('Long article', 'long-report.txt', Buffer.from(longArticle(5000)), 200);
await browser.close();
await server.close();
