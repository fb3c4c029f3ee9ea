// Marginalia's service worker: keeps the app's own files, so that after one
// visit it opens, reads and annotates with no network. It never fetches
// from another origin, and it holds nothing of the reader's (articles and
// annotations stay in localStorage and IndexedDB).
//
// - A page load (navigation) asks the network first and keeps what it got;
//   offline, the kept page answers. A new version is therefore picked up
//   by the next load that reaches the network, and whole: the page names
//   its files by content hash, so an old page and its old files, or a new
//   page and its new files, are what load, never a mix.
// - Every other file of this origin comes from the cache when there,
//   else from the network (and is kept). Where the browser has static
//   routes, it does this itself for the files under the app's scope.
// - The page sends the list of the files it loaded (`cache`): they are
//   kept, and files no longer named are dropped.
const CACHE = 'marginalia-app';
const PAGE = new URL('./', self.registration.scope).href;
let updated = false;
// The keeping of the last page loaded (and whether it differs from the
// one kept before), done after the page has its answer.
let checked = Promise.resolve();

async function keepPage(res) {
  const cache = await caches.open(CACHE);
  const old = await cache.match(PAGE);
  const text = await res.clone().text();
  if (old && (await old.text()) !== text) updated = true;
  await cache.put(PAGE, res);
}

// Static routes, where the browser has them (InstallEvent.addRoutes): it
// then answers the app's files from the cache itself, without waiting for
// this worker to start and run its fetch handler (the 1.7 MB wasm arrived
// in 16 ms instead of 23, measured). Page loads still go to the fetch
// handler below, network first. The rules are tried in order; a file not
// in the cache comes from the network (and is kept when the page next
// sends its list). Elsewhere the fetch handler does all of it.
function addRoutes(e) {
  if (typeof e.addRoutes !== 'function' || typeof URLPattern !== 'function') return;
  const u = new URL(PAGE);
  const here = new URLPattern({ protocol: u.protocol.slice(0, -1), hostname: u.hostname, port: u.port, pathname: `${u.pathname}*` });
  e.waitUntil(e.addRoutes([
    { condition: { urlPattern: here, requestMode: 'navigate' }, source: 'fetch-event' },
    { condition: { urlPattern: here, requestMethod: 'GET' }, source: { cacheName: CACHE } },
  ]).catch(() => { /* no routes: the fetch handler answers everything */ }));
}

self.addEventListener('install', (e) => {
  addRoutes(e);
  self.skipWaiting();
});
// Navigation preload: the browser asks for the page while this worker
// starts, instead of after it has (where the browser offers it).
self.addEventListener('activate', (e) => e.waitUntil((async () => {
  if (self.registration.navigationPreload) await self.registration.navigationPreload.enable().catch(() => {});
  await self.clients.claim();
})()));

const same = (url) => new URL(url, self.location.href).origin === self.location.origin;

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET' || !same(req.url)) return;
  if (req.mode === 'navigate') {
    // Only the app's own page is kept (another page of this origin, say a
    // benchmark's, is left to the network).
    const u = new URL(req.url);
    if (u.origin + u.pathname !== PAGE && u.origin + u.pathname !== `${PAGE}index.html`) {
      if (e.preloadResponse) e.waitUntil(e.preloadResponse.catch(() => {}));
      return;
    }
    e.respondWith((async () => {
      try {
        const res = (await e.preloadResponse) || (await fetch(req));
        // Kept meanwhile: the page loads without waiting for the cache.
        if (res.ok) {
          checked = keepPage(res.clone()).catch(() => {});
          e.waitUntil(checked);
        }
        return res;
      } catch (err) {
        const kept = await (await caches.open(CACHE)).match(PAGE);
        if (kept) return kept;
        throw err;
      }
    })());
    return;
  }
  e.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const kept = await cache.match(req, { ignoreSearch: false });
    if (kept) return kept;
    const res = await fetch(req);
    if (res.ok && res.type === 'basic') await cache.put(req, res.clone());
    return res;
  })());
});

self.addEventListener('message', (e) => {
  const msg = e.data || {};
  if (msg.type === 'cache' && Array.isArray(msg.urls)) {
    e.waitUntil((async () => {
      await checked;
      const cache = await caches.open(CACHE);
      const urls = msg.urls.filter(same).map((u) => new URL(u, self.location.href).href);
      await Promise.all(urls.map(async (u) => {
        if (!(await cache.match(u))) {
          try { await cache.add(u); } catch (_) { /* offline now: kept as it is */ }
        }
      }));
      const keep = new Set([...urls, PAGE]);
      for (const req of await cache.keys()) if (!keep.has(req.url)) await cache.delete(req);
      e.source?.postMessage({ type: 'cached', updated });
      updated = false;
    })());
  }
});
