// Trunk post_build hook (Trunk.toml): starts the slow parts of the app's
// start earlier than Trunk's loader would.
// - The wasm is compiled while the page is still being parsed, instead of
//   after the page, its stylesheet and every JavaScript module have loaded
//   (Trunk's loader asks for it only then). A classic inline script, right
//   after Trunk's preload of the wasm, starts WebAssembly.compileStreaming
//   on a request that takes over the preload's bytes; the loader
//   instantiates that module, or fetches the wasm itself as before when
//   the early compile failed. The preload keeps its place (the browser
//   starts it before the parser gets there) but loses its integrity:
//   taking over bytes with one means checking their SHA-384 (1.7 MB, up
//   to 9 ms of the main thread while the page is parsed), and Trunk's own
//   loader never used the preload (its fetch carries no integrity), so
//   nothing was checked before either. The JavaScript modules keep theirs.
// - IndexedDB is opened as soon as the loader runs, while the wasm is
//   compiled and instantiated: the loader calls idb_open_early from the
//   storage code's own JavaScript (src/storage/idb.rs), and the app's
//   first open takes that request over.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('early-wasm.mjs runs as a Trunk hook (TRUNK_STAGING_DIR is not set)');
const file = path.join(dir, 'index.html');
let html = fs.readFileSync(file, 'utf8');
const init = /init\(\{ module_or_path: '([^']+_bg\.wasm)' \}\)/;
const m = html.match(init);
if (!m) throw new Error(`early-wasm.mjs: Trunk's loader call was not found in ${file}`);
const wasm = m[1];
const preload = html.match(new RegExp(`<link rel="preload" href="${wasm.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>`));
if (!preload) throw new Error(`early-wasm.mjs: no preload of ${wasm} in ${file}`);
html = html.replace(init, `init({ module_or_path: (self.__marginaliaWasm || Promise.resolve(null)).then((m) => m || fetch('${wasm}')) })`);
const early = `<script>try { self.__marginaliaWasm = WebAssembly.compileStreaming(fetch('${wasm}')).catch(() => null); } catch (e) {}</script>`;
html = html.replace(preload[0], preload[0].replace(/ integrity="[^"]*"/, '') + early);
const snippets = path.join(dir, 'snippets');
const idb = fs.existsSync(snippets)
  ? fs.readdirSync(snippets, { recursive: true }).map(String).filter((f) => f.endsWith('.js'))
      .find((f) => fs.readFileSync(path.join(snippets, f), 'utf8').includes('export function idb_open_early'))
  : undefined;
if (!idb) throw new Error(`early-wasm.mjs: no snippet in ${snippets} exports idb_open_early`);
const loader = /import init, \* as bindings from '([^']*\/)[^'\/]+\.js';\n/;
const l = html.match(loader);
if (!l) throw new Error(`early-wasm.mjs: Trunk's loader import was not found in ${file}`);
html = html.replace(loader, `${l[0]}import { idb_open_early } from '${l[1]}snippets/${idb.split(path.sep).join('/')}';\nidb_open_early();\n`);
fs.writeFileSync(file, html);
