// End-to-end: correcting sentence boundaries in the reader ("Join with
// next", "Split here"); the correction is stored with the article and
// annotations stay on the same text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, openApp, storedArticle, storedAnnotations, lastNotice } from './harness.mjs';

const env = useServerAndBrowser();

const S = (i) => `[data-sentence-id="${i}"]`;
const texts = (page) => page.locator('[data-sentence-id]').allTextContents();

/** Clicks just before the `n`-th character of sentence `i`, placing the caret there. */
async function clickBeforeChar(page, i, n) {
  const p = await page.locator(S(i)).evaluate((el, n) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let left = n;
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      const chars = Array.from(t.data);
      if (left < chars.length) {
        const units = chars.slice(0, left).join('').length;
        const r = document.createRange();
        r.setStart(t, units);
        r.setEnd(t, units + chars[left].length);
        const box = r.getBoundingClientRect();
        return { x: box.left + 1, y: box.top + box.height / 2 };
      }
      left -= chars.length;
    }
    throw new Error('no such character');
  }, n);
  await page.mouse.click(p.x, p.y);
}

test('join and split fix boundaries, are stored with the article, and annotations stay on their text', async () => {
  const { ctx, page } = await openApp(env.browser, env.server.url);
  await page.fill('[data-testid="paste-title"]', 'Boundaries');
  await page.fill('[data-testid="paste-text"]', 'Alpha one. Beta two. Gamma three.\n\nDelta four. Epsilon five.');
  await page.click('[data-testid="paste-submit"]');
  await page.locator('[data-testid="library-item"]', { hasText: 'Boundaries' }).click();
  await page.waitForSelector('[data-testid="reader"]');
  assert.deepEqual(await texts(page), ['Alpha one.', 'Beta two.', 'Gamma three.', 'Delta four.', 'Epsilon five.']);
  const id = await page.getAttribute('[data-testid="reader"]', 'data-article-id');

  await page.click(S(1));
  await page.keyboard.press('h'); // yellow on "Beta two."
  await page.click(S(2));
  await page.keyboard.press('3'); // blue on "Gamma three."

  // Join "Alpha one." with "Beta two.".
  await page.click(S(0));
  await page.click('[data-testid="join-next"]');
  await page.locator(S(4)).waitFor({ state: 'detached' });
  assert.deepEqual(await texts(page), ['Alpha one. Beta two.', 'Gamma three.', 'Delta four.', 'Epsilon five.']);
  assert.equal(await page.locator(`${S(0)} mark[data-highlight="yellow"]`).textContent(), 'Beta two.', 'the highlight stays on its words');
  assert.equal(await page.getAttribute(S(0), 'data-highlight'), null);
  assert.equal(await page.getAttribute(S(1), 'data-highlight'), 'blue');
  assert.match(await page.getAttribute(S(0), 'class'), /selected/, 'the joined sentence stays selected');
  assert.equal(await page.getAttribute('[data-testid="reader"]', 'data-article-id'), id, 'same text, same id');

  // A sentence cannot be joined across paragraphs: clear message, nothing changes.
  await page.click(S(1));
  await page.click('[data-testid="join-next"]');
  const err = page.locator('[data-testid="notice"][data-level="error"]');
  await err.waitFor();
  assert.match(await err.textContent(), /not changed.*paragraph/i);
  assert.equal(await page.locator('[data-sentence-id]').count(), 4);

  // Split it again, just before "Beta".
  await clickBeforeChar(page, 0, 'Alpha one. '.length);
  await page.click('[data-testid="split-here"]');
  await page.locator(S(4)).waitFor();
  assert.deepEqual(await texts(page), ['Alpha one.', 'Beta two.', 'Gamma three.', 'Delta four.', 'Epsilon five.']);
  assert.equal(await page.getAttribute(S(1), 'data-highlight'), 'yellow', 'whole again');
  assert.equal(await page.getAttribute(S(2), 'data-highlight'), 'blue');

  // Split a sentence that should be two, then reload: the correction is stored.
  await clickBeforeChar(page, 4, 'Epsilon '.length);
  await page.click('[data-testid="split-here"]');
  await page.locator(S(5)).waitFor();
  await page.reload();
  await page.waitForSelector('[data-testid="reader"]');
  assert.deepEqual(await texts(page), ['Alpha one.', 'Beta two.', 'Gamma three.', 'Delta four.', 'Epsilon', 'five.']);
  assert.equal(await page.getAttribute(S(1), 'data-highlight'), 'yellow');
  const stored = await storedArticle(page, id);
  assert.deepEqual(stored.blocks[1].sentences, [[0, 11], [12, 19], [20, 25]]);
  const index = await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:index')));
  assert.equal(index.find((e) => e.id === id).sentences, 6, 'the library lists the new count');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('a correction made in another tab reaches an open reader, and so does a deletion', async () => {
  const { ctx, page: a } = await openApp(env.browser, env.server.url);
  await a.fill('[data-testid="paste-title"]', 'Two tabs');
  await a.fill('[data-testid="paste-text"]', 'Alpha one. Beta two. Gamma three.\n\nDelta four.');
  await a.click('[data-testid="paste-submit"]');
  await a.locator('[data-testid="library-item"]', { hasText: 'Two tabs' }).click();
  await a.waitForSelector('[data-testid="reader"]');
  const id = await a.getAttribute('[data-testid="reader"]', 'data-article-id');
  await a.click(S(2));
  await a.keyboard.press('2'); // green on "Gamma three."

  const { page: b } = await openApp(env.browser, `${env.server.url}#/read/${id}`, { context: ctx });
  await b.locator(`${S(2)}[data-highlight="green"]`).waitFor();
  assert.deepEqual(await texts(b), ['Alpha one.', 'Beta two.', 'Gamma three.', 'Delta four.']);

  // Tab A joins the first two sentences: tab B shows the stored text anew.
  await a.click(S(0));
  await a.click('[data-testid="join-next"]');
  await a.locator(S(3)).waitFor({ state: 'detached' });
  await b.locator(S(3)).waitFor({ state: 'detached' });
  assert.deepEqual(await texts(b), ['Alpha one. Beta two.', 'Gamma three.', 'Delta four.']);
  assert.equal(await b.getAttribute(S(1), 'data-highlight'), 'green', 'the highlight stays on its sentence');
  assert.match(await lastNotice(b), /corrected in another tab/);
  assert.equal(await a.locator('[data-testid="notice"]', { hasText: 'another tab' }).count(), 0,
    'the tab that made the correction is not told about it');

  // Tab B annotates the corrected text; tab A takes it in.
  await b.click(S(2));
  await b.keyboard.press('h');
  await a.locator(`${S(2)}[data-highlight="yellow"]`).waitFor();
  const stored = await storedAnnotations(a, id);
  assert.equal(stored.annotations.length, 2);

  // Tab A deletes the article: tab B says so, once.
  await a.goto(`${env.server.url}#/`);
  const item = a.locator('[data-testid="library-item"]', { hasText: 'Two tabs' });
  await item.locator('[data-testid="delete-article"]').click();
  await item.locator('[data-testid="confirm-delete"]').click();
  await item.waitFor({ state: 'detached' });
  await b.locator('[data-testid="notice"]', { hasText: 'removed from the library in another tab' }).waitFor();
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
  await ctx.close();
});
