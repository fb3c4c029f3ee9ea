// Captures a real schema-2 library, made through the UI of the build at
// commit fc4dc5e (the last one that wrote storage schema 2), into
// tests/fixtures/schema2/. It was run once against that build:
//   git checkout fc4dc5e && trunk build --release && node tests/e2e/capture_schema2.mjs
// Later builds write a newer schema, so running it against them makes a
// different fixture; the migration test needs this one, as captured.
//
// What it makes: the welcome article and three imported ones (.txt, .md,
// .html); sentence and exact-span highlights in several colours, tags, a
// note, a deleted annotation (a tombstone), a tag colour, a joined and a
// split sentence boundary, and changed preferences. It writes every
// localStorage key and value (localStorage.json) and a complete export
// made by the same build (export-before.json).
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launch, openApp, storageSnapshot, importFiles, fileFrom, FIXTURES } from './harness.mjs';

const OUT = path.join(FIXTURES, 'schema2');
const S = (i) => `[data-sentence-id="${i}"]`;
const server = await serveDist();
const browser = await launch();
const { ctx, page } = await openApp(browser, server.url);
const saved = () => page.locator('[data-testid="save-state"]', { hasText: /^Saved$/ }).waitFor();
const open = async (text) => {
  await page.locator('[data-testid="library-item"]', { hasText: text }).first().click();
  await page.waitForSelector('[data-testid="reader"]');
};
const back = async () => {
  await page.click('[data-testid="back-to-library"]');
  await page.waitForSelector('[data-testid="library-item"]');
};
const tag = async (t) => {
  await page.keyboard.press('t');
  await page.locator('[data-testid="tag-input"]').fill(t);
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="tag-input"]').waitFor({ state: 'detached' });
};

await importFiles(page, [
  fileFrom(path.join(FIXTURES, 'articles/harbour-ferry.txt')),
  fileFrom(path.join(FIXTURES, 'articles/field-notes.md'), 'text/markdown'),
  fileFrom(path.join(FIXTURES, 'articles/night-trains.html'), 'text/html'),
]);
await page.waitForFunction(() => document.querySelectorAll('[data-testid="library-item"]').length === 4);

// The welcome article: highlights, tags, a note, a tombstone, an exact span.
await open('Welcome');
await page.click(S(1));
await page.keyboard.press('3');
await tag('Evidence, Open question');
await page.click(S(2));
await page.keyboard.press('2');
await page.keyboard.press('n');
await page.locator('[data-testid="note-input"]').fill('Check the <b>source</b>\nsecond line — “quoted”');
await page.keyboard.press('Control+Enter');
await page.locator('[data-testid="note-input"]').waitFor({ state: 'detached' });
await page.click(S(4));
await page.click(S(6), { modifiers: ['Shift'] });
await page.keyboard.press('4');
await page.click(S(8));
await page.keyboard.press('5');
await page.click('[data-testid="delete-annotation"]');
await page.keyboard.press('Escape');
const c = await page.locator(S(9)).evaluate((e) => { const r = e.getClientRects()[0]; return { x: r.left, y: r.top + r.height / 2, w: r.width }; });
await page.keyboard.down('Alt');
await page.mouse.move(c.x + Math.min(30, c.w * 0.2), c.y);
await page.mouse.down();
await page.mouse.move(c.x + Math.min(120, c.w * 0.7), c.y, { steps: 5 });
await page.mouse.up();
await page.keyboard.up('Alt');
await page.keyboard.press('6');
await page.keyboard.press('Escape');
await page.locator('.tag-colours summary').click();
await page.selectOption('[data-testid="tag-colour"][aria-label="Colour for tag Evidence"]', 'green');
await saved();
await back();

// The ferry article: a corrected boundary (join) and annotations either side.
await open('ferry');
await page.click(S(0));
await page.keyboard.press('h');
await tag('Evidence');
const count = () => page.locator('[data-sentence-id]').count();
let before = await count();
await page.click(S(3));
await page.click('[data-testid="join-next"]');
await page.waitForFunction((n) => document.querySelectorAll("[data-sentence-id]").length === n - 1, before);
await page.click(S(3));
await page.keyboard.press('2');
await saved();
await back();

// The field notes: a split boundary, and one highlight.
await open('Field');
const p = await page.locator(S(1)).evaluate((el) => {
  const t = document.createTreeWalker(el, NodeFilter.SHOW_TEXT).nextNode();
  const words = t.data.split(' ');
  const units = words.slice(0, Math.max(2, Math.floor(words.length / 2))).join(' ').length + 1;
  const r = document.createRange();
  r.setStart(t, units);
  r.setEnd(t, units + 1);
  const b = r.getBoundingClientRect();
  return { x: b.left + 1, y: b.top + b.height / 2 };
});
before = await count();
await page.mouse.click(p.x, p.y);
await page.click('[data-testid="split-here"]');
await page.waitForFunction((n) => document.querySelectorAll('[data-sentence-id]').length === n + 1, before);
await page.click(S(2));
await page.keyboard.press('1');
await saved();
await back();

// Preferences.
await page.click('[data-testid="font-larger"]');
await page.click('[data-testid="theme-toggle"]');
await page.waitForTimeout(200);

const snap = await storageSnapshot(page);
if (snap['marginalia:schema'] !== '2') throw new Error(`not a schema-2 build: schema ${snap['marginalia:schema']}`);
fs.mkdirSync(OUT, { recursive: true });
fs.writeFileSync(path.join(OUT, 'localStorage.json'), JSON.stringify(snap, null, 1) + '\n');

// A complete export of the library, by the same build.
const menu = page.locator('[data-testid="export-menu"]').first();
await menu.locator('summary').click();
const box = menu.locator('[data-testid="export-complete"]');
if (!(await box.isChecked())) await box.click();
const [dl] = await Promise.all([page.waitForEvent('download'), menu.locator('[data-testid="export-json"]').click()]);
fs.copyFileSync(await dl.path(), path.join(OUT, 'export-before.json'));
if (page.errors.length) throw new Error(`page errors: ${page.errors.join('; ')}`);
console.log(`captured ${Object.keys(snap).length} keys into ${path.relative(process.cwd(), OUT)}`);
await ctx.close();
await browser.close();
await server.close();
