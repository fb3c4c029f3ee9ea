// End-to-end: installable and offline. After one visit the service worker
// keeps the app's files: with the network gone, the app opens, reads and
// annotates, and nothing is ever asked of another origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, openApp } from './harness.mjs';

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
