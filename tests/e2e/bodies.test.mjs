// End-to-end: article texts live in IndexedDB and everything small in
// localStorage; with IndexedDB refused, texts stay in localStorage under a
// clear warning and the app works as before.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, openApp, storageSnapshot } from './harness.mjs';

const env = useServerAndBrowser();
const S = (i) => `[data-sentence-id="${i}"]`;

async function paste(page, title, text) {
  await page.fill('[data-testid="paste-title"]', title);
  await page.fill('[data-testid="paste-text"]', text);
  await page.click('[data-testid="paste-submit"]');
  await page.locator('[data-testid="library-item"]', { hasText: title }).waitFor();
}

describe('article texts', () => {
  test('go to IndexedDB, and the library and annotations stay in localStorage', async () => {
    const { ctx, page } = await openApp(env.browser, env.server.url);
    await paste(page, 'Stored apart', 'One sentence here. Another one there.');
    const id = await page.locator('[data-testid="library-item"]', { hasText: 'Stored apart' }).getAttribute('data-article-id');
    const snap = await storageSnapshot(page);
    assert.ok(snap[`idb:bodies:${id}`], 'the text is in IndexedDB');
    assert.deepEqual(Object.keys(snap).filter((k) => k.startsWith('marginalia:article:')), [], 'no text in localStorage, the welcome article’s neither');
    assert.ok(JSON.parse(snap['marginalia:index']).some((e) => e.id === id));
    await ctx.close();
  });

  test('stay in localStorage when IndexedDB is refused, with a warning, and everything works', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1200, height: 900 } });
    await context.addInitScript(() => {
      IDBFactory.prototype.open = function () {
        throw new DOMException('The user denied permission to access the database.', 'SecurityError');
      };
    });
    const { ctx, page } = await openApp(env.browser, env.server.url, { context });
    const warning = page.locator('[data-testid="notice"][data-level="warning"]', { hasText: 'IndexedDB' });
    await warning.waitFor();
    assert.match(await warning.textContent(), /kept in localStorage/);
    await paste(page, 'Kept locally', 'One sentence here. Another one there.');
    const id = await page.locator('[data-testid="library-item"]', { hasText: 'Kept locally' }).getAttribute('data-article-id');
    assert.ok((await storageSnapshot(page))[`marginalia:article:${id}`], 'the text is in localStorage');
    await page.locator('[data-testid="library-item"]', { hasText: 'Kept locally' }).click();
    await page.waitForSelector('[data-testid="reader"]');
    await page.click(S(1));
    await page.keyboard.press('2');
    await page.locator('[data-testid="save-state"]', { hasText: /^Saved$/ }).waitFor();
    await page.reload();
    await page.waitForSelector('[data-testid="reader"]');
    assert.equal(await page.getAttribute(S(1), 'data-highlight'), 'green');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
});
