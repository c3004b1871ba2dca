// Linli's service worker: keeps the app shell so the app opens with no network, and lets a new
// deploy take over only when the resident chooses "reload to update".
//
// `cargo xtask build-site` writes the version and the list of files into the copy in dist/;
// this source file is never served as is.
const VERSION = "__LINLI_VERSION__";
const SHELL = __LINLI_SHELL__;
const CACHE = `linli-shell-${VERSION}`;

self.addEventListener("install", (event) => {
  // Everything or nothing: a half-cached shell would not start offline.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("linli-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  // Every app route is the same page: answer from the cached shell at once (the app then draws
  // from IndexedDB), and fall back to the network only if the shell is missing.
  if (request.mode === "navigate") {
    event.respondWith(caches.match("/index.html", { cacheName: CACHE }).then((hit) => hit || fetch(request)));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
  }
});
