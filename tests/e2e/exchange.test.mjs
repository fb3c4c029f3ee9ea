// End-to-end: export and import. Annotate an article, export JSON and
// check the file, clear storage and import it back, import annotations
// onto an edited version of the article (re-anchored), export W3C and
// Markdown, refuse bad files without touching storage, cancel an import,
// and replace an article with an edited version, attaching an orphan.
import { test, before, after, beforeEach, afterEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import Ajv2020 from 'ajv/dist/2020.js';
import {
  useServerAndBrowser, openApp, storageSnapshot, importFiles, FIXTURES, SHARED, ROOT,
} from './harness.mjs';

// The documented JSON Schema, checked against real exports.
const validate = new Ajv2020({ strict: false, allErrors: true })
  .compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/marginalia-export.schema.json'), 'utf8')));

const env = useServerAndBrowser();
const S = (i) => `[data-sentence-id="${i}"]`;

// The Kursk article from ../shared when it is there, else our own fixture.
const KURSK = path.join(SHARED, 'fixtures/articles/kursk-engineers.txt');
const SOURCE = fs.existsSync(KURSK) ? KURSK : path.join(FIXTURES, 'articles/harbour-ferry.txt');
if (SOURCE !== KURSK) console.log('# ../shared is absent: using tests/fixtures/articles/harbour-ferry.txt instead of Kursk');
const NAME = path.basename(SOURCE);
const TEXT = fs.readFileSync(SOURCE, 'utf8');
const LINES = TEXT.trim().split('\n');
// The edited version: a paragraph inserted after the third line.
const INSERTED = 'An editor inserted this paragraph later. It repeats nothing from the article.';
const EDITED = [...LINES.slice(0, 3), INSERTED, ...LINES.slice(3)].join('\n') + '\n';

const file = (name, text, mimeType = 'application/json') => ({ name, mimeType, buffer: Buffer.from(text) });

async function openArticle(page) {
  await page.locator('[data-testid="library-item"]', { hasText: LINES[0].slice(0, 30) }).first().click();
  await page.waitForSelector('[data-testid="reader"]');
}

async function saved(page) {
  await page.locator('[data-testid="save-state"]', { hasText: /^Saved$/ }).waitFor();
}

/** Clicks an export button; resolves to { name, text } of the download. */
async function download(page, testid, { complete } = {}) {
  const menu = page.locator('[data-testid="export-menu"]').first();
  if (!(await menu.evaluate((d) => d.open))) await menu.locator('summary').click();
  if (complete !== undefined) {
    const box = menu.locator('[data-testid="export-complete"]');
    if ((await box.isChecked()) !== complete) await box.click();
  }
  const [dl] = await Promise.all([page.waitForEvent('download'), menu.locator(`[data-testid="${testid}"]`).click()]);
  const text = fs.readFileSync(await dl.path(), 'utf8');
  return { name: dl.suggestedFilename(), text };
}

/** The sentences highlighted in the reader: text → colour. */
function highlighted(page) {
  return page.locator('[data-sentence-id]').evaluateAll((els) =>
    Object.fromEntries(els.filter((e) => e.dataset.highlight).map((e) => [e.textContent, e.dataset.highlight])));
}

async function clearStorage(page) {
  await page.evaluate(() => localStorage.clear());
  await page.goto(page.url().split('#')[0] + '#/');
  await page.reload();
  await page.waitForSelector('[data-testid="add-article"]');
}

async function confirmImport(page, file) {
  await importFiles(page, [file]);
  const dialog = page.locator('[data-testid="transfer-dialog"]');
  await dialog.waitFor();
  const summary = await dialog.locator('[data-testid="import-summary"]').textContent();
  const rows = await dialog.locator('[data-testid="import-article"]').allTextContents();
  await dialog.locator('[data-testid="import-confirm"]').click();
  await dialog.waitFor({ state: 'detached' });
  return { summary, rows };
}

/**
 * Imports the sample article and annotates it through the UI: sentence 2
 * yellow with tags, sentence 5 green with a note, sentence 8 pink with a
 * tag holding markup and a note holding script. Resolves to the marked
 * sentences, text → colour.
 */
async function annotated(page) {
  await importFiles(page, [file(NAME, TEXT, 'text/plain')]);
  await openArticle(page);
  await page.click(S(2));
  await page.keyboard.press('h');
  await page.keyboard.press('t');
  await page.locator('[data-testid="tag-input"]').fill('military, Ünïcode');
  await page.keyboard.press('Enter');
  await page.click(S(5));
  await page.keyboard.press('2');
  await page.keyboard.press('n');
  await page.locator('[data-testid="note-input"]').fill('Check this against the ministry statement.');
  await page.keyboard.press('Control+Enter');
  await page.click(S(8));
  await page.keyboard.press('4');
  await page.keyboard.press('t');
  await page.locator('[data-testid="tag-input"]').fill('<b>bold</b>');
  await page.keyboard.press('Enter');
  await page.keyboard.press('n');
  await page.locator('[data-testid="note-input"]').fill('<img src=x onerror="window.pwned=1"> **not bold**');
  await page.keyboard.press('Control+Enter');
  await saved(page);
  return highlighted(page);
}

// Each test starts from a fresh browser context and annotates the article
// itself; a test that needs an export makes it.
describe('export, import and re-anchoring of an annotated article', () => {
  let ctx;
  let page;
  let marked; // sentence text → colour, as annotated
  beforeEach(async () => {
    ({ ctx, page } = await openApp(env.browser, env.server.url));
    marked = await annotated(page);
  });
  afterEach(async () => ctx.close());

  test('highlight, tag and annotate sentences', async () => {
    assert.equal(Object.keys(marked).length, 3);
    assert.deepEqual(Object.values(marked).sort(), ['green', 'pink', 'yellow']);
    assert.equal(await page.locator('[data-testid="note-marker"]').count(), 2);
  });

  test('the JSON export downloads a named file with every annotation', async () => {
    const { name, text } = await download(page, 'export-json', { complete: false });
    assert.match(name, /^marginalia-[a-z0-9-]+-\d{4}-\d\d-\d\d\.json$/);
    const v = JSON.parse(text);
    assert.equal(v.format, 'marginalia');
    assert.equal(v.version, 1);
    assert.equal(v.complete, false);
    assert.equal(v.app.name, 'Marginalia');
    assert.equal(v.articles.length, 1);
    const art = v.articles[0];
    assert.equal(art.id, await page.getAttribute('[data-testid="reader"]', 'data-article-id'));
    assert.equal(art.sourceName, NAME);
    assert.equal(art.text, undefined);
    assert.equal(art.annotations.length, 3);
    const byQuote = Object.fromEntries(art.annotations.map((a) => [a.target.quote.exact, a]));
    for (const [quote, colour] of Object.entries(marked)) {
      assert.equal(byQuote[quote].colour, colour, quote);
      assert.equal(byQuote[quote].target.quote.type, 'TextQuoteSelector');
      assert.equal(byQuote[quote].target.position.type, 'TextPositionSelector');
    }
    const a2 = byQuote[await page.textContent(S(2))];
    assert.deepEqual(a2.tags, ['military', 'Ünïcode']);
    assert.deepEqual(a2.target.sentences, [2, 2]);
    const a5 = byQuote[await page.textContent(S(5))];
    assert.equal(a5.note, 'Check this against the ministry statement.');
    assert.ok(validate(v), JSON.stringify(validate.errors));
    assert.ok(!validate({ ...v, articles: [{ ...art, annotations: [{ ...art.annotations[0], colour: 'red' }] }] }),
      'the schema refuses what the app refuses');
    const complete = await download(page, 'export-json', { complete: true });
    const c = JSON.parse(complete.text);
    assert.equal(c.complete, true);
    assert.ok(c.articles[0].text.blocks.length >= LINES.length);
    assert.ok(validate(c), JSON.stringify(validate.errors));
  });

  test('after clearing storage, the complete backup brings everything back in place', async () => {
    const jsonComplete = (await download(page, 'export-json', { complete: true })).text;
    await clearStorage(page);
    const before = await storageSnapshot(page);
    // Cancelling changes nothing.
    await importFiles(page, [file('backup.json', jsonComplete)]);
    await page.locator('[data-testid="import-cancel"]').click();
    assert.deepEqual(await storageSnapshot(page), before);
    // Escape closes the preview too; the confirm button had the focus.
    await importFiles(page, [file('backup.json', jsonComplete)]);
    await page.locator('[data-testid="transfer-dialog"]').waitFor();
    await page.waitForFunction(() => document.activeElement?.dataset.testid === 'import-confirm');
    // Tab stays inside the dialog.
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      assert.ok(await page.evaluate(() => !!document.activeElement.closest('[data-testid="transfer-dialog"]')));
    }
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="transfer-dialog"]').waitFor({ state: 'detached' });
    assert.deepEqual(await storageSnapshot(page), before);
    const { summary, rows } = await confirmImport(page, file('backup.json', jsonComplete));
    assert.equal(summary, 'Adds 3 annotations. Restores 1 article.');
    assert.match(rows[0], /restored from the file/);
    await openArticle(page);
    assert.deepEqual(await highlighted(page), marked);
    assert.equal(await page.locator('[data-testid="note-marker"]').count(), 2);
    // Markup in notes and tags is text: no element made, no script run.
    const panel = page.locator('[data-testid="annotation-panel"]');
    assert.equal(await panel.locator('img').count(), 0);
    assert.equal(await panel.locator('b').count(), 0);
    assert.ok((await panel.textContent()).includes('<b>bold</b>'));
    assert.ok((await panel.textContent()).includes('<img src=x'));
    assert.equal(await page.evaluate(() => window.pwned), undefined);
  });

  test('annotations imported onto an edited version are re-anchored', async () => {
    const jsonPlain = (await download(page, 'export-json', { complete: false })).text;
    await clearStorage(page);
    await importFiles(page, [file(NAME, EDITED, 'text/plain')]);
    await page.locator('[data-testid="library-item"]').first().waitFor();
    const { summary, rows } = await confirmImport(page, file('annotations.json', jsonPlain));
    assert.match(summary, /^Adds 3\b/);
    assert.match(rows[0], /different text: annotations re-anchored/);
    assert.match(rows[0], /3 moved with their text|in place/);
    assert.doesNotMatch(rows[0], /not found/);
    await openArticle(page);
    assert.deepEqual(await highlighted(page), marked, 'every highlight is on its own sentence again');
    assert.equal(await page.locator('[data-testid="orphan-item"]').count(), 0);
  });

  test('W3C and Markdown exports', async () => {
    const w = await download(page, 'export-w3c');
    assert.match(w.name, /\.jsonld$/);
    const v = JSON.parse(w.text);
    assert.equal(v['@context'], 'http://www.w3.org/ns/anno.jsonld');
    assert.equal(v.type, 'AnnotationCollection');
    assert.equal(v.total, 3);
    const items = v.first.items;
    const tagged = items.find((a) => (a.body ?? []).some((b) => b.value === 'military'));
    assert.deepEqual(tagged.motivation, ['highlighting', 'tagging']);
    const noted = items.find((a) => (a.body ?? []).some((b) => b.purpose === 'commenting' && b.value.startsWith('Check')));
    assert.ok(noted.motivation.includes('commenting'));
    assert.equal(noted.target.selector[0].type, 'TextQuoteSelector');
    const m = await download(page, 'export-markdown');
    assert.match(m.name, /\.md$/);
    assert.ok(m.text.startsWith('# '));
    assert.ok(m.text.includes('#military #Ünïcode · yellow'), m.text);
    assert.ok(m.text.includes('> ' + (await page.textContent(S(2)))));
    assert.ok(m.text.includes('\\<img src\\=x onerror\\="window.pwned\\=1"\\> \\*\\*not bold\\*\\*'), m.text);
    // A W3C export imports back as what is already there.
    await page.goto(page.url().split('#')[0] + '#/');
    await importFiles(page, [file('w3c.jsonld', w.text)]);
    const dialog = page.locator('[data-testid="transfer-dialog"]');
    assert.match(await dialog.locator('[data-testid="import-summary"]').textContent(), /^Adds 0 annotations, skips 3 \(3 already here\)/);
    assert.equal(await dialog.locator('[data-testid="import-confirm"]').isDisabled(), true);
    await dialog.locator('[data-testid="import-cancel"]').click();
    assert.deepEqual(page.errors, []);
  });
});

describe('bad files are refused and change nothing', () => {
  let ctx;
  let page;
  beforeEach(async () => {
    ({ ctx, page } = await openApp(env.browser, env.server.url));
  });
  afterEach(async () => ctx.close());

  const valid = {
    format: 'marginalia', version: 1, exported: '2026-11-25T10:00:00Z', app: { name: 'Marginalia', version: '0.1.0' },
    complete: false, articles: [], tagColours: {},
  };
  const cases = [
    ['truncated.json', '{"format": "marginalia", "version": 1, "articles": [', /ends too early/],
    ['page.json', '<!doctype html><html><body>hi</body></html>', /HTML or XML, not JSON/],
    ['future.json', JSON.stringify({ ...valid, version: 7 }), /\$\.version: the file was made by a newer Marginalia \(format version 7\)/],
    ['wrong-type.json', JSON.stringify({ ...valid, articles: 'none' }), /\$\.articles: expected an array, found a string/],
    ['binary.json', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 1, 2, 3]), /binary file/],
    ['huge.json', 'FILE', /50\.0 MB, over the 25 MB limit/],
  ];
  for (const [name, content, expected] of cases) {
    test(`${name}: a clear message, storage untouched`, async () => {
      const before = await storageSnapshot(page);
      if (content === 'FILE') {
        // Playwright hands over large files by path.
        const p = path.join(os.tmpdir(), name);
        fs.writeFileSync(p, Buffer.alloc(50 * 1024 * 1024, 0x20));
        await importFiles(page, p);
      } else {
        await importFiles(page, [{ name, mimeType: 'application/json', buffer: Buffer.from(content) }]);
      }
      const notice = await page.locator('[data-testid="notice"]', { hasText: name }).last();
      await notice.waitFor();
      assert.match(await notice.textContent(), expected);
      assert.equal(await page.locator('[data-testid="transfer-dialog"]').count(), 0);
      assert.deepEqual(await storageSnapshot(page), before);
    });
  }
});

describe('replacing an article with an edited version', () => {
  let ctx;
  let page;
  beforeEach(async () => {
    ({ ctx, page } = await openApp(env.browser, env.server.url));
    await importFiles(page, [file(NAME, TEXT, 'text/plain')]);
    await openArticle(page);
  });
  afterEach(async () => ctx.close());

  test('annotations follow their text; a rewritten one waits under Unanchored until attached', async () => {
    const oldId = await page.getAttribute('[data-testid="reader"]', 'data-article-id');
    const first = await page.textContent(S(1));
    const sixth = await page.textContent(S(6));
    await page.click(S(1));
    await page.keyboard.press('h');
    await page.click(S(6));
    await page.keyboard.press('3');
    await saved(page);
    // A paragraph inserted near the top; sentence 6 rewritten entirely.
    const edited = [LINES[0], INSERTED, ...LINES.slice(1)].join('\n')
      .replace(sixth, 'Nothing of the original wording survives in this replacement line.') + '\n';
    assert.ok(edited.includes('replacement line'));
    const before = await storageSnapshot(page);
    await page.locator('[data-testid="replace-file"]').setInputFiles([file('edited.txt', edited, 'text/plain')]);
    const dialog = page.locator('[data-testid="transfer-dialog"]');
    await dialog.waitFor();
    assert.equal(
      await dialog.locator('[data-testid="replace-summary"]').textContent(),
      '2 annotations: 1 moved with their text, 1 not found (listed under Unanchored).',
    );
    await dialog.locator('[data-testid="replace-cancel"]').click();
    assert.deepEqual(await storageSnapshot(page), before, 'cancel changes nothing');
    await page.locator('[data-testid="replace-file"]').setInputFiles([file('edited.txt', edited, 'text/plain')]);
    await dialog.locator('[data-testid="replace-confirm"]').click();
    await page.waitForFunction(
      (old) => { const r = document.querySelector('[data-testid="reader"]'); return r && r.dataset.articleId !== old; },
      oldId,
    );
    const after = await storageSnapshot(page);
    assert.ok(!Object.keys(after).some((k) => k.endsWith(oldId)), 'the old version and its annotations are gone');
    assert.deepEqual(await highlighted(page), { [first]: 'yellow' });
    const orphans = page.locator('[data-testid="orphan-item"]');
    assert.equal(await orphans.count(), 1);
    assert.ok((await orphans.textContent()).includes(sixth.slice(0, 40)));
    // Attach it by hand to sentence 3.
    await page.click(S(3));
    const target = await page.textContent(S(3));
    await orphans.locator('[data-testid="attach-orphan"]').click();
    assert.equal(await orphans.count(), 0);
    assert.deepEqual(await highlighted(page), { [first]: 'yellow', [target]: 'blue' });
    await saved(page);
    await page.reload();
    await page.waitForSelector('[data-testid="reader"]');
    assert.deepEqual(await highlighted(page), { [first]: 'yellow', [target]: 'blue' }, 'attached for good');
    assert.deepEqual(page.errors, []);
  });
});

describe('the preview dialog is modal', () => {
  test('while it is open, keys and clicks never reach the reader behind it', async () => {
    const { ctx, page } = await openApp(env.browser, env.server.url);
    await importFiles(page, [file(NAME, TEXT, 'text/plain')]);
    await openArticle(page);
    const before = await storageSnapshot(page);
    await page.locator('[data-testid="replace-file"]').setInputFiles([file('edited.txt', EDITED, 'text/plain')]);
    const dialog = page.locator('[data-testid="transfer-dialog"]');
    await dialog.waitFor();
    assert.equal(await dialog.evaluate((d) => d.matches(':modal')), true, 'a native modal dialog');
    // Shortcuts: select the next sentence, highlight, undo.
    for (const key of ['j', 'h', '3', 'Control+z']) await page.keyboard.press(key);
    assert.equal(await page.locator('.s.selected').count(), 0, 'no shortcut reached the reader');
    assert.equal(await dialog.isVisible(), true, 'the dialog is still open');
    // The page behind is inert: no element under a sentence's place is the sentence.
    const box = await page.locator(S(2)).boundingBox();
    const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.closest('[data-sentence-id]') !== null,
      [box.x + 5, box.y + box.height / 2]);
    assert.equal(hit, false, 'the backdrop covers the text');
    // A click there closes the dialog (cancel) and selects nothing.
    await page.mouse.click(box.x + 5, box.y + box.height / 2);
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.locator('.s.selected').count(), 0);
    assert.deepEqual(await storageSnapshot(page), before, 'nothing was stored');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
});

describe('exports for analysis', () => {
  test('CSV has a row per annotation and JSONL a line per article, offsets in code points or UTF-16', async () => {
    const { ctx, page } = await openApp(env.browser, env.server.url);
    await page.fill('[data-testid="paste-title"]', 'For analysis');
    await page.fill('[data-testid="paste-text"]', 'A 🚢 sailed, "late". Then it docked.\n\nThe crew = 12.');
    await page.click('[data-testid="paste-submit"]');
    await page.locator('[data-testid="library-item"]', { hasText: 'For analysis' }).click();
    await page.waitForSelector('[data-testid="reader"]');
    await page.click(S(1));
    await page.keyboard.press('2');
    await page.keyboard.press('t');
    await page.locator('[data-testid="tag-input"]').fill('port');
    await page.keyboard.press('Enter');
    await page.click(S(2));
    await page.keyboard.press('h');
    await saved(page);

    const csv = await download(page, 'export-csv');
    assert.match(csv.name, /\.csv$/);
    assert.ok(csv.text.startsWith('\ufeff'), 'a byte order mark');
    const lines = csv.text.slice(1).split('\r\n');
    assert.equal(lines[0], 'article_id,article_title,annotation_id,quote,tags,note,colour,kind,created,updated,start,end,anchored');
    assert.equal(lines.length, 4, 'a header, two rows and the final CRLF');
    assert.ok(lines.some((l) => l.includes(',Then it docked.,port,,green,sentences,')), csv.text);
    assert.ok(lines.some((l) => l.includes(',The crew = 12.,,,green,')), csv.text, 'h highlights in the colour last used');

    const text = 'A 🚢 sailed, "late". Then it docked.\n\nThe crew = 12.';
    const cp = Array.from(text);
    for (const utf16 of [false, true]) {
      const box = page.locator('[data-testid="export-utf16"]');
      if ((await box.isChecked()) !== utf16) await box.click();
      const jsonl = await download(page, 'export-jsonl');
      assert.match(jsonl.name, /\.jsonl$/);
      const rows = jsonl.text.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(rows.length, 1, 'one line for the article');
      assert.equal(rows[0].text, text);
      const cut = ([s, e]) => (utf16 ? text.slice(s, e) : cp.slice(s, e).join(''));
      const got = rows[0].label.map((l) => [cut(l), l[2]]).sort();
      assert.deepEqual(got, [['The crew = 12.', 'green'], ['Then it docked.', 'port']]);
    }
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
});
