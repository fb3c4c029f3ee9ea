// End-to-end: a reader's library stored by the schema-2 build (captured
// through its UI, tests/fixtures/schema2) survives the upgrade: on first
// load it moves to the current layout, everything shows as before, and a
// complete export equals the one the old build made, apart from its time.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useServerAndBrowser, openApp, storageSnapshot, FIXTURES } from './harness.mjs';

const env = useServerAndBrowser();
const DIR = path.join(FIXTURES, 'schema2');
const STORED = JSON.parse(fs.readFileSync(path.join(DIR, 'localStorage.json'), 'utf8'));
const BEFORE = JSON.parse(fs.readFileSync(path.join(DIR, 'export-before.json'), 'utf8'));
const S = (i) => `[data-sentence-id="${i}"]`;

/** A fresh context whose localStorage holds exactly the schema-2 library. */
async function withSchema2() {
  const { ctx, page } = await openApp(env.browser, env.server.url);
  await page.evaluate((stored) => {
    localStorage.clear();
    for (const [k, v] of Object.entries(stored)) localStorage.setItem(k, v);
  }, STORED);
  await page.reload();
  await page.waitForSelector('[data-testid="library-item"]');
  return { ctx, page };
}

async function exportLibrary(page) {
  const menu = page.locator('[data-testid="export-menu"]').first();
  await menu.locator('summary').click();
  const box = menu.locator('[data-testid="export-complete"]');
  if (!(await box.isChecked())) await box.click();
  const [dl] = await Promise.all([page.waitForEvent('download'), menu.locator('[data-testid="export-json"]').click()]);
  return JSON.parse(fs.readFileSync(await dl.path(), 'utf8'));
}

describe('upgrading a schema-2 library', () => {
  let ctx;
  let page;
  beforeEach(async () => ({ ctx, page } = await withSchema2()));
  afterEach(async () => ctx.close());

  test('everything shows as before and a complete export equals the old one', async () => {
    const snap = await storageSnapshot(page);
    assert.equal(snap['marginalia:schema'], '4');
    assert.deepEqual(Object.keys(snap).filter((k) => k.startsWith('marginalia:annotations:')), [], 'old keys are gone');
    assert.equal(Object.keys(snap).filter((k) => k.startsWith('marginalia:a:')).length, 7);
    assert.equal(await page.locator('[data-testid="library-item"]').count(), 4);
    assert.deepEqual(page.errors, []);
    assert.equal(await page.locator('[data-testid="notice"]').count(), 0, 'no problem to report');
    // Preferences survive: text size 20 px, light theme.
    assert.equal(await page.textContent('.font-size'), '20px');
    assert.match(await page.getAttribute('[data-testid="theme-toggle"]', 'aria-label'), /light/i);

    const after = await exportLibrary(page);
    assert.deepEqual({ ...after, exported: BEFORE.exported }, BEFORE);

    // The welcome article: its highlights, tags, note and exact span.
    await page.locator('[data-testid="library-item"]', { hasText: 'Welcome' }).click();
    await page.waitForSelector('[data-testid="reader"]');
    assert.equal(await page.getAttribute(S(1), 'data-highlight'), 'green', 'the tag colour of Evidence wins');
    assert.equal(await page.getAttribute(S(1), 'data-tags'), 'Evidence, Open question');
    assert.equal(await page.getAttribute(S(2), 'data-highlight'), 'green');
    assert.equal(await page.locator('[data-note-for="2"]').count(), 1);
    assert.equal(await page.getAttribute(S(5), 'data-highlight'), 'pink');
    assert.equal(await page.getAttribute(S(8), 'data-highlight'), null, 'the deleted one stays deleted');
    assert.equal(await page.locator(`${S(9)} mark[data-highlight="orange"]`).count(), 1);
    assert.equal(await page.locator('[data-testid="annotation-item"]').count(), 4);
  });

  test('an upgrade cut short by a full storage loses nothing and completes on the next load', async () => {
    // Put the old library back, and let only a few writes through.
    await page.evaluate((stored) => {
      localStorage.clear();
      for (const [k, v] of Object.entries(stored)) localStorage.setItem(k, v);
    }, STORED);
    await page.addInitScript(() => {
      if (sessionStorage.getItem('cut')) return;
      sessionStorage.setItem('cut', '1');
      const real = Storage.prototype.setItem;
      let left = 3;
      Storage.prototype.setItem = function (k, v) {
        if (this === localStorage && k.startsWith('marginalia:') && left-- <= 0) {
          throw new DOMException('full', 'QuotaExceededError');
        }
        return real.call(this, k, v);
      };
    });
    await page.reload();
    await page.waitForSelector('[data-testid="library-item"]');
    const err = page.locator('[data-testid="notice"][data-level="error"]');
    await err.waitFor();
    assert.match(await err.textContent(), /storage is full/i);
    assert.equal(await page.evaluate(() => localStorage.getItem('marginalia:schema')), '2', 'not done yet');
    // The next load, with room, completes the move.
    await page.reload();
    await page.waitForSelector('[data-testid="library-item"]');
    assert.equal(await page.evaluate(() => localStorage.getItem('marginalia:schema')), '4');
    const after = await exportLibrary(page);
    assert.deepEqual({ ...after, exported: BEFORE.exported }, BEFORE);
  });
});
