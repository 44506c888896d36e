// The scanner's service worker (/checkin/sw.js, scope /checkin/): it keeps the page and its
// files so that a reload without network still opens the scanner. Every request it serves is
// tried on the network first (a fresh page and fresh scripts whenever there is a network) and
// answered from its cache when the network fails or is too slow. The API is never cached:
// the page decides offline from its own check-in list.
const CACHE = {{ cache_name|safe }};
const PRECACHE = {{ precache|safe }};
const PAGE = {{ page|safe }};
const STATIC = {{ static_prefix|safe }};
const NETWORK_SECONDS = 4;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("sandali-checkin-") && name !== CACHE)
          .map((name) => caches.delete(name)),
      ))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), NETWORK_SECONDS * 1000);
  try {
    const response = await fetch(request, { signal: controller.signal });
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(key);
    if (cached) return cached;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === PAGE) {
    // The page's address with or without a query or fragment is the one cached page.
    event.respondWith(networkFirst(request, PAGE));
  } else if (url.pathname.startsWith(STATIC)) {
    event.respondWith(networkFirst(request, url.pathname));
  }
});
