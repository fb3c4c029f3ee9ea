// End-to-end: installable and offline. After one visit the service worker
// keeps the app's files: with the network gone, the app opens, reads and
// annotates, and nothing is ever asked of another origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useServerAndBrowser, openApp, serveDist, DIST } from './harness.mjs';

const env = useServerAndBrowser();
const S = (i) => `[data-sentence-id="${i}"]`;

test('after one visit the app opens, reads and annotates offline', async () => {
  const { ctx, page } = await openApp(env.browser, env.server.url);
  const requests = [];
  ctx.on('request', (r) => requests.push(r.url()));
  await page.fill('[data-testid="paste-title"]', 'Offline reading');
  await page.fill('[data-testid="paste-text"]', 'One sentence here. Another one there.');
  await page.click('[data-testid="paste-submit"]');
  await page.locator('[data-testid="library-item"]', { hasText: 'Offline reading' }).waitFor();
  await page.locator('html[data-offline-ready="true"]').waitFor({ state: 'attached' });

  await ctx.setOffline(true);
  const seen = page.errors.length;
  assert.equal(await page.evaluate(() => fetch('/not-kept.txt').then(() => 'reached', () => 'offline')), 'offline', 'the network is gone');
  await page.waitForTimeout(100);
  page.errors.splice(seen); // that probe's own failure
  await page.reload();
  await page.locator('[data-testid="library-item"]', { hasText: 'Offline reading' }).click();
  await page.waitForSelector('[data-testid="reader"]');
  await page.click(S(1));
  await page.keyboard.press('2');
  await page.locator('[data-testid="save-state"]', { hasText: /^Saved$/ }).waitFor();
  await page.reload();
  await page.waitForSelector('[data-testid="reader"]');
  assert.equal(await page.getAttribute(S(1), 'data-highlight'), 'green');
  await ctx.setOffline(false);

  const origin = new URL(env.server.url).origin;
  assert.deepEqual(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')), [], 'no other origin');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('once kept, the app files are answered from the cache by the browser, the page by the worker', async (t) => {
  // Static routes (InstallEvent.addRoutes) spare a load the worker's start
  // for the app's files; the page itself still goes network first through
  // the fetch handler, so that a new version is seen.
  const { ctx, page } = await openApp(env.browser, env.server.url);
  await page.locator('html[data-offline-ready="true"]').waitFor({ state: 'attached' });
  await page.reload();
  await page.waitForSelector('[data-testid="paste-text"]:visible, [data-testid="library-item"]');
  const sources = await page.evaluate(() => {
    const files = performance.getEntriesByType('resource').filter((r) => /\/marginalia-[0-9a-f]+(_bg\.wasm|\.js)$/.test(r.name));
    const nav = performance.getEntriesByType('navigation')[0];
    return { files: files.map((r) => [r.name.split('/').pop(), r.workerFinalSourceType]), page: nav.workerFinalSourceType };
  });
  assert.equal(sources.files.length, 2, JSON.stringify(sources));
  if (sources.page === undefined) {
    // Chromium reports where a worker's answer came from; elsewhere there is nothing to check.
    t.skip('this browser does not report the source of a worker\'s answer');
  } else {
    for (const [name, type] of sources.files) assert.equal(type, 'cache', `${name} from the cache`);
    assert.equal(sources.page, 'fetch-event', 'the page through the fetch handler');
  }
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('the app is installable: a manifest with its icons', async () => {
  const { ctx, page } = await openApp(env.browser, env.server.url);
  const href = await page.getAttribute('link[rel="manifest"]', 'href');
  const manifest = await page.evaluate((h) => fetch(h).then((r) => r.json()), href);
  assert.equal(manifest.name, 'Marginalia');
  assert.equal(manifest.display, 'standalone');
  assert.equal(manifest.start_url, './');
  for (const icon of manifest.icons) {
    const ok = await page.evaluate((src) => fetch(src).then((r) => r.ok && r.headers.get('content-type')), icon.src);
    assert.ok(ok, icon.src);
  }
  assert.ok(manifest.icons.some((i) => i.sizes === '512x512'));
  await ctx.close();
});

test('a new version is picked up by the next load, whole, and announced', async () => {
  // A copy of the build to change into "version 2" while the app is open.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-v'));
  fs.cpSync(DIST, dir, { recursive: true });
  const server = await serveDist(dir);
  const { ctx, page } = await openApp(env.browser, server.url);
  await page.locator('html[data-offline-ready="true"]').waitFor({ state: 'attached' });
  assert.equal(await page.locator('[data-testid="notice"]', { hasText: /updated/ }).count(), 0, 'no message on a first visit');

  // Version 2: its script and wasm under new names (as a new build's
  // content hashes give), the old files gone from the server.
  const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
  let next = html.replace('<title>', '<meta name="marginalia-test-version" content="2" />\n    <title>');
  for (const f of fs.readdirSync(dir).filter((n) => /^marginalia-[0-9a-f]+(_bg\.wasm|\.js)$/.test(n))) {
    const renamed = f.replace(/^marginalia-([0-9a-f]+)/, 'marginalia-$1v2');
    fs.renameSync(path.join(dir, f), path.join(dir, renamed));
    next = next.replaceAll(`/${f}`, `/${renamed}`);
  }
  fs.writeFileSync(path.join(dir, 'index.html'), next);

  await page.reload();
  await page.locator('[data-testid="notice"]', { hasText: 'Marginalia was updated' }).waitFor();
  assert.equal(await page.getAttribute('meta[name="marginalia-test-version"]', 'content'), '2');
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name).filter((n) => /\/marginalia-[0-9a-f]+(v2)?(_bg\.wasm|\.js)$/.test(n)));
  assert.ok(loaded.length >= 2 && loaded.every((n) => /v2(_bg\.wasm|\.js)$/.test(n)), `only the new files: ${loaded.join(', ')}`);
  // The worker now keeps the new files only, so offline the new version opens whole.
  await page.waitForFunction(async () => {
    const keys = (await (await caches.open('marginalia-app')).keys()).map((r) => r.url);
    return keys.some((u) => /v2_bg\.wasm$/.test(u)) && !keys.some((u) => /marginalia-[0-9a-f]+(_bg\.wasm|\.js)$/.test(u));
  });
  await ctx.setOffline(true);
  await page.reload();
  await page.locator('[data-testid="library-item"]').first().waitFor();
  assert.equal(await page.getAttribute('meta[name="marginalia-test-version"]', 'content'), '2');
  assert.equal(await page.locator('[data-testid="notice"]', { hasText: /updated/ }).count(), 0, 'announced once');
  await ctx.setOffline(false);
  assert.deepEqual(page.errors, []);
  await ctx.close();
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
