// Trunk post_build hook (Trunk.toml): starts compiling the wasm while the
// page is still being parsed, instead of after the page, its stylesheet
// and every JavaScript module have loaded (Trunk's loader asks for the wasm
// only then). A classic inline script, right after Trunk's preload of the
// wasm, starts WebAssembly.compileStreaming with the preload's own request
// (same integrity, so the preloaded bytes are used, not fetched again);
// the loader instantiates that module, or fetches the wasm itself as
// before when the early compile failed or did not run.
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
const integrity = (preload[0].match(/integrity="([^"]+)"/) || [])[1] || '';
html = html.replace(init, `init({ module_or_path: (self.__marginaliaWasm || Promise.resolve(null)).then((m) => m || fetch('${wasm}')) })`);
const early = `<script>try { self.__marginaliaWasm = WebAssembly.compileStreaming(fetch('${wasm}', { integrity: '${integrity}', credentials: 'same-origin' })).catch(() => null); } catch (e) {}</script>`;
html = html.replace(preload[0], preload[0] + early);
fs.writeFileSync(file, html);
