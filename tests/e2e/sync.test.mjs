// End-to-end: sync through a real CouchDB-compatible server (pouchdb-server,
// in memory, on loopback, started and stopped here), with two isolated
// browser profiles as two devices.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { useServerAndBrowser, openApp, startCouch, importFiles, ROOT } from './harness.mjs';
import { rng, libraryEntry, importGenerated } from './generate.mjs';

const env = useServerAndBrowser();
const S = (i) => `[data-sentence-id="${i}"]`;
const AXE = path.join(ROOT, 'node_modules/axe-core/axe.min.js');
/** What axe-core finds wrong on the page as it is now. */
async function violations(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`));
}
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

/** Shows the annotation panel (on narrow screens it opens with a toggle; on wide ones it always shows). */
async function openPanel(page) {
  const toggle = page.locator('[data-testid="panel-toggle"]');
  if (await toggle.isVisible() && (await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}

/** Runs a sync from the Sync page (or waits for the one running) and checks it worked. */
async function syncNow(page) {
  await page.click('[data-testid="sync-status"]');
  const runs = Number(await page.getAttribute('[data-testid="sync-last"]', 'data-runs'));
  await page.click('[data-testid="sync-now"]');
  const state = await (await page.waitForFunction((n) => {
    const s = document.querySelector('[data-testid="sync-status"]').dataset.state;
    return Number(document.querySelector('[data-testid="sync-last"]').dataset.runs) > n && (s === 'synced' || s === 'error') && s;
  }, runs)).jsonValue();
  assert.equal(state, 'synced', await page.textContent('[data-testid="sync-message"]'));
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

  test('a server that refuses the password, one without CORS and one that is not CouchDB each get a clear message', async () => {
    const http = await import('node:http');
    /** A server on a free loopback port answering every request with `answer(req, res)`. */
    const serve = (answer) => new Promise((resolve) => {
      const srv = http.createServer(answer);
      srv.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${srv.address().port}`, close: () => { srv.closeAllConnections?.(); return new Promise((r) => srv.close(r)); } }));
    });
    const cors = (res) => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Headers', 'accept, authorization, content-type');
      res.setHeader('Access-Control-Allow-Methods', 'GET, PUT, POST');
    };
    const json = (res, status, body) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
    const servers = {
      refuses: await serve((req, res) => {
        cors(res);
        if (req.method === 'OPTIONS') { res.writeHead(204); res.end(); return; }
        json(res, 401, { error: 'unauthorized', reason: 'Name or password is incorrect.' });
      }),
      noCors: await serve((req, res) => json(res, 200, { couchdb: 'Welcome', version: '3.3.3' })),
      notCouch: await serve((req, res) => { cors(res); json(res, 200, { hello: 'world' }); }),
    };
    const { ctx, page } = await device();
    const tryConnect = async (url, user = '') => {
      await page.click('[data-testid="sync-status"]');
      await page.fill('[data-testid="sync-url"]', `${url}/db`);
      await page.fill('[data-testid="sync-user"]', user);
      await page.fill('[data-testid="sync-password"]', user ? 'wrong' : '');
      await Promise.all([page.waitForEvent('load'), page.click('[data-testid="sync-connect"]')]);
      await page.locator('[data-testid="sync-status"][data-state="error"]').waitFor();
      const message = await page.textContent('[data-testid="sync-message"]');
      await page.click('[data-testid="sync-disconnect"]');
      await page.locator('[data-testid="sync-status"][data-state="off"]').waitFor();
      return message;
    };
    assert.match(await tryConnect(servers.refuses.url, 'reader'), /refused the user name or password \(Name or password is incorrect\.\)/);
    assert.match(await tryConnect(servers.noCors.url), /CORS is not set up\. Enable CORS on the server and allow the origin http:\/\/127\.0\.0\.1:\d+/);
    assert.match(await tryConnect(servers.notCouch.url), /answers, but not as a CouchDB-compatible server does/);
    assert.equal(await page.evaluate(() => localStorage.getItem('marginalia:sync-origin')), null, 'disconnecting forgets each');
    await ctx.close();
    for (const s of Object.values(servers)) await s.close();
  });

  /** Two devices connected to one fresh database, both holding one annotated article. */
  async function pair(name) {
    const db = `${couch.url}/${name}`;
    const a = await device();
    await a.page.fill('[data-testid="paste-title"]', 'Harbour notes');
    await a.page.fill('[data-testid="paste-text"]', 'The ferry was late. The harbour was calm. Gulls circled the quay.');
    await a.page.click('[data-testid="paste-submit"]');
    await a.page.locator('[data-testid="library-item"]', { hasText: 'Harbour notes' }).click();
    await a.page.click(S(1));
    await a.page.keyboard.press('2');
    await a.page.click(S(2));
    await a.page.keyboard.press('2');
    await a.page.locator('[data-testid="save-state"]', { hasText: /^Saved$/ }).waitFor();
    await connect(a.page, db, { create: true });
    const b = await device();
    await connect(b.page, db);
    for (const d of [a, b]) {
      await reopen(d.page);
      await d.page.waitForSelector(`${S(1)}[data-highlight="green"]`);
    }
    return { a, b };
  }

  /** Adds a note to sentence `i` of the open article. */
  async function note(page, i, text) {
    await page.click(S(i));
    await page.keyboard.press('n');
    await page.locator('[data-testid="note-input"]').fill(text);
    await page.click('[data-testid="note-save"]');
    await page.locator('[data-testid="save-state"]', { hasText: /^Saved$/ }).waitFor();
  }

  /** Opens the shared article again from the library (after syncs changed what it holds). */
  async function reopen(page) {
    await page.evaluate(() => { location.hash = '#/'; });
    await page.locator('[data-testid="library-item"]', { hasText: 'Harbour notes' }).click();
    await page.waitForSelector('[data-testid="reader"]');
  }

  /** Both devices back online, then syncs on A, B and A: each has seen the other's changes. */
  async function meet(a, b) {
    await a.ctx.setOffline(false);
    await b.ctx.setOffline(false);
    await syncNow(a.page);
    await syncNow(b.page);
    await syncNow(a.page);
  }

  test('edits made offline on both devices converge on the newest when they meet', async () => {
    const { a, b } = await pair('offline');
    await a.ctx.setOffline(true);
    await b.ctx.setOffline(true);
    await note(a.page, 1, 'from A');
    await b.page.waitForTimeout(20);
    await note(b.page, 1, 'from B, later');
    await meet(a, b);
    for (const d of [a, b]) {
      await reopen(d.page);
      await openPanel(d.page);
      await d.page.locator('[data-testid="entry-note"]', { hasText: 'from B, later' }).waitFor();
      // The conflict shows on both: on the sentence and in the panel, with the version that lost.
      await d.page.waitForSelector(`${S(1)}[data-conflict="true"]`);
      assert.equal(await d.page.getAttribute(S(2), 'data-conflict'), null);
      const marker = d.page.locator('[data-testid="annotation-item"] [data-testid="conflict-marker"]');
      await marker.locator('summary').click();
      assert.match(await marker.locator('[data-testid="conflict-version"]').textContent(), /note: “from A”/);
      assert.deepEqual(await violations(d.page), [], 'the conflict, open, is accessible');
    }
    // A restores its own version: it becomes the annotation on both, and the conflict goes.
    await a.page.click('[data-testid="conflict-restore"]');
    await a.page.locator('[data-testid="entry-note"]', { hasText: 'from A' }).waitFor();
    assert.equal(await a.page.getAttribute(S(1), 'data-conflict'), null);
    await a.page.locator('[data-testid="save-state"]', { hasText: /^Saved$/ }).waitFor();
    await syncNow(a.page);
    await syncNow(b.page);
    await reopen(b.page);
    await openPanel(b.page);
    await b.page.locator('[data-testid="entry-note"]', { hasText: 'from A' }).waitFor();
    assert.equal(await b.page.getAttribute(S(1), 'data-conflict'), null);
    assert.equal(await b.page.locator('[data-testid="conflict-marker"]').count(), 0);
    await a.ctx.close();
    await b.ctx.close();
  });

  test('a deletion on one device and an edit on the other: the later one stands', async () => {
    const { a, b } = await pair('delete');
    await a.ctx.setOffline(true);
    await b.ctx.setOffline(true);
    // S(2): edited on B, then deleted on A (the deletion is newer).
    await note(b.page, 2, 'edited, then deleted');
    await a.page.waitForTimeout(20);
    await a.page.click(S(2));
    await a.page.keyboard.press('Delete');
    await a.page.locator('[data-testid="save-state"]', { hasText: /^Saved$/ }).waitFor();
    await b.page.waitForTimeout(20);
    await note(b.page, 1, 'kept');
    await meet(a, b);
    for (const d of [a, b]) {
      await reopen(d.page);
      await d.page.waitForSelector(`${S(1)}[data-highlight="green"]`);
      assert.equal(await d.page.getAttribute(S(2), 'data-highlight'), null, 'deleted on both');
      // The lost edit is kept, under the panel's conflicts.
      await openPanel(d.page);
      const item = d.page.locator('[data-testid="conflicts-deleted"] [data-testid="conflict-item"]');
      await item.locator('summary').click();
      assert.match(await item.locator('[data-testid="conflict-version"]').textContent(), /edited, then deleted/);
    }
    // Dismissed on B: gone from A after they sync.
    await b.page.click('[data-testid="conflict-dismiss"]');
    await b.page.locator('[data-testid="conflicts-deleted"]').waitFor({ state: 'detached' });
    await syncNow(b.page);
    await syncNow(a.page);
    await reopen(a.page);
    await a.page.waitForSelector(`${S(1)}[data-highlight="green"]`);
    assert.equal(await a.page.locator('[data-testid="conflicts-deleted"]').count(), 0);
    await a.ctx.close();
    await b.ctx.close();
  });

  test('a sync cut off half-way resumes with nothing lost or doubled; 1,000 annotations in a bounded number of requests', async () => {
    const db = `${couch.url}/thousand`;
    const a = await device();
    const r = rng(5);
    await importGenerated(a.page, importFiles, 10, (n) => libraryEntry(n, r, { perArticle: 100 }));
    await connect(a.page, db, { create: true });
    const pushed = a.page.toCouch.length;
    console.log(`  first sync of 10 articles and 1,000 annotations from one device: ${pushed} requests`);
    assert.ok(pushed <= 40, `${pushed} requests`);
    // The second device loses the network after a few requests of its first sync.
    const b = await device();
    let left = 6;
    await b.ctx.route(`${couch.url}/**`, (route) => (left-- > 0 ? route.continue() : route.abort('connectionreset')));
    await b.page.click('[data-testid="sync-status"]');
    await b.page.fill('[data-testid="sync-url"]', db);
    await Promise.all([b.page.waitForEvent('load'), b.page.click('[data-testid="sync-connect"]')]);
    await b.page.locator('[data-testid="sync-status"][data-state="error"]').waitFor();
    const partial = await b.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('marginalia:a:')).length);
    assert.ok(partial < 1000, `${partial} taken in before the cut`);
    await b.ctx.unroute(`${couch.url}/**`);
    const before = b.page.toCouch.length;
    await b.page.click('[data-testid="sync-now"]');
    await b.page.locator('[data-testid="sync-status"][data-state="synced"]').waitFor();
    const keys = await b.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('marginalia:a:')));
    assert.equal(keys.length, 1000, 'all of them, once each');
    console.log(`  the second device: cut off after 6 requests with ${partial} annotations in, then ${b.page.toCouch.length - before} requests to finish`);
    await a.ctx.close();
    await b.ctx.close();
  });
});
