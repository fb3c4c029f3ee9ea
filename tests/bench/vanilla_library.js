// The vanilla-JS reference page for the library's open in scripts/bench
// (tests/e2e/bench_capacity.mjs; never shipped). From the data the app
// stored, in the same storage, it renders the library list the plainest
// way: the index (`marginalia:index`), the annotation counts the app keeps
// (`marginalia:counts`, else counted from the record keys) and each
// article's reading state (`marginalia:r:<short>`), then the first 100
// entries with the app's markup and stylesheet: title link, words,
// sentences, reading time, date added, annotation count, progress, delete
// button. The rest of the list, as in the app, waits for a scroll.
'use strict';

const SHOWN = 100;
const short = (id) => [...id].slice(0, 16).join('');

function counts() {
  const kept = localStorage.getItem('marginalia:counts');
  if (kept) { try { return JSON.parse(kept); } catch (_) { /* counted below */ } }
  const out = {};
  for (const k of Object.keys(localStorage)) {
    if (!k.startsWith('marginalia:a:')) continue;
    const s = k.slice(13, k.indexOf(':', 13));
    out[s] = (out[s] || 0) + 1;
  }
  return out;
}

function render() {
  const index = JSON.parse(localStorage.getItem('marginalia:index') || '{"entries":[]}');
  const entries = Array.isArray(index) ? index : (index.entries || []);
  const n = counts();
  const ul = document.createElement('ul');
  ul.className = 'library-list';
  const date = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
  for (const e of entries.slice(0, SHOWN)) {
    const s = short(e.id);
    const reading = localStorage.getItem(`marginalia:r:${s}`);
    const li = document.createElement('li');
    li.className = 'library-item';
    li.dataset.testid = 'library-item';
    li.dataset.articleId = e.id;
    const a = document.createElement('a');
    a.className = 'item-title';
    a.href = `#/read/${e.id}`;
    a.textContent = e.title;
    const meta = document.createElement('div');
    meta.className = 'item-meta';
    const span = (text, testid) => { const x = document.createElement('span'); if (testid) x.dataset.testid = testid; x.textContent = text; return x; };
    const count = n[s] || 0;
    let progress = '';
    if (reading) { const [, sentence] = JSON.parse(reading); progress = ` · ${Math.round((100 * (sentence + 1)) / Math.max(1, e.sentences))} % read`; }
    meta.append(span(`${e.words} words`, 'word-count'), ' · ', span(`${e.sentences} sentences`, 'sentence-count'), ' · ',
      span(`${Math.max(1, Math.ceil(e.words / 238))} min read`, 'reading-time'), ' · ', span(`added ${date.format(new Date(e.added))}`),
      span(count ? ` · ${count} annotations` : '', 'annotation-count'), span(progress, 'reading-progress'),
      span(e.source_name ? ` · ${e.source_name}` : '', null));
    const actions = document.createElement('div');
    actions.className = 'item-actions';
    const del = document.createElement('button');
    del.className = 'quiet';
    del.dataset.testid = 'delete-article';
    del.setAttribute('aria-label', `Delete ${e.title}`);
    del.textContent = 'Delete';
    actions.append(del);
    li.append(a, meta, actions);
    ul.append(li);
  }
  const h = document.createElement('h1');
  h.id = 'library-heading';
  h.textContent = `Library (${entries.length})`;
  document.getElementById('main').append(h, ul);
}

addEventListener('DOMContentLoaded', render);
