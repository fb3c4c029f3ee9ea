// End-to-end: axe-core (the npm package, injected from node_modules)
// checks every page and dialog, in light and dark, on desktop and phone
// sizes, and must report no violation.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { useServerAndBrowser, openApp, importFiles, ROOT } from './harness.mjs';

const env = useServerAndBrowser();
const AXE = path.join(ROOT, 'node_modules/axe-core/axe.min.js');
const S = (i) => `[data-sentence-id="${i}"]`;

/** The violations axe finds on the page as it is now, one line each. */
async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(' | ')}`);
  });
  return found;
}

const SIZES = { desktop: { width: 1200, height: 900 }, phone: { width: 390, height: 844 } };

for (const scheme of ['light', 'dark']) {
  for (const [size, viewport] of Object.entries(SIZES)) {
    describe(`accessibility, ${scheme}, ${size}`, () => {
      test('every page and dialog has no axe violation', async () => {
        const context = await env.browser.newContext({ viewport, colorScheme: scheme, isMobile: size === 'phone', hasTouch: size === 'phone' });
        const { ctx, page } = await openApp(env.browser, env.server.url, { context });
        const report = {};
        const check = async (where) => { report[where] = await violations(page); };
        await page.fill('[data-testid="paste-title"]', 'Checked');
        await page.fill('[data-testid="paste-text"]', 'One sentence here. Another one there.\n\nA second paragraph.');
        await page.click('[data-testid="paste-submit"]');
        await page.locator('[data-testid="library-item"]', { hasText: 'Checked' }).waitFor();
        await check('library');
        await page.click('[data-testid="export-menu"] summary');
        await check('library, export menu open');
        await page.keyboard.press('Escape');
        const item = page.locator('[data-testid="library-item"]', { hasText: 'Checked' });
        await item.locator('[data-testid="delete-article"]').click();
        await check('library, deletion to confirm');
        await item.locator('[data-testid="cancel-delete"]').click();
        await page.goto(`${env.server.url}#/read/no-such-article`);
        await page.locator('.missing').waitFor();
        await check('article not found');
        await page.goto(`${env.server.url}#/`);

        await page.locator('[data-testid="library-item"]', { hasText: 'Checked' }).click();
        await page.waitForSelector('[data-testid="reader"]');
        await page.click(S(0));
        await page.keyboard.press('2');
        await page.click(S(1));
        await check('reader, toolbar open');
        await page.click('[data-testid="tag-button"]');
        await check('reader, tag input');
        await page.keyboard.press('Escape');
        await page.click('[data-testid="note-button"]');
        await check('reader, note input');
        await page.keyboard.press('Escape');
        await page.keyboard.press('Escape');
        await page.keyboard.press('?');
        await page.locator('[data-testid="shortcuts"]').waitFor();
        await check('reader, shortcut list');
        await page.click('[data-testid="help-close"]');
        // On narrow screens the panel opens from its button; wide ones show it.
        if (await page.locator('[data-testid="panel-toggle"]').isVisible()) await page.click('[data-testid="panel-toggle"]');
        await page.locator('[data-testid="annotation-panel"]').waitFor();
        await check('reader, panel open');
        // Tag something, for the notebook and the tag manager.
        if (await page.locator('.panel-close').isVisible()) await page.locator('.panel-close').dispatchEvent('click');
        await page.click(S(2));
        await page.keyboard.press('t');
        await page.locator('[data-testid="tag-input"]').fill('Checked tag');
        await page.keyboard.press('Enter');
        // Leaving the reader saves it.
        await page.locator(`${S(2)}[data-tags="Checked tag"]`).waitFor();

        await page.goto(`${env.server.url}#/`);
        await page.fill('[data-testid="library-search"]', 'sentence');
        await page.locator('[data-testid="search-result"][data-ready="true"]').first().waitFor();
        await check('library, search results');
        await page.fill('[data-testid="library-search"]', '');
        await page.goto(`${env.server.url}#/notebook`);
        await page.locator('[data-testid="notebook-item"]').first().waitFor();
        await check('notebook');
        await page.selectOption('[data-testid="notebook-group-by"]', 'tag');
        await check('notebook, by tag');
        await page.goto(`${env.server.url}#/tags`);
        await page.locator('[data-testid="tag-row"]').first().waitFor();
        await check('tag manager');
        await page.click('[data-testid="tag-rename"]');
        await check('tag manager, renaming');
        await page.keyboard.press('Escape');
        await page.click('[data-testid="tag-delete"]');
        await check('tag manager, deletion to confirm');
        await page.click('[data-testid="tag-delete-confirm"]');
        await page.locator('[data-testid="tag-undo"]').waitFor();
        await check('tag manager, undo offered');
        await page.goto(`${env.server.url}#/sync`);
        await page.locator('[data-testid="sync-url"]').waitFor();
        await check('sync page');

        const file = JSON.stringify({ format: 'marginalia', version: 1, exported: '2026-11-30T00:00:00Z', app: { name: 'test', version: '0' }, complete: false, articles: [], tagColours: {} });
        await page.goto(`${env.server.url}#/`);
        await importFiles(page, [{ name: 'empty.json', mimeType: 'application/json', buffer: Buffer.from(file) }]);
        await page.locator('[data-testid="transfer-dialog"]').waitFor();
        await check('import preview dialog');

        const failing = Object.entries(report).filter(([, v]) => v.length);
        assert.deepEqual(failing, [], failing.map(([k, v]) => `${k}:\n  ${v.join('\n  ')}`).join('\n'));
        await ctx.close();
      });
    });
  }
}
