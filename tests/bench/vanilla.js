// The vanilla-JS reference page for scripts/bench (never shipped): it reads
// the article and annotations the app stored, from the same storage, and
// renders the same reader DOM by hand — one span per sentence with
// data-highlight, data-overlap, data-tags and aria-description, <mark>s
// for partial spans, note markers, content-visibility per block (the app's
// stylesheet), and the first 60 panel entries under the panel's count and
// save state. A click selects a sentence and a digit key colours it,
// updates the count and the save state, and saves it, as the app does.
// Whatever the app is measured doing, this page does the same work the
// plainest way.
'use strict';

const COLOURS = ['yellow', 'green', 'blue', 'pink', 'purple', 'orange'];

/** Reads the article and its annotations as the app stored them. */
async function readStored(id) {
  const schema = Number(localStorage.getItem('marginalia:schema') || '0');
  if (schema <= 2) {
    const article = JSON.parse(localStorage.getItem(`marginalia:article:${id}`));
    const raw = localStorage.getItem(`marginalia:annotations:${id}`);
    const annotations = raw ? JSON.parse(raw).annotations : [];
    return { article, annotations };
  }
  // Schema 3 and 4: the article in IndexedDB (4), else under its key;
  // one record per annotation.
  const body = await new Promise((resolve) => {
    const r = indexedDB.open('marginalia');
    r.onerror = () => resolve(null);
    r.onsuccess = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains('bodies')) { db.close(); resolve(null); return; }
      const g = db.transaction('bodies').objectStore('bodies').get(id);
      g.onsuccess = () => { db.close(); resolve(g.result ?? null); };
      g.onerror = () => { db.close(); resolve(null); };
    };
  });
  const article = JSON.parse(body ?? localStorage.getItem(`marginalia:article:${id}`));
  const text = article.blocks.map((b) => b.text).join('\n\n');
  const prefix = `marginalia:a:${id.slice(0, 16)}:`;
  const annotations = [];
  for (const k of Object.keys(localStorage)) {
    if (!k.startsWith(prefix)) continue;
    const [, start, end, code, created, updated, tags = [], note = ''] = JSON.parse(localStorage.getItem(k));
    annotations.push({
      id: k.slice(prefix.length), colour: COLOURS[(code % 10) - 1],
      target: { kind: code > 10 ? 'span' : 'sentences', position: { start, end }, quote: { exact: text.slice(start, end) } },
      tags, note, created: new Date(created).toISOString(), updated: new Date(updated).toISOString(),
    });
  }
  return { article, annotations };
}

function sentencePlaces(article) {
  const places = [];
  let base = 0;
  article.blocks.forEach((b, bi) => {
    for (const [s, e] of b.sentences) places.push({ block: bi, start: base + s, end: base + e });
    base += b.text.length + 2;
  });
  return places;
}

function firstAtOrAfter(places, pos) {
  let lo = 0;
  let hi = places.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (places[m].end <= pos) lo = m + 1; else hi = m; }
  return lo;
}

function marksOf(places, annotations) {
  const marks = places.map(() => ({ colours: [], parts: [], tags: [], note: false }));
  const ordered = [...annotations].sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
  for (const a of ordered) {
    const { start, end } = a.target.position;
    for (let i = firstAtOrAfter(places, start); i < places.length && places[i].start < end; i++) {
      const p = places[i];
      const m = marks[i];
      if (start <= p.start && p.end <= end) m.colours.unshift(a.colour);
      else m.parts.push([Math.max(start, p.start) - p.start, Math.min(end, p.end) - p.start, a.colour]);
      for (const t of a.tags) if (!m.tags.some((x) => x.toLowerCase() === t.toLowerCase())) m.tags.push(t);
      if ((i + 1 >= places.length || places[i + 1].start >= end) && a.note.trim()) m.note = true;
    }
  }
  return marks;
}

function describe(m) {
  const parts = [];
  if (m.colours.length) parts.push(`highlighted ${m.colours[0]}`);
  else if (m.parts.length) parts.push(`partly highlighted ${m.parts[0][2]}`);
  if (m.tags.length) parts.push(`tags: ${m.tags.join(', ')}`);
  if (m.note) parts.push('has a note');
  return parts.join('; ');
}

function paintSentence(el, text, m) {
  if (m.colours.length) el.dataset.highlight = m.colours[0]; else delete el.dataset.highlight;
  if (m.colours.length > 1) el.dataset.overlap = m.colours[1]; else delete el.dataset.overlap;
  if (m.tags.length) el.dataset.tags = m.tags.join(', '); else delete el.dataset.tags;
  const d = describe(m);
  if (d) el.setAttribute('aria-description', d); else el.removeAttribute('aria-description');
  el.textContent = '';
  if (!m.parts.length) { el.textContent = text; return; }
  let at = 0;
  for (const [s, e, c] of [...m.parts].sort((x, y) => x[0] - y[0])) {
    if (s < at) continue;
    if (s > at) el.append(text.slice(at, s));
    const mark = document.createElement('mark');
    mark.dataset.highlight = c;
    mark.textContent = text.slice(s, e);
    el.append(mark);
    at = e;
  }
  if (at < text.length) el.append(text.slice(at));
}

const TAGS = { paragraph: 'p', listitem: 'li', quote: 'blockquote', code: 'pre' };

/** Opens the article: reads storage, builds the reader, returns when built. */
window.openArticle = async function openArticle(id) {
  const { article, annotations } = await readStored(id);
  const places = sentencePlaces(article);
  const marks = marksOf(places, annotations);
  const root = document.getElementById('root');
  root.textContent = '';
  const layout = document.createElement('div');
  layout.className = 'reader-layout';
  const reader = document.createElement('article');
  reader.className = 'reader';
  reader.dataset.testid = 'reader';
  const h1 = document.createElement('h1');
  h1.textContent = article.title;
  reader.append(h1);
  const body = document.createElement('div');
  body.className = 'reader-body';
  const spans = [];
  let g = 0;
  article.blocks.forEach((b, bi) => {
    const kind = typeof b.kind === 'string' ? b.kind : Object.keys(b.kind)[0];
    const el = document.createElement(kind === 'heading' ? 'h2' : TAGS[kind] || 'p');
    el.dataset.paragraph = bi;
    let at = 0;
    for (const [s, e] of b.sentences) {
      if (s > at) el.append(b.text.slice(at, s));
      const span = document.createElement('span');
      span.className = 's';
      span.dataset.sentenceId = g;
      span.tabIndex = g === 0 ? 0 : -1;
      paintSentence(span, b.text.slice(s, e), marks[g]);
      spans.push({ span, text: b.text.slice(s, e) });
      el.append(span);
      if (marks[g].note) {
        const n = document.createElement('span');
        n.className = 'note-mark';
        n.dataset.testid = 'note-marker';
        n.setAttribute('role', 'img');
        n.setAttribute('aria-label', 'Has a note');
        el.append(n);
      }
      at = e;
      g++;
    }
    if (at < b.text.length) el.append(b.text.slice(at));
    body.append(el);
  });
  reader.append(body);
  layout.append(reader);
  const panel = document.createElement('aside');
  panel.className = 'panel';
  const ol = document.createElement('ol');
  ol.className = 'entries';
  const ordered = [...annotations].sort((a, b) => a.target.position.start - b.target.position.start || b.target.position.end - a.target.position.end);
  for (const a of ordered.slice(0, 60)) {
    const li = document.createElement('li');
    li.className = 'entry';
    li.dataset.testid = 'annotation-item';
    li.dataset.annotationId = a.id;
    const q = document.createElement('q');
    q.className = 'entry-quote';
    q.textContent = a.target.quote ? a.target.quote.exact : '';
    li.append(q);
    if (a.note) { const n = document.createElement('span'); n.className = 'entry-note'; n.textContent = a.note; li.append(n); }
    ol.append(li);
  }
  const head = document.createElement('div');
  head.className = 'panel-head';
  const status = document.createElement('span');
  status.className = 'save-state';
  status.setAttribute('aria-live', 'polite');
  status.textContent = 'Saved';
  head.append(status);
  const count = document.createElement('p');
  count.className = 'filter-count';
  count.textContent = `${annotations.length} annotations`;
  panel.append(head, count, ol);
  layout.append(panel);
  root.append(layout);

  // Click selects a sentence; a digit colours the selection and saves it.
  let selected = null;
  body.addEventListener('click', (ev) => {
    const s = ev.target.closest('[data-sentence-id]');
    if (!s) return;
    if (selected) selected.classList.remove('selected');
    selected = s;
    s.classList.add('selected');
  });
  window.addEventListener('keydown', (ev) => {
    const k = COLOURS[Number(ev.key) - 1];
    if (!k || !selected) return;
    const i = Number(selected.dataset.sentenceId);
    const p = places[i];
    let a = annotations.find((x) => x.target.position.start === p.start && x.target.position.end === p.end);
    const now = new Date().toISOString();
    if (!a) {
      a = { id: crypto.randomUUID(), article: id, target: { kind: 'sentences', sentences: [i, i], position: { start: p.start, end: p.end } }, colour: k, tags: [], note: '', created: now, updated: now };
      annotations.push(a);
      count.textContent = `${annotations.length} annotations`;
    }
    // The panel says a save is due, and then that it was made, as the app's does.
    status.textContent = 'Saving…';
    a.colour = k;
    a.updated = now;
    marks[i].colours = [k, ...marks[i].colours.filter((c) => c !== k)];
    paintSentence(selected, spans[i].text, marks[i]);
    // Saved one record, under a key of its own (the cheapest a save can be).
    setTimeout(() => {
      performance.mark('marginalia:save-start');
      localStorage.setItem(`vanilla:annotation:${a.id}`, JSON.stringify([1, p.start, p.end, 3, Date.parse(a.created), Date.now()]));
      performance.measure('marginalia:save', 'marginalia:save-start');
      status.textContent = 'Saved';
    }, 300);
  });
  return { sentences: places.length, annotations: annotations.length };
};
