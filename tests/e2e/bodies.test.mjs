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

  test('a full quota stops an article with a clear message and changes nothing stored', async () => {
    // The site's quota, as the browser applies it to IndexedDB, is made
    // smaller than the second text (Chromium takes the override only
    // before the site first uses storage).
    const context = await env.browser.newContext({ viewport: { width: 1200, height: 900 } });
    const cdp = await context.newCDPSession(await context.newPage());
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(env.server.url).origin, quotaSize: 200_000 });
    const { ctx, page } = await openApp(env.browser, env.server.url, { context });
    await paste(page, 'Small first', 'One sentence here. Another one there.');
    // The first article of the reader's own has the app ask for persistent
    // storage and note that it asked, when the browser answers: before
    // the snapshot, so that only the failed import could change it.
    await page.waitForFunction(() => localStorage.getItem('marginalia:persist-asked') !== null);
    const before = await storageSnapshot(page);
    const big = Array.from({ length: 4000 }, (_, i) => `Sentence number ${i} is here for the quota.`).join(' ');
    await page.fill('[data-testid="paste-title"]', 'Too big');
    await page.fill('[data-testid="paste-text"]', big);
    await page.click('[data-testid="paste-submit"]');
    const err = page.locator('[data-testid="notice"][data-level="error"]');
    await err.waitFor();
    assert.match(await err.textContent(), /Too big.*was not added.*storage is full/s);
    assert.deepEqual(await storageSnapshot(page), before, 'nothing stored changed');
    assert.equal(await page.locator('[data-testid="library-item"]', { hasText: 'Too big' }).count(), 0);
    // Still usable afterwards: a small text goes in.
    await paste(page, 'Small after', 'A third one. And a fourth.');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  test('an upgrade blocked by an older tab is explained, and the library still opens', async () => {
    const { ctx, page: old } = await openApp(env.browser, env.server.url);
    await paste(old, 'Before the upgrade', 'One sentence here. Another one there.');
    // The first article of the reader's own asks for persistent storage
    // after the next paint: let that happen before taking the snapshot.
    await old.waitForFunction(() => localStorage.getItem('marginalia:persist-asked') === '1');
    const before = await storageSnapshot(old);
    // An older build's tab holds the database open and does not give way.
    await old.goto(`${env.server.url}not-the-app`);
    await old.evaluate(() => new Promise((resolve) => {
      const r = indexedDB.open('marginalia', 1);
      r.onsuccess = () => { window.held = r.result; resolve(); };
    }));
    // This tab's build asks for the next version, as a newer build would.
    const page = await ctx.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(String(e)));
    await page.addInitScript(() => {
      const open = IDBFactory.prototype.open;
      IDBFactory.prototype.open = function (name, version) {
        return open.call(this, name, name === 'marginalia' && version === 1 ? 2 : version);
      };
    });
    await page.goto(env.server.url);
    const warning = page.locator('[data-testid="notice"][data-level="warning"]', { hasText: 'older version' });
    await warning.waitFor();
    assert.match(await warning.textContent(), /Close or reload that tab.*nothing is lost/s);
    await page.locator('[data-testid="library-item"]', { hasText: 'Before the upgrade' }).waitFor();
    await old.evaluate(() => window.held.close());
    assert.deepEqual(await storageSnapshot(old), before, 'nothing stored changed');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  test('article texts from a newer build open the library read-only, changing nothing', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1200, height: 900 } });
    const setup = await context.newPage();
    await setup.goto(`${env.server.url}not-the-app`);
    await setup.evaluate(() => new Promise((resolve) => {
      const r = indexedDB.open('marginalia', 5);
      r.onupgradeneeded = () => r.result.createObjectStore('bodies');
      r.onsuccess = () => { r.result.close(); resolve(); };
    }));
    const before = await storageSnapshot(setup);
    const { ctx, page } = await openApp(env.browser, env.server.url, { context });
    const warning = page.locator('[data-testid="notice"][data-level="warning"]', { hasText: 'newer version' });
    await warning.waitFor();
    assert.match(await warning.textContent(), /Nothing will be changed/);
    await page.fill('[data-testid="paste-title"]', 'Refused');
    await page.fill('[data-testid="paste-text"]', 'One sentence here.');
    await page.click('[data-testid="paste-submit"]');
    await page.locator('[data-testid="notice"][data-level="error"]', { hasText: 'Refused' }).waitFor();
    assert.deepEqual(await storageSnapshot(page), before, 'nothing stored changed, not even the welcome article');
    await ctx.close();
  });
});
