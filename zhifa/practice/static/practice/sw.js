// Service worker of the practice pages: keeps the player and its assets available offline.
// Pages and the session API go network-first (fresh when online, cached when not); static files cache-first.
const CACHE = "zhifa-practice-v1";
const SHELL = ["/practice/", "/practice/play/", "/static/css/app.css", "/static/practice/player.js", "/static/vendor/htmx.min.js"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL).catch(() => {})).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // answers are queued by the page itself, never by the worker
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request).then((response) => {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(request, copy));
      return response;
    })));
    return;
  }
  if (url.pathname.startsWith("/practice/") || url.pathname.startsWith("/api/v1/practice/session")) {
    event.respondWith(fetch(request).then((response) => {
      if (response.ok) { const copy = response.clone(); caches.open(CACHE).then((cache) => cache.put(request, copy)); }
      return response;
    }).catch(() => caches.match(request, { ignoreSearch: false }).then((hit) => hit || caches.match("/practice/play/"))));
  }
});
