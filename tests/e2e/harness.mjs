// Shared set-up for the end-to-end suite: serves the release build (dist/)
// on loopback and drives Debian's Chromium through playwright-core.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'dist');
export const FIXTURES = path.join(ROOT, 'tests/fixtures');
export const SHARED = path.resolve(ROOT, '../shared');
export const ARTIFACTS = path.join(ROOT, 'tests/e2e/artifacts');

export const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
];

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml', '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

/** Serves dist/ on 127.0.0.1 at a free port; resolves to { url, close }. */
export function serveDist(dir = DIST, extra = {}) {
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    throw new Error(`${dir}/index.html is missing: run \`trunk build --release\` first (scripts/test does).`);
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    // Pages of the benchmarks beside the build: path → [type, body].
    if (extra[url.pathname]) {
      const [type, body] = extra[url.pathname]();
      res.writeHead(200, { 'content-type': type }).end(body);
      return;
    }
    let file = path.normalize(path.join(dir, decodeURIComponent(url.pathname)));
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404).end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(data);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

/** Launches Debian's Chromium (never a downloaded browser). */
export function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/**
 * Opens the app in a fresh context; records page errors and dialogs so a
 * test can assert that none happened.
 */
export async function openApp(browser, url, { context } = {}) {
  const ctx = context ?? (await browser.newContext({ viewport: { width: 1200, height: 900 } }));
  const page = await ctx.newPage();
  page.errors = [];
  page.dialogs = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  page.on('dialog', (d) => { page.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  await page.goto(url);
  await page.waitForSelector('[data-testid="paste-text"]:visible, [data-testid="reader"], [data-testid="library-item"]');
  return { ctx, page };
}

/**
 * Everything stored: every key and value in localStorage, and every
 * article body in IndexedDB (database `marginalia`, store `bodies`) under
 * `idb:bodies:<id>`, so that "nothing changed" covers both stores.
 */
export function storageSnapshot(page) {
  return page.evaluate(async () => {
    const out = {};
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      out[k] = localStorage.getItem(k);
    }
    // Every body in IndexedDB, without creating the database.
    const bodies = await new Promise((resolve) => {
      let r;
      try { r = indexedDB.open('marginalia'); } catch { resolve({}); return; } // refused
      r.onupgradeneeded = () => r.transaction.abort(); // not there yet: create nothing
      r.onerror = () => resolve({});
      r.onsuccess = () => {
        const db = r.result;
        if (!db.objectStoreNames.contains('bodies')) { db.close(); resolve({}); return; }
        const os = db.transaction('bodies').objectStore('bodies');
        const keys = os.getAllKeys();
        const values = os.getAll();
        values.onsuccess = () => {
          const found = {};
          keys.result.forEach((k, i) => { found[k] = values.result[i]; });
          db.close();
          resolve(found);
        };
      };
    });
    for (const [id, body] of Object.entries(bodies)) out[`idb:bodies:${id}`] = body;
    return out;
  });
}

/** The stored article with this id, parsed: from IndexedDB, else localStorage. */
export async function storedArticle(page, id) {
  const snap = await storageSnapshot(page);
  const raw = snap[`idb:bodies:${id}`] ?? snap[`marginalia:article:${id}`];
  return raw ? JSON.parse(raw) : null;
}

/** Hands files to the import input: [{ name, mimeType, buffer }]. */
export async function importFiles(page, files) {
  await page.locator('input[type=file][data-testid="import-file"]').setInputFiles(files);
}

/** A file from disk, named as it is. */
export function fileFrom(p, mimeType = 'text/plain') {
  return { name: path.basename(p), mimeType, buffer: fs.readFileSync(p) };
}

/** Titles in the library, in order. */
export function libraryTitles(page) {
  return page.locator('[data-testid="library-item"] .item-title').allTextContents();
}

/** The text of the last notice. */
export async function lastNotice(page) {
  const n = page.locator('[data-testid="notice"]').last();
  await n.waitFor();
  return n.textContent();
}

/**
 * Serves dist/ and launches Chromium once for a test file (registers the
 * file's before/after hooks); returns an object whose `server` and
 * `browser` are set once the hooks have run.
 */
export function useServerAndBrowser() {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await serveDist();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/**
 * What a screenshot shows: for each selector, the first matching element
 * is inside the viewport and is what is drawn at its centre (nothing
 * covers it). Returns the failures, empty when all are shown.
 */
export function notShown(page, selectors) {
  return page.evaluate((sels) => sels.flatMap((sel) => {
    const el = document.querySelector(sel);
    if (!el) return [`${sel}: missing`];
    // The first line box: an inline element spanning lines has a bounding
    // box wider than its text.
    const r = el.getClientRects()[0] ?? el.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    if (r.width === 0 || x < 0 || y < 0 || x > innerWidth || y > innerHeight) return [`${sel}: off screen`];
    const hit = document.elementFromPoint(x, y);
    if (hit && (hit === el || el.contains(hit))) return [];
    return [`${sel}: covered by ${hit ? `${hit.tagName.toLowerCase()}.${hit.className}` : 'nothing'}`];
  }), selectors);
}

/**
 * The annotations stored for an article, read from its records (storage
 * schema 3: one key per annotation, see src/storage/repo.rs), as objects
 * shaped like the export's: quote and sentence range derived from the
 * stored text, as the app derives them. `null` when there are none.
 */
export async function storedAnnotations(page, articleId) {
  const article = await storedArticle(page, articleId);
  return page.evaluate(({ id, article }) => {
    const cps = Array.from(article.blocks.map((b) => b.text).join('\n\n'));
    const places = [];
    let base = 0;
    for (const b of article.blocks) {
      for (const [s, e] of b.sentences) {
        places.push([base + Array.from(b.text.slice(0, s)).length, base + Array.from(b.text.slice(0, e)).length]);
      }
      base += Array.from(b.text).length + 2;
    }
    const colours = ['yellow', 'green', 'blue', 'pink', 'purple', 'orange'];
    const short = id.slice(0, 16);
    const annotations = [];
    const deleted = [];
    let v = 1;
    for (const k of Object.keys(localStorage)) {
      const live = k.startsWith(`marginalia:a:${short}:`);
      if (!live && !k.startsWith(`marginalia:d:${short}:`)) continue;
      const aid = k.slice(`marginalia:a:${short}:`.length);
      const r = JSON.parse(localStorage.getItem(k));
      if (!live) { deleted.push({ id: aid, at: new Date(r[1]).toISOString() }); continue; }
      v = Math.max(v, r[0]);
      const [, start, end, code, created, updated, tags = [], note = '', x = {}] = r;
      const first = places.findIndex((p) => p[1] > start);
      let last = first;
      while (last + 1 < places.length && places[last + 1][0] < end) last++;
      annotations.push({
        id: aid, colour: colours[(code % 10) - 1],
        target: {
          kind: code > 10 ? 'span' : 'sentences', sentences: x.s ?? [first, last],
          quote: { exact: x.q ? x.q[0] : cps.slice(start, end).join('') }, position: { start, end },
        },
        tags, note, created: new Date(created).toISOString(), updated: new Date(updated).toISOString(),
      });
    }
    annotations.sort((a, b) => a.target.position.start - b.target.position.start);
    return annotations.length || deleted.length ? { v, annotations, deleted } : null;
  }, { id: articleId, article });
}

/** With BENCH_PROFILE set: the functions that took the most time (self
 * time, from a CPU profile) while `run` ran. For finding what to speed up. */
export async function profile(page, label, run) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  await run();
  const { profile: p } = await cdp.send('Profiler.stop');
  await cdp.detach();
  const dt = (p.endTime - p.startTime) / 1000 / p.samples.length;
  const self = new Map();
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const hits = new Map();
  for (const s of p.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  for (const [id, n] of hits) {
    const f = byId.get(id).callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}`;
    self.set(name, (self.get(name) ?? 0) + n * dt);
  }
  console.log(`  profile, ${label} (self time, ms):`);
  for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`    ${ms.toFixed(1).padStart(7)}  ${name}`);
}

/**
 * A CouchDB-compatible server for sync tests: pouchdb-server (npm), in
 * memory, on a free loopback port, started here and stopped by `stop()`.
 */
export async function startCouch() {
  const net = await import('node:net');
  const { spawn } = await import('node:child_process');
  const port = await new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  const bin = path.join(ROOT, 'node_modules/.bin/pouchdb-server');
  const dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'couch-'));
  const proc = spawn(bin, ['--in-memory', '-o', '127.0.0.1', '-p', String(port), '--no-stdout-logs'], { cwd: dir, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${url}/`)).ok) break; } catch (_) { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () => new Promise((resolve) => { proc.once('exit', resolve); proc.kill(); }),
  };
}
