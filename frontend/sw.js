// ThemeChat's service worker: keeps the app's own files so that it opens
// with no network (the conversations themselves are kept by the app, in
// IndexedDB). Pages are fetched from the network first, so a new release
// shows at once, and from the copy only when the network fails; the
// scripts, styles and WebAssembly are named after their content and never
// change, so they come from the copy first. The API and the socket are
// never touched.
const CACHE = "themechat-app";

// Installed: the page and every file it names, and nothing older (the
// names change with each release).
self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const page = await fetch("/", { cache: "no-cache" });
    const html = await page.clone().text();
    const files = [...html.matchAll(/(?:href|src)="(\/[^"]+)"/g)].map((m) => m[1]);
    await cache.addAll(files);
    await cache.put("/", page);
    const wanted = new Set(files.map((f) => new URL(f, self.location.origin).href));
    for (const request of await cache.keys()) {
      const url = new URL(request.url);
      if (url.pathname !== "/" && !wanted.has(url.href)) await cache.delete(request);
    }
    await self.skipWaiting();
  })());
});
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function keep(request, response) {
  if (response.ok) {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin
      || url.pathname.startsWith("/api/") || url.pathname === "/healthz") {
    return;
  }
  if (request.mode === "navigate") {
    // Every address of the app is the same page.
    event.respondWith(
      fetch(request)
        .then((response) => keep("/", response))
        .catch(() => caches.match("/").then((page) => page || Response.error())),
    );
    return;
  }
  event.respondWith(
    caches.match(request).then((hit) => hit || fetch(request).then((response) => keep(request, response))),
  );
});
