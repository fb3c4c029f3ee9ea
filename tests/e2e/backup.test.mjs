// End-to-end: the backup reminder on the library page, and what the
// library says about the last backup and export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, openApp } from './harness.mjs';

const env = useServerAndBrowser();
const reminder = '[data-testid="backup-reminder"]';
const status = '[data-testid="backup-status"]';

async function exportFrom(page, testid) {
  const menu = page.locator('[data-testid="export-menu"]').first();
  if (!(await menu.evaluate((d) => d.open))) await menu.locator('summary').click();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testid}"]`)]);
  await menu.locator('summary').click(); // closed again
  return dl;
}

test('the reminder comes 14 days after the last backup, can be put off, and a complete backup ends it', async () => {
  const { ctx, page } = await openApp(env.browser, env.server.url);
  // The welcome article alone: nothing to lose, no reminder.
  assert.equal(await page.locator(reminder).count(), 0);
  assert.equal(await page.textContent(status), 'Last complete backup: never · last export: never');
  await page.fill('[data-testid="paste-title"]', 'Mine');
  await page.fill('[data-testid="paste-text"]', 'My own sentence. And another.');
  await page.click('[data-testid="paste-submit"]');
  await page.locator('[data-testid="library-item"]', { hasText: 'Mine' }).waitFor();
  assert.equal(await page.locator(reminder).count(), 0, 'not on the day the first article was added');

  // The last dismissal was 20 days ago.
  const old = new Date(Date.now() - 20 * 86400000).toISOString();
  await page.evaluate((old) => localStorage.setItem('marginalia:backups', JSON.stringify({ since: old, annotations_then: 0 })), old);
  await page.reload();
  await page.locator(reminder).waitFor();
  assert.match(await page.textContent(reminder), /only in this browser/);

  // Put off: gone, also after a reload.
  await page.click('[data-testid="backup-dismiss"]');
  await page.locator(reminder).waitFor({ state: 'detached' });
  await page.reload();
  await page.locator('[data-testid="library-item"]', { hasText: 'Mine' }).waitFor();
  assert.equal(await page.locator(reminder).count(), 0);

  // Due again; a Markdown export is no backup, a complete one ends it.
  await page.evaluate((old) => localStorage.setItem('marginalia:backups', JSON.stringify({ since: old, annotations_then: 0 })), old);
  await page.reload();
  await page.locator(reminder).waitFor();
  await exportFrom(page, 'export-markdown');
  await page.locator(status, { hasText: /last export: \d{1,2} \w{3} \d{4}$/ }).waitFor();
  assert.match(await page.textContent(status), /^Last complete backup: never/);
  assert.equal(await page.locator(reminder).count(), 1, 'still due');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="backup-now"]')]);
  assert.match(dl.suggestedFilename(), /\.json$/);
  await page.locator(reminder).waitFor({ state: 'detached' });
  assert.match(await page.textContent(status), /^Last complete backup: \d{1,2} \w{3} \d{4} · last export: \d{1,2} \w{3} \d{4}$/);
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('marginalia:backups')));
  assert.ok(Date.now() - Date.parse(stored.last_backup) < 60000);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('another tab’s backup ends the reminder here too', async () => {
  const { ctx, page } = await openApp(env.browser, env.server.url);
  await page.fill('[data-testid="paste-title"]', 'Mine');
  await page.fill('[data-testid="paste-text"]', 'My own sentence. And another.');
  await page.click('[data-testid="paste-submit"]');
  const old = new Date(Date.now() - 20 * 86400000).toISOString();
  await page.evaluate((old) => localStorage.setItem('marginalia:backups', JSON.stringify({ since: old, annotations_then: 0 })), old);
  await page.reload();
  await page.locator(reminder).waitFor();
  const { page: other } = await openApp(env.browser, env.server.url, { context: ctx });
  await other.locator(reminder).waitFor();
  await Promise.all([other.waitForEvent('download'), other.click('[data-testid="backup-now"]')]);
  await page.locator(reminder).waitFor({ state: 'detached' });
  await ctx.close();
});
