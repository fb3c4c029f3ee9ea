import { serveDist, launch, openApp, importFiles } from './harness.mjs';
const server = await serveDist();
const browser = await launch();
const { ctx, page } = await openApp(browser, server.url);
const text = Array.from({ length: 300 }, (_, i) => `Sentence number ${i} is here and it says a thing.` + (i % 5 === 4 ? '\n\n' : ' ')).join('');
await importFiles(page, [{ name: 'probe.txt', mimeType: 'text/plain', buffer: Buffer.from(text) }]);
await page.locator('[data-testid="library-item"]', { hasText: 'Sentence number' }).first().click();
await page.waitForSelector('[data-testid="reader"] [data-sentence-id]');
for (const i of [3, 10, 20]) {
  const out = await page.evaluate(async (i) => {
    const el = document.querySelector(`[data-sentence-id="${i}"]`);
    el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '3', bubbles: true, cancelable: true }));
    await new Promise((r) => setTimeout(r, 800));
    return [performance.getEntriesByName('marginalia:save').map((m) => m.duration), document.querySelector('.save-state')?.textContent];
  }, i);
  console.log(JSON.stringify(out));
}
console.log(page.errors);
await ctx.close(); await browser.close(); await server.close();
