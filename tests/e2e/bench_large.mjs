// Benchmark, not a test: times importing and opening a 100,000-word article
// in Debian's Chromium against the release build. Prints medians of 3 runs.
// Run by scripts/bench (after a release build).
import { serveDist, launch, openApp, importFiles } from './harness.mjs';

const WORDS = 100_000;
function article() {
  const sentence = (i) => `Sentence ${i} of the long report says that the harbour plan, as amended in May, still needs work.`;
  const paras = [];
  let words = 0;
  let i = 0;
  while (words < WORDS) {
    const p = [];
    for (let k = 0; k < 5; k++) p.push(sentence(i++));
    const text = p.join(' ');
    words += text.split(/\s+/).length;
    paras.push(text);
  }
  return { text: paras.join('\n\n'), sentences: i, paragraphs: paras.length };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const server = await serveDist();
const browser = await launch();
const { text, sentences, paragraphs } = article();
const runs = { import: [], open: [], reload: [], openWithout: [] };
for (let r = 0; r < 3; r++) {
  const { ctx, page } = await openApp(browser, server.url);
  let t = Date.now();
  await importFiles(page, [{ name: 'long-report.txt', mimeType: 'text/plain', buffer: Buffer.from(text) }]);
  await page.locator('[data-testid="library-item"]', { hasText: 'Sentence 0 of the long report' }).waitFor({ timeout: 120000 });
  runs.import.push(Date.now() - t);
  t = Date.now();
  await page.locator('[data-testid="library-item"]', { hasText: 'Sentence 0 of the long report' }).click();
  await page.waitForSelector(`[data-sentence-id="${sentences - 1}"]`, { state: 'attached', timeout: 120000 });
  await page.evaluate(() => new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res))));
  runs.open.push(Date.now() - t);
  t = Date.now();
  await page.reload();
  await page.waitForSelector(`[data-sentence-id="${sentences - 1}"]`, { state: 'attached', timeout: 120000 });
  await page.evaluate(() => new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res))));
  runs.reload.push(Date.now() - t);
  // The same open, with content-visibility switched off, for the ratio.
  await page.goBack();
  await page.waitForSelector('[data-testid="add-article"]');
  await page.addStyleTag({ content: '.reader-body * { content-visibility: visible !important; }' });
  t = Date.now();
  await page.locator('[data-testid="library-item"]', { hasText: 'Sentence 0 of the long report' }).click();
  await page.waitForSelector(`[data-sentence-id="${sentences - 1}"]`, { state: 'attached', timeout: 120000 });
  await page.evaluate(() => new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res))));
  runs.openWithout.push(Date.now() - t);
  await ctx.close();
}
console.log(`Large article: ${WORDS.toLocaleString('en')} words, ${paragraphs} paragraphs, ${sentences} sentences, ${(text.length / 1e6).toFixed(2)} MB`);
console.log(`  import (read, parse, segment, store, list): median ${median(runs.import)} ms  [${runs.import.join(', ')}]`);
console.log(`  open in the reader to first paint:          median ${median(runs.open)} ms  [${runs.open.join(', ')}]`);
console.log(`  reload with the reader open:                median ${median(runs.reload)} ms  [${runs.reload.join(', ')}]`);
const ratios = runs.open.map((o, i) => runs.openWithout[i] / o);
console.log(`  open without content-visibility:            median ${median(runs.openWithout)} ms  [${runs.openWithout.join(', ')}]; ratio without/with, per run: ${ratios.map((r) => r.toFixed(2)).join(', ')}`);
await browser.close();
await server.close();
