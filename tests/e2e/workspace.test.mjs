// End-to-end: the library as a workspace: search across the library, the
// notebook of every annotation, and the tag manager. Each test starts from
// a fresh browser context (only the welcome article) and adds what it needs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { useServerAndBrowser, openApp, storageSnapshot } from './harness.mjs';

const env = useServerAndBrowser();
const S = (i) => `[data-sentence-id="${i}"]`;

/** Pastes an article and waits for it in the library. */
async function paste(page, title, text) {
  if (!(await page.locator('[data-testid="paste-text"]').isVisible())) {
    await page.click('[data-testid="add-article"]');
  }
  await page.fill('[data-testid="paste-title"]', title);
  await page.fill('[data-testid="paste-text"]', text);
  await page.click('[data-testid="paste-submit"]');
  await page.locator('[data-testid="library-item"]', { hasText: title }).waitFor();
}

/** Opens the library item titled `title`. */
async function open(page, title) {
  await page.locator('[data-testid="library-item"]', { hasText: title }).first().click();
  await page.waitForSelector('[data-testid="reader"]');
}

/** Tags (and optionally notes) sentence `i` of the open article, and waits for the save. */
async function annotate(page, i, { colour = '1', tags, note } = {}) {
  await page.click(S(i));
  await page.keyboard.press(colour);
  if (tags) {
    await page.keyboard.press('t');
    const input = page.locator('[data-testid="tag-input"]');
    await input.fill(tags);
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'detached' });
  }
  if (note) {
    await page.keyboard.press('n');
    await page.locator('[data-testid="note-input"]').fill(note);
    await page.click('[data-testid="note-save"]');
  }
  await page.locator('[data-testid="save-state"]', { hasText: /^Saved$/ }).waitFor();
}

const MORNINGS = 'The city wakes slowly. Le café ouvre tôt, avant le jour. Plus tard, à Montréal, il pleut sur les toits. Nobody minds.';
const GUIDE = 'Where to drink coffee in the old town. Bring a coat.';
const OTHER = 'A text about ferries and harbours, with no coffee at all.';

async function library(page) {
  await paste(page, 'Mornings in Quebec', MORNINGS);
  await paste(page, 'Cafe Montreal guide', GUIDE);
  await paste(page, 'Harbour notes', OTHER);
}

async function search(page, q) {
  await page.fill('[data-testid="library-search"]', q);
  // Every result shown has its sentences worked out.
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="search-result"]')].every((r) => r.dataset.ready === 'true'));
  await page.waitForFunction(() => !/Reading texts/.test(document.querySelector('[data-testid="search-status"]')?.textContent ?? 'Reading texts'));
}

const resultTitles = (page) => page.locator('[data-testid="search-result"] .result-title').allTextContents();

describe('search', () => {
  test('ignores case and accents, ranks title hits first and marks the matches', async () => {
    const { ctx, page } = await openApp(env.browser, env.server.url);
    await library(page);
    await search(page, 'cafe montreal');
    assert.deepEqual(await resultTitles(page), ['Cafe Montreal guide', 'Mornings in Quebec']);
    const mornings = page.locator('[data-testid="search-result"]').nth(1);
    const id = await mornings.getAttribute('data-article-id');
    assert.match(id, /^[0-9a-f]{64}$/);
    const marks = await mornings.locator('[data-testid="search-snippet"] mark').allTextContents();
    assert.ok(marks.includes('café') && marks.includes('Montréal'), marks.join('|'));
    assert.match(await page.textContent('[data-testid="search-status"]'), /^2 articles match\./);
    // The library list is out of the way while searching, and back after.
    assert.equal(await page.locator('[data-testid="library-item"]:visible').count(), 0);
    await page.fill('[data-testid="library-search"]', '');
    await page.locator('[data-testid="library-item"]:visible').first().waitFor();
    assert.equal(await page.locator('[data-testid="search-result"]').count(), 0);
    // A prefix matches as one types; a word's middle does not.
    await search(page, 'harb');
    assert.deepEqual(await resultTitles(page), ['Harbour notes']);
    await search(page, 'arbour');
    assert.equal(await page.locator('[data-testid="search-result"]').count(), 0);
    assert.match(await page.textContent('[data-testid="search-status"]'), /^No article matches/);
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  test('opening a result shows its sentence selected, and back keeps the search', async () => {
    const { ctx, page } = await openApp(env.browser, env.server.url);
    await library(page);
    await search(page, 'pleut');
    const result = page.locator('[data-testid="search-result"]');
    assert.equal(await result.count(), 1);
    const sentence = await result.getAttribute('data-sentence-id');
    await result.locator('[data-testid="search-snippet"]').first().click();
    await page.waitForSelector('[data-testid="reader"]');
    const el = page.locator(S(sentence));
    await page.waitForFunction((s) => document.querySelector(s)?.classList.contains('selected'), S(sentence));
    assert.match(await el.textContent(), /Montréal, il pleut/);
    assert.ok(await el.evaluate((e) => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }), 'in view');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.sentenceId), sentence);
    await page.goBack();
    await page.waitForSelector('[data-testid="search-result"]');
    assert.equal(await page.inputValue('[data-testid="library-search"]'), 'pleut');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  test('finds notes and tags, and follows edits made since', async () => {
    const { ctx, page } = await openApp(env.browser, env.server.url);
    await library(page);
    await search(page, 'zeppelin');
    assert.equal(await page.locator('[data-testid="search-result"]').count(), 0);
    await page.fill('[data-testid="library-search"]', '');
    await open(page, 'Harbour notes');
    await annotate(page, 0, { tags: 'Logistics', note: 'A zeppelin would do it' });
    await page.evaluate(() => { location.hash = '#/'; });
    await search(page, 'zeppelin');
    assert.deepEqual(await resultTitles(page), ['Harbour notes']);
    assert.equal(await page.locator('[data-testid="search-result"] .said mark').first().textContent(), 'zeppelin');
    await search(page, 'logistics ferries');
    assert.deepEqual(await resultTitles(page), ['Harbour notes']);
    // Storage is only read.
    const before = await storageSnapshot(page);
    await search(page, 'coffee');
    assert.deepEqual(await storageSnapshot(page), before);
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
});

describe('search index kept between sessions', () => {
  /** The bytes of the kept snapshot (0 when none). */
  const snapshotSize = (page) => page.evaluate(() => new Promise((resolve) => {
    const req = indexedDB.open('marginalia-cache');
    req.onsuccess = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('cache')) { db.close(); resolve(0); return; }
      const r = db.transaction('cache').objectStore('cache').get('search-index');
      r.onsuccess = () => { db.close(); resolve(r.result ? r.result.length : 0); };
    };
  }));

  test('a later session searches from the snapshot, and follows what changed since', async () => {
    const { ctx, page } = await openApp(env.browser, env.server.url);
    await library(page);
    await search(page, 'pleut');
    await page.waitForFunction(() => new Promise((resolve) => {
      const req = indexedDB.open('marginalia-cache');
      req.onsuccess = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('cache')) { db.close(); resolve(false); return; }
        const r = db.transaction('cache').objectStore('cache').get('search-index');
        r.onsuccess = () => { db.close(); resolve(!!r.result); };
      };
    }));
    assert.ok((await snapshotSize(page)) > 0);
    await page.reload();
    await page.fill('[data-testid="library-search"]', '');
    // Since the snapshot: one article deleted, one added.
    const item = page.locator('[data-testid="library-item"]', { hasText: 'Mornings in Quebec' });
    await item.locator('[data-testid="delete-article"]').click();
    await item.locator('[data-testid="confirm-delete"]').click();
    await item.waitFor({ state: 'detached' });
    await paste(page, 'Rainy days', 'It pleut again, as the French say.');
    await search(page, 'pleut');
    assert.deepEqual(await resultTitles(page), ['Rainy days']);
    await search(page, 'coffee');
    assert.deepEqual((await resultTitles(page)).sort(), ['Cafe Montreal guide', 'Harbour notes']);
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  test('an unreadable snapshot is ignored and the texts are read again', async () => {
    const { ctx, page } = await openApp(env.browser, env.server.url);
    await library(page);
    await page.evaluate(() => new Promise((resolve, reject) => {
      const req = indexedDB.open('marginalia-cache', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('cache');
      req.onsuccess = () => {
        const db = req.result;
        const t = db.transaction('cache', 'readwrite');
        t.objectStore('cache').put(new Uint8Array([77, 71, 83, 49, 255, 255, 3]), 'search-index');
        t.oncomplete = () => { db.close(); resolve(); };
        t.onerror = () => reject(t.error);
      };
    }));
    await page.reload();
    await search(page, 'pleut');
    assert.deepEqual(await resultTitles(page), ['Mornings in Quebec']);
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
});

/** Clicks an export button of the page's export menu; resolves to { name, text }. */
async function download(page, testid) {
  const menu = page.locator('[data-testid="export-menu"]').first();
  if (!(await menu.evaluate((d) => d.open))) await menu.locator('summary').click();
  const [dl] = await Promise.all([page.waitForEvent('download'), menu.locator(`[data-testid="${testid}"]`).click()]);
  return { name: dl.suggestedFilename(), text: fs.readFileSync(await dl.path(), 'utf8') };
}

/** Two articles with annotations: Mornings 1 (Travel, note), 3 (Weather); Harbour 0 (travel), 1 (untagged, blue). */
async function annotated(page) {
  await paste(page, 'Mornings in Quebec', MORNINGS);
  await paste(page, 'Harbour notes', OTHER + ' The ferry was late. The harbour was calm.');
  await open(page, 'Mornings in Quebec');
  await annotate(page, 1, { tags: 'Travel', note: 'Remember the bakery' });
  await annotate(page, 3, { tags: 'Weather' });
  await page.evaluate(() => { location.hash = '#/'; });
  await open(page, 'Harbour notes');
  await annotate(page, 0, { tags: 'travel' });
  await annotate(page, 1, { colour: '3' });
  await page.evaluate(() => { location.hash = '#/'; });
  await page.locator('[data-testid="add-article"]').waitFor();
}

async function notebook(page) {
  await page.click('[data-testid="nav-notebook"]');
  await page.waitForSelector('[data-testid="notebook"]');
  await page.waitForFunction(() => !/Loading/.test(document.querySelector('[data-testid="notebook-status"]').textContent));
}

const items = (page) => page.locator('[data-testid="notebook-item"]');
const groups = (page) => page.locator('[data-testid="notebook-group"] h2').allTextContents();

describe('notebook', () => {
  test('shows every annotation by article or by tag, and filters like the panel', async () => {
    const { ctx, page } = await openApp(env.browser, env.server.url);
    await annotated(page);
    await notebook(page);
    assert.equal(await items(page).count(), 4);
    assert.equal(await page.textContent('[data-testid="filter-count"]'), '4 annotations');
    // Library order is newest first: Harbour notes, then Mornings.
    assert.deepEqual(await groups(page), ['Harbour notes (2)', 'Mornings in Quebec (2)']);
    assert.match(await items(page).nth(2).textContent(), /Le café ouvre tôt/);
    assert.match(await items(page).nth(2).textContent(), /Remember the bakery/);
    await page.selectOption('[data-testid="notebook-group-by"]', 'tag');
    // "Travel" and "travel" are one tag, shown as first spelled.
    assert.deepEqual(await groups(page), ['Travel (2)', 'Weather (1)', 'No tag (1)']);
    await page.selectOption('[data-testid="filter-tag"]', 'Travel');
    assert.equal(await page.textContent('[data-testid="filter-count"]'), '2 of 4 shown');
    await page.selectOption('[data-testid="filter-tag"]', '');
    await page.selectOption('[data-testid="filter-colour"]', 'blue');
    assert.equal(await items(page).count(), 1);
    assert.match(await items(page).first().textContent(), /The ferry was late|no coffee/);
    await page.selectOption('[data-testid="filter-colour"]', '');
    await page.fill('[data-testid="filter-text"]', 'BAKERY');
    assert.equal(await items(page).count(), 1);
    await page.fill('[data-testid="filter-text"]', '');
    // A date range: everything was made today; tomorrow onwards holds nothing.
    const day = (d) => new Date(Date.now() + d * 86400000).toLocaleDateString('en-CA');
    await page.fill('[data-testid="filter-from"]', day(0));
    assert.equal(await items(page).count(), 4);
    await page.fill('[data-testid="filter-from"]', day(1));
    assert.equal(await items(page).count(), 0);
    assert.equal(await page.textContent('[data-testid="filter-count"]'), '0 of 4 shown');
    await page.fill('[data-testid="filter-from"]', '');
    await page.fill('[data-testid="filter-to"]', day(-1));
    assert.equal(await items(page).count(), 0);
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  test('an entry opens its sentence, selected', async () => {
    const { ctx, page } = await openApp(env.browser, env.server.url);
    await annotated(page);
    await notebook(page);
    const entry = items(page).filter({ hasText: 'Remember the bakery' });
    await entry.locator('.entry-main').click();
    await page.waitForSelector('[data-testid="reader"]');
    await page.waitForFunction(() => document.querySelector('[data-sentence-id="1"]')?.classList.contains('selected'));
    assert.match(await page.textContent(S(1)), /Le café ouvre tôt/);
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  test('exports exactly what it shows', async () => {
    const { ctx, page } = await openApp(env.browser, env.server.url);
    await annotated(page);
    await notebook(page);
    await page.selectOption('[data-testid="filter-tag"]', 'Travel');
    const csv = await download(page, 'export-csv');
    assert.match(csv.name, /notebook/);
    const rows = csv.text.replace(/^\uFEFF/, '').trim().split(/\r\n/);
    assert.equal(rows.length, 3, csv.text);
    assert.ok(rows.slice(1).every((r) => /travel/i.test(r)));
    const json = JSON.parse((await download(page, 'export-json')).text);
    const ids = json.articles.flatMap((a) => a.annotations.map((x) => x.id)).sort();
    const shown = (await items(page).evaluateAll((els) => els.map((e) => e.dataset.annotationId))).sort();
    assert.deepEqual(ids, shown);
    assert.equal(json.complete, false);
    const jsonl = (await download(page, 'export-jsonl')).text.trim().split('\n');
    assert.equal(jsonl.length, 2, 'one line per article shown');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
});

async function tagsPage(page) {
  await page.click('[data-testid="nav-tags"]');
  await page.waitForSelector('[data-testid="tags-page"]');
}

const row = (page, tag) => page.locator(`[data-testid="tag-row"][data-tag="${tag}"]`);
const tagRows = (page) => page.locator('[data-testid="tag-row"]').evaluateAll((els) =>
  els.map((e) => [e.dataset.tag, Number(e.querySelector('[data-testid="tag-count"]').textContent), Number(e.querySelector('[data-testid="tag-articles"]').textContent)]));

async function renameTag(page, from, to) {
  await row(page, from).locator('[data-testid="tag-rename"]').click();
  const input = page.locator('[data-testid="tag-rename-input"]');
  await input.fill(to);
  await input.press('Enter');
  await page.locator('[data-testid="tag-done"]').waitFor();
}

/** The tags shown on sentence `i` of article `title`, opened from the library. */
async function sentenceTags(page, title, i) {
  await page.evaluate(() => { location.hash = '#/'; });
  await open(page, title);
  return page.getAttribute(S(i), 'data-tags');
}

describe('tag manager', () => {
  test('lists every tag with its statistics, and renames one across the library', async () => {
    const { ctx, page } = await openApp(env.browser, env.server.url);
    await annotated(page);
    await tagsPage(page);
    assert.deepEqual(await tagRows(page), [['Travel', 2, 2], ['Weather', 1, 1]]);
    assert.ok((await row(page, 'Travel').textContent()).length > 0);
    assert.equal(await row(page, 'Travel').locator('time').count(), 2, 'first and last use');
    await renameTag(page, 'Travel', 'Voyages');
    assert.match(await page.textContent('[data-testid="tag-done"]'), /2 annotations in 2 articles/);
    assert.deepEqual(await tagRows(page), [['Voyages', 2, 2], ['Weather', 1, 1]]);
    assert.equal(await sentenceTags(page, 'Harbour notes', 0), 'Voyages');
    assert.equal(await sentenceTags(page, 'Mornings in Quebec', 1), 'Voyages');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  test('renaming onto an existing tag merges the two, in its spelling; merging several; undo', async () => {
    const { ctx, page } = await openApp(env.browser, env.server.url);
    await annotated(page);
    await tagsPage(page);
    await renameTag(page, 'Weather', 'TRAVEL');
    assert.deepEqual(await tagRows(page), [['Travel', 3, 2]]);
    await page.click('[data-testid="tag-undo"]');
    await page.locator('[data-testid="tag-done"]').waitFor({ state: 'detached' });
    assert.deepEqual(await tagRows(page), [['Travel', 2, 2], ['Weather', 1, 1]]);
    // Merge both into a new name.
    await row(page, 'Travel').locator('[data-testid="tag-select"]').check();
    await row(page, 'Weather').locator('[data-testid="tag-select"]').check();
    await page.fill('[data-testid="tag-merge-input"]', 'Journal');
    await page.click('[data-testid="tag-merge"]');
    await page.locator('[data-testid="tag-done"]').waitFor();
    assert.deepEqual(await tagRows(page), [['Journal', 3, 2]]);
    assert.equal(await sentenceTags(page, 'Mornings in Quebec', 3), 'Journal');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  test('deletes a tag after confirmation, keeps the annotations, and undoes it', async () => {
    const { ctx, page } = await openApp(env.browser, env.server.url);
    await annotated(page);
    await tagsPage(page);
    await row(page, 'Travel').locator('[data-testid="tag-delete"]').click();
    // Nothing happens before the confirmation, and Cancel changes nothing.
    assert.equal(await row(page, 'Travel').count(), 1);
    await row(page, 'Travel').locator('[data-testid="tag-delete-cancel"]').click();
    const before = await storageSnapshot(page);
    await row(page, 'Travel').locator('[data-testid="tag-delete"]').click();
    await row(page, 'Travel').locator('[data-testid="tag-delete-confirm"]').click();
    await page.locator('[data-testid="tag-done"]').waitFor();
    assert.deepEqual(await tagRows(page), [['Weather', 1, 1]]);
    await page.click('[data-testid="tag-undo"]');
    await row(page, 'Travel').waitFor();
    assert.deepEqual(await tagRows(page), [['Travel', 2, 2], ['Weather', 1, 1]]);
    // The annotations stayed throughout: same keys as before.
    const keys = (snap) => Object.keys(snap).filter((k) => k.startsWith('marginalia:a:')).sort();
    assert.deepEqual(keys(await storageSnapshot(page)), keys(before));
    assert.equal(await sentenceTags(page, 'Mornings in Quebec', 1), 'Travel');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  test('recolours a tag, and another tab follows a rename', async () => {
    const { ctx, page } = await openApp(env.browser, env.server.url);
    await annotated(page);
    const other = await ctx.newPage();
    other.errors = [];
    other.on('pageerror', (e) => other.errors.push(String(e)));
    await other.goto(env.server.url);
    await open(other, 'Mornings in Quebec');
    await tagsPage(page);
    await row(page, 'Travel').locator('[data-testid="tag-recolour"]').selectOption('purple');
    await other.waitForFunction(() => document.querySelector('[data-sentence-id="1"]').dataset.highlight === 'purple');
    await renameTag(page, 'Travel', 'Trips');
    await other.waitForFunction(() => document.querySelector('[data-sentence-id="1"]').dataset.tags === 'Trips');
    // The colour went with the new name.
    assert.equal(await row(page, 'Trips').locator('[data-testid="tag-recolour"]').inputValue(), 'purple');
    assert.equal(await other.getAttribute(S(1), 'data-highlight'), 'purple');
    assert.deepEqual(page.errors, []);
    assert.deepEqual(other.errors, []);
    await ctx.close();
  });
});
