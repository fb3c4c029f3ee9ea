// Deterministic generated data for the benchmarks and tests: articles as
// a complete Marginalia backup stores them (blocks, sentence spans, the
// content fingerprint) with sentence annotations on them.
import crypto from 'node:crypto';

const WORDS = 2000;
const PER_ARTICLE = 10;

export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const VOCAB = 'river town market bridge winter report council plan school field letter window morning evening station road budget worker family garden harbour ferry island village coast storm rain change growth record price'.split(' ');

/** One article as the app stores it, with its annotations, ASCII only. */
export function libraryEntry(n, r, { words = WORDS, perArticle = PER_ARTICLE, vocab = VOCAB, pick = (k) => Math.floor(r() * k) } = {}) {
  const blocks = [{ kind: 'heading', level: 1, text: `Report number ${n} on the towns`, sentences: [[0, `Report number ${n} on the towns`.length]] }];
  let count = 0;
  while (count < words) {
    const sentences = [];
    for (let k = 0; k < 5; k++) {
      const len = 10 + Math.floor(r() * 15);
      const w = Array.from({ length: len }, () => vocab[pick(vocab.length)]);
      w[0] = w[0][0].toUpperCase() + w[0].slice(1);
      sentences.push(`${w.join(' ')}.`);
      count += len;
    }
    const text = sentences.join(' ');
    let at = 0;
    const spans = sentences.map((s) => { const span = [at, at + s.length]; at += s.length + 1; return span; });
    blocks.push({ kind: 'paragraph', text, sentences: spans });
  }
  const full = blocks.map((b) => b.text).join('\n\n');
  const id = crypto.createHash('sha256').update(full).digest('hex');
  const places = [];
  let base = 0;
  for (const b of blocks) {
    for (const [s, e] of b.sentences) places.push([base + s, base + e]);
    base += b.text.length + 2;
  }
  const annotations = [];
  const used = new Set();
  for (let k = 0; k < perArticle; k++) {
    let i;
    do { i = 1 + Math.floor(r() * (places.length - 1)); } while (used.has(i));
    used.add(i);
    const [start, end] = places[i];
    const at = new Date(Date.UTC(2026, 10, 1) + (n * perArticle + k) * 1000).toISOString();
    annotations.push({
      id: `00000000-0000-4000-8000-${(n * perArticle + k).toString(16).padStart(12, '0')}`,
      target: {
        kind: 'sentences', sentences: [i, i],
        quote: { exact: full.slice(start, end), prefix: full.slice(Math.max(0, start - 32), start), suffix: full.slice(end, end + 32) },
        position: { start, end },
      },
      colour: ['yellow', 'green', 'blue'][k % 3], tags: k % 3 === 0 ? ['towns'] : [], note: k % 4 === 0 ? `Note ${k}.` : '',
      created: at, updated: at,
    });
  }
  return {
    id, title: blocks[0].text, sourceName: `report-${n}.txt`, added: new Date(Date.UTC(2026, 0, 1) + n * 60000).toISOString(),
    words: full.split(/\s+/).length, sentences: places.length, text: { blocks }, annotations,
  };
}


/**
 * A vocabulary of `size` made-up words (syllables, some accented), for
 * texts whose words are as varied as prose: picked with `zipf`, a few
 * words are common and most are rare.
 */
export function wordList(size, r) {
  const syll = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vé', 'bri', 'dan', 'fel', 'gor', 'hul', 'jas', 'kré', 'mon', 'pal', 'quo', 'ris', 'sté', 'tor', 'ul', 'var', 'wen', 'xi', 'yo', 'zu', 'cé', 'ça', 'ön'];
  const out = new Set();
  while (out.size < size) {
    const n = 1 + Math.floor(r() * 4);
    out.add(Array.from({ length: n }, () => syll[Math.floor(r() * syll.length)]).join(''));
  }
  return [...out];
}

/** An index into a list of `k` with a Zipf-like skew (rank ~ u³). */
export const zipf = (r) => (k) => Math.min(k - 1, Math.floor(k * r() ** 3));

/** Imports `articles` generated articles through the app's import of complete backups, 500 a file. */
export async function importGenerated(page, importFiles, count, make, onFile = () => {}) {
  const PER_FILE = 500;
  for (let f = 0; f * PER_FILE < count; f++) {
    const n = Math.min(PER_FILE, count - f * PER_FILE);
    const articles = Array.from({ length: n }, (_, k) => make(f * PER_FILE + k));
    const file = JSON.stringify({ format: 'marginalia', version: 1, exported: '2026-11-30T00:00:00Z', app: { name: 'bench', version: '0' }, complete: true, articles, tagColours: {} });
    await importFiles(page, [{ name: `backup-${f}.json`, mimeType: 'application/json', buffer: Buffer.from(file) }]);
    await page.locator('[data-testid="import-confirm"]').click({ timeout: 300000 });
    await page.waitForFunction(() => !document.querySelector('[data-testid="transfer-dialog"]'), null, { timeout: 600000 });
    const notice = await page.locator('[data-testid="notice"]', { hasText: new RegExp(`backup-${f}\\.json`) }).last().textContent({ timeout: 600000 });
    if (!/^Imported/.test(notice)) return `file ${f + 1}: ${notice.slice(0, 160)}`;
    onFile(f, n, file.length);
  }
  return null;
}
