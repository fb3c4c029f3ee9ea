import { serveDist, launch, openApp, importFiles } from './harness.mjs';
const server = await serveDist();
const browser = await launch();
const { ctx, page } = await openApp(browser, server.url);
const text = Array.from({ length: 300 }, (_, i) => `Sentence number ${i} is here and it says a thing.` + (i % 5 === 4 ? '\n\n' : ' ')).join('');
await importFiles(page, [{ name: 'probe.txt', mimeType: 'text/plain', buffer: Buffer.from(text) }]);
const item = page.locator('[data-testid="library-item"]', { hasText: 'Sentence number' }).first();
await item.click();
await page.waitForSelector('[data-testid="reader"] [data-sentence-id]');
// annotate a few first
for (const i of [3, 10, 20]) { await page.click(`[data-sentence-id="${i}"]`); await page.keyboard.press('2'); }
await page.waitForTimeout(500);
const out = await page.evaluate(async () => {
  const el = document.querySelector('[data-sentence-id="40"]');
  el.scrollIntoView({ block: 'center' });
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const muts = [];
  const desc = (n) => n.nodeType === 3 ? '#text' : `${n.tagName.toLowerCase()}${n.dataset?.testid ? '[' + n.dataset.testid + ']' : ''}${n.className ? '.' + String(n.className).split(' ').join('.') : ''}`;
  const obs = new MutationObserver((ms) => { for (const m of ms) muts.push(`${m.type} ${desc(m.target)} ${m.attributeName ?? ''} +${m.addedNodes.length} -${m.removedNodes.length} ${[...m.addedNodes].map(desc).join(',')}`); });
  obs.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
  await new Promise((r) => setTimeout(r, 50));
  muts.push('---- key 3');
  window.dispatchEvent(new KeyboardEvent('keydown', { key: '3', bubbles: true, cancelable: true }));
  await new Promise((r) => setTimeout(r, 600));
  obs.disconnect();
  return muts;
});
console.log(out.join('\n'));
await ctx.close(); await browser.close(); await server.close();
