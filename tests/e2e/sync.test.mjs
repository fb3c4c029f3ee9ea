// End-to-end: sync through a real CouchDB-compatible server (pouchdb-server,
// in memory, on loopback, started and stopped here), with two isolated
// browser profiles as two devices.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, openApp, startCouch } from './harness.mjs';

const env = useServerAndBrowser();
const S = (i) => `[data-sentence-id="${i}"]`;
let couch;
before(async () => { couch = await startCouch(); });
after(async () => { await couch?.stop(); });

/** A device: its own browser profile with the app open, counting what it asks of the sync server. */
async function device() {
  const { ctx, page } = await openApp(env.browser, env.server.url);
  page.toCouch = [];
  ctx.on('request', (r) => { if (r.url().startsWith(couch.url)) page.toCouch.push(r.url()); });
  return { ctx, page };
}

/** Connects a device to `db` (the page reloads once to allow the server's origin) and waits for a sync. */
async function connect(page, db, { create = false } = {}) {
  await page.click('[data-testid="sync-status"]');
  await page.fill('[data-testid="sync-url"]', db);
  await Promise.all([page.waitForEvent('load'), page.click('[data-testid="sync-connect"]')]);
  if (create) {
    await page.click('[data-testid="sync-create"]');
  }
  await page.locator('[data-testid="sync-status"][data-state="synced"]').waitFor();
}

async function syncNow(page) {
  await page.click('[data-testid="sync-status"]');
  const before = await page.textContent('[data-testid="sync-last"]');
  await page.click('[data-testid="sync-now"]');
  await page.waitForFunction((b) => document.querySelector('[data-testid="sync-last"]').textContent !== b
    || document.querySelector('[data-testid="sync-status"]').dataset.state === 'error', before);
  assert.equal(await page.getAttribute('[data-testid="sync-status"]', 'data-state'), 'synced', await page.textContent('[data-testid="sync-message"]'));
}

describe('sync', () => {
  test('an annotation made on one device reaches the other', async () => {
    const db = `${couch.url}/reach`;
    const a = await device();
    await a.page.fill('[data-testid="paste-title"]', 'Harbour notes');
    await a.page.fill('[data-testid="paste-text"]', 'The ferry was late. The harbour was calm. Gulls circled the quay.');
    await a.page.click('[data-testid="paste-submit"]');
    await a.page.locator('[data-testid="library-item"]', { hasText: 'Harbour notes' }).click();
    await a.page.click(S(1));
    await a.page.keyboard.press('3');
    await a.page.keyboard.press('t');
    await a.page.locator('[data-testid="tag-input"]').fill('Weather');
    await a.page.keyboard.press('Enter');
    await a.page.locator('[data-testid="save-state"]', { hasText: /^Saved$/ }).waitFor();
    assert.equal(await a.page.getAttribute('[data-testid="sync-status"]', 'data-state'), 'off');
    assert.deepEqual(a.page.toCouch, [], 'nothing is sent before connecting');

    await connect(a.page, db, { create: true });
    const b = await device();
    await connect(b.page, db);
    await b.page.click('[data-testid="back-to-library"], .brand');
    await b.page.locator('[data-testid="library-item"]', { hasText: 'Harbour notes' }).click();
    await b.page.waitForSelector('[data-testid="reader"]');
    assert.equal(await b.page.getAttribute(S(1), 'data-highlight'), 'blue');
    assert.equal(await b.page.getAttribute(S(1), 'data-tags'), 'Weather');

    // Only the configured origin was ever asked.
    const origins = new Set([...a.page.toCouch, ...b.page.toCouch].map((u) => new URL(u).origin));
    assert.deepEqual([...origins], [couch.url]);
    // Disconnecting forgets the settings: the status is off after a reload.
    await b.page.click('[data-testid="sync-status"]');
    await b.page.click('[data-testid="sync-disconnect"]');
    await b.page.locator('[data-testid="sync-status"][data-state="off"]').waitFor();
    await b.page.reload();
    await b.page.locator('[data-testid="sync-status"][data-state="off"]').waitFor();
    assert.equal(await b.page.evaluate(() => localStorage.getItem('marginalia:sync-origin')), null);
    // The one expected failure: asking for the database before it was created.
    const unexpected = (errors) => errors.filter((e) => !/status of 404/.test(e));
    assert.deepEqual(unexpected(a.page.errors), []);
    assert.deepEqual(b.page.errors, []);
    await a.ctx.close();
    await b.ctx.close();
  });

  test('a bad address, no server and a missing database each get a clear message', async () => {
    const { ctx, page } = await device();
    await page.click('[data-testid="sync-status"]');
    await page.fill('[data-testid="sync-url"]', 'not a url');
    await page.click('[data-testid="sync-connect"]');
    assert.match(await page.textContent('[data-testid="sync-error"]'), /not a web address/);
    await page.fill('[data-testid="sync-url"]', 'http://example.com/db');
    await page.click('[data-testid="sync-connect"]');
    assert.match(await page.textContent('[data-testid="sync-error"]'), /https:\/\//);
    assert.equal(await page.evaluate(() => localStorage.getItem('marginalia:sync-origin')), null, 'nothing stored');
    // A port nothing listens on.
    await page.fill('[data-testid="sync-url"]', 'http://127.0.0.1:9/db');
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid="sync-connect"]')]);
    await page.locator('[data-testid="sync-status"][data-state="error"]').waitFor();
    assert.match(await page.textContent('[data-testid="sync-message"]'), /No server answers/);
    await page.click('[data-testid="sync-disconnect"]');
    await page.fill('[data-testid="sync-url"]', `${couch.url}/missing-db`);
    await Promise.all([page.waitForEvent('load'), page.click('[data-testid="sync-connect"]')]);
    await page.locator('[data-testid="sync-create"]').waitFor();
    assert.match(await page.textContent('[data-testid="sync-message"]'), /does not exist/);
    await ctx.close();
  });
});
