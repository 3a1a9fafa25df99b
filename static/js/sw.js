// docbai's service worker: the articles a reader opened, and the audio they saved, read without a network.
// Served at /sw.js behind one line the server writes, DOCBAI: this version's fingerprinted files, the offline
// page, where the list of kept articles lives, how many are kept, and the site's routes the worker tells apart
// (regular expressions made from Flask's url_map, so no path is written here by hand). A new stylesheet, script
// or route changes that line, so the browser installs the new worker, whose cache (named by the version)
// replaces the old one. A classic script, not a module: Firefox and older phones run no module service workers.
"use strict";

var STATIC_CACHE = "docbai-static-" + DOCBAI.version;
var PAGES_CACHE = "docbai-pages"; // article HTML and the list of kept articles; outlives versions
var MEDIA_CACHE = "docbai-media"; // the images of kept articles
var AUDIO_CACHE = "docbai-audio"; // whole MP3s of the articles saved with "Lưu để nghe/đọc sau"
var PAGE_TIMEOUT_MS = 3000; // a weak link gets the kept copy after this; the network answer still updates it
var AUDIO_RETRY_MS = 3000;
var AUDIO_ATTEMPTS = 40;
var ARTICLE_PATH = new RegExp(DOCBAI.routes.article);
var AUDIO_PATH = new RegExp(DOCBAI.routes.audio); // the whole MP3
var MANIFEST_PATH = new RegExp(DOCBAI.routes.manifest); // the player's segment list, kept beside the saved MP3
var MEDIA_PATH = new RegExp(DOCBAI.routes.media); // stored images and their smaller copies
var STATIC_PATH = new RegExp(DOCBAI.routes.static);
var GONE = 410; // an article the newsroom unpublished: dropped from what this browser kept
// The worker's own requests are not a reader opening the page: the server does not count them as views.
var QUIET = { headers: { Purpose: "prefetch" } };

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE).then(function (cache) {
      return cache.addAll(DOCBAI.precache.concat([new Request(DOCBAI.offlinePage, { cache: "reload" })]));
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("docbai-static-") === 0 && name !== STATIC_CACHE;
      }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf(DOCBAI.newsroom) === 0) return; // the newsroom: never from or into a cache here
  if (url.pathname === DOCBAI.savedList) {
    event.respondWith(readList().then(function (entries) {
      return new Response(JSON.stringify(entries), { headers: { "Content-Type": "application/json" } });
    }));
    event.waitUntil(dropGoneArticles());
  } else if (request.mode === "navigate") {
    event.respondWith(page(event, url));
  } else if (STATIC_PATH.test(url.pathname)) {
    event.respondWith(staticFile(request, url));
  } else if (MEDIA_PATH.test(url.pathname)) {
    event.respondWith(fromCacheOrNetwork(MEDIA_CACHE, request));
  } else if (AUDIO_PATH.test(url.pathname) && !url.searchParams.has("tai_ve")) {
    event.respondWith(audio(request));
  } else if (MANIFEST_PATH.test(url.pathname)) {
    // Its ?v= names the article's sentences: a kept copy under the same URL is still right, online or not.
    event.respondWith(fromCacheOrNetwork(PAGES_CACHE, request));
  }
});

// Pages: the network first, so an edited article shows its new text; the kept copy when the network fails
// or is slower than PAGE_TIMEOUT_MS; the offline page for anything never kept.
function page(event, url) {
  var path = url.pathname;
  var isArticle = ARTICLE_PATH.test(path);
  var network = fetch(event.request);
  // Registered before the page reads the response, so the copy is taken first; kept even if the answer
  // comes after the kept copy was shown.
  event.waitUntil(network.then(function (response) {
    if (isArticle && response.status === GONE) return forgetArticle(path);
    if (response.status !== 200 || response.redirected || !isHtml(response)) return null;
    if (isArticle) return keepPage(path, response.clone());
    if (path === DOCBAI.offlinePage) return putIn(STATIC_CACHE, path, response.clone());
    return null;
  }).catch(function () {}));
  var kept = isArticle ? match(PAGES_CACHE, path) : Promise.resolve(undefined);
  return kept.then(function (copy) {
    if (!copy) return network.catch(offlinePage);
    var slow = new Promise(function (resolve) { setTimeout(resolve, PAGE_TIMEOUT_MS); });
    return Promise.race([network, slow]).then(function (response) {
      return response || copy;
    }, function () {
      return copy;
    });
  });
}

function offlinePage() {
  return match(STATIC_CACHE, DOCBAI.offlinePage).then(function (response) {
    return response || Response.error();
  });
}

// Fingerprinted files never change under one URL. A page kept before a new version asks for the old URL:
// it gets the file of the same name from this version rather than nothing.
function staticFile(request, url) {
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (hit) {
      return hit || fetch(request).catch(function () {
        return cache.match(url.pathname, { ignoreSearch: true, ignoreVary: true }).then(function (same) {
          return same || Response.error();
        });
      });
    });
  });
}

function fromCacheOrNetwork(name, request) {
  return match(name, request).then(function (hit) {
    return hit || fetch(request);
  });
}

// A saved MP3 comes from the cache, also online (it costs no data), in the byte ranges the player asks for.
function audio(request) {
  return match(AUDIO_CACHE, request.url).then(function (hit) {
    if (!hit) return fetch(request);
    return hit.blob().then(function (blob) {
      return rangeResponse(request.headers.get("Range"), blob);
    });
  });
}

function rangeResponse(range, blob) {
  var size = blob.size;
  var headers = { "Content-Type": "audio/mpeg", "Accept-Ranges": "bytes" };
  var parts = /^bytes=(\d*)-(\d*)$/.exec((range || "").trim());
  if (!parts || (parts[1] === "" && parts[2] === "")) {
    headers["Content-Length"] = String(size);
    return new Response(blob, { status: 200, headers: headers });
  }
  var start;
  var end;
  if (parts[1] === "") {
    start = Math.max(0, size - Number(parts[2]));
    end = size - 1;
  } else {
    start = Number(parts[1]);
    end = parts[2] === "" ? size - 1 : Math.min(Number(parts[2]), size - 1);
  }
  if (start >= size || start > end) {
    return new Response(null, { status: 416, headers: { "Content-Range": "bytes */" + size } });
  }
  headers["Content-Range"] = "bytes " + start + "-" + end + "/" + size;
  headers["Content-Length"] = String(end - start + 1);
  return new Response(blob.slice(start, end + 1, "audio/mpeg"), { status: 206, statusText: "Partial Content", headers: headers });
}

// Messages from offline.js: "keep" after an article page loads (it fetches the page itself when the page was
// not served through this worker, on the first visit), with the images it shows; "save" for the whole MP3 and
// the player's segment list, so that offline the player finds the article's sentences and the saved sound.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  var reply = event.ports && event.ports[0];
  var work;
  if (data.type === "keep" && ARTICLE_PATH.test(data.path || "")) {
    work = keepArticle(data.path, data.fetchPage, data.images || []);
  } else if (data.type === "save" && ARTICLE_PATH.test(data.path || "") && isOwnUrl(data.audio, AUDIO_PATH)) {
    work = keepArticle(data.path, true, []).then(function () {
      return saveAudio(data.path, data.audio);
    }).then(function (result) {
      if (!isOwnUrl(data.manifest, MANIFEST_PATH)) return result;
      return saveManifest(data.path, data.manifest).then(function () { return result; });
    });
  } else {
    return;
  }
  event.waitUntil(work.then(function (result) {
    if (reply) reply.postMessage({ ok: true, result: result || null });
  }, function (error) {
    if (reply) reply.postMessage({ ok: false, error: String(error && error.message || error) });
  }));
});

function isOwnUrl(value, pathPattern) {
  try {
    var url = new URL(value, self.location.origin);
    return url.origin === self.location.origin && pathPattern.test(url.pathname);
  } catch (error) {
    return false;
  }
}

function keepArticle(path, fetchPage, images) {
  var pageKept = fetchPage
    ? fetch(path, QUIET).then(function (response) {
        if (response.status !== 200 || !isHtml(response)) throw new Error("page " + response.status);
        return keepPage(path, response);
      })
    : Promise.resolve();
  return pageKept.then(function () {
    return Promise.all(images.filter(function (src) { return isOwnUrl(src, MEDIA_PATH); }).map(function (src) {
      return keepImage(path, src);
    }));
  });
}

// The page goes in the cache under its path (without ?trang=), its title in the list; the list then keeps
// only the newest articles.
function keepPage(path, response) {
  return response.clone().text().then(function (html) {
    return putIn(PAGES_CACHE, path, response).then(function () {
      return changeList(function (entries) {
        var entry = entryFor(entries, path);
        entry.title = titleOf(html) || entry.title || path;
        entry.keptAt = Date.now();
      });
    });
  });
}

function keepImage(path, src) {
  var url = new URL(src, self.location.origin).href;
  return match(MEDIA_CACHE, url).then(function (hit) {
    if (hit) return null;
    return fetch(url).then(function (response) {
      if (response.status !== 200) return null;
      return putIn(MEDIA_CACHE, url, response);
    });
  }).then(function () {
    return changeList(function (entries) {
      var entry = entryFor(entries, path);
      if (entry.images.indexOf(url) < 0) entry.images.push(url);
    });
  });
}

// Only a whole MP3 is kept: a first request may be streamed while the audio is made (no length, no ranges),
// so that one is dropped and the file asked for again once HEAD says it is ready.
function saveAudio(path, audioUrl) {
  var url = new URL(audioUrl, self.location.origin).href;
  return completeAudio(url, 0).then(function (blob) {
    var response = new Response(blob, { headers: { "Content-Type": "audio/mpeg", "Content-Length": String(blob.size) } });
    return putIn(AUDIO_CACHE, url, response).then(function () {
      return changeList(function (entries) {
        var entry = entryFor(entries, path);
        if (entry.audio && entry.audio !== url) caches.open(AUDIO_CACHE).then(function (cache) { cache.delete(entry.audio); });
        entry.audio = url;
        entry.keptAt = Date.now();
      });
    }).then(function () {
      return { bytes: blob.size };
    });
  });
}

// The segment list is kept under its own URL (with ?v=), so the player's request finds it as it is.
function saveManifest(path, manifestUrl) {
  var url = new URL(manifestUrl, self.location.origin).href;
  return fetch(url, { cache: "no-cache" }).then(function (response) {
    if (response.status !== 200) throw new Error("segment list " + response.status);
    return putIn(PAGES_CACHE, url, response);
  }).then(function () {
    return changeList(function (entries) {
      var entry = entryFor(entries, path);
      if (entry.manifest && entry.manifest !== url) caches.open(PAGES_CACHE).then(function (cache) { cache.delete(entry.manifest); });
      entry.manifest = url;
    });
  });
}

function completeAudio(url, attempt) {
  return fetch(url, QUIET).then(function (response) {
    var length = Number(response.headers.get("Content-Length"));
    var type = response.headers.get("Content-Type") || "";
    if (response.status === 200 && length > 0 && type.indexOf("audio/mpeg") === 0) {
      return response.blob().then(function (blob) {
        if (blob.size !== length) throw new Error("incomplete audio");
        return blob;
      });
    }
    if (response.body) response.body.cancel();
    if ([200, 202, 429, 503].indexOf(response.status) < 0) throw new Error("audio " + response.status);
    return whenReady(url, attempt + 1).then(function (next) {
      return completeAudio(url, next);
    });
  });
}

function whenReady(url, attempt) {
  if (attempt >= AUDIO_ATTEMPTS) return Promise.reject(new Error("audio not ready"));
  return new Promise(function (resolve) { setTimeout(resolve, AUDIO_RETRY_MS); }).then(function () {
    return fetch(url, { method: "HEAD" });
  }).then(function (response) {
    return response.status === 200 ? attempt : whenReady(url, attempt + 1);
  });
}

// The list of kept articles, newest first: { path, title, keptAt, images, audio, manifest }. Changes are made one at
// a time, so two pages loading at once cannot lose each other's entry.
var listQueue = Promise.resolve();

function readList() {
  return match(PAGES_CACHE, DOCBAI.savedList).then(function (response) {
    return response ? response.json() : [];
  }).catch(function () {
    return [];
  });
}

function changeList(change) {
  var done = listQueue.then(function () {
    return readList().then(function (entries) {
      change(entries);
      entries.sort(function (a, b) { return b.keptAt - a.keptAt; });
      var dropped = overLimit(entries);
      var body = JSON.stringify(entries);
      return putIn(PAGES_CACHE, DOCBAI.savedList, new Response(body, { headers: { "Content-Type": "application/json" } }))
        .then(function () { return forget(dropped, entries); });
    });
  });
  listQueue = done.catch(function () {});
  return done;
}

function entryFor(entries, path) {
  for (var i = 0; i < entries.length; i++) {
    if (entries[i].path === path) return entries[i];
  }
  var entry = { path: path, title: "", keptAt: Date.now(), images: [], audio: null };
  entries.push(entry);
  return entry;
}

// Over the limit, the oldest article opened without being saved goes first; saved ones only when all are.
function overLimit(entries) {
  var dropped = [];
  while (entries.length > DOCBAI.keptArticles) {
    var index = -1;
    for (var i = entries.length - 1; i >= 0; i--) {
      if (!entries[i].audio) { index = i; break; }
    }
    dropped.push(entries.splice(index < 0 ? entries.length - 1 : index, 1)[0]);
  }
  return dropped;
}

function forget(dropped, remaining) {
  if (!dropped.length) return Promise.resolve();
  var stillShown = {};
  remaining.forEach(function (entry) {
    entry.images.forEach(function (url) { stillShown[url] = true; });
  });
  return Promise.all([caches.open(PAGES_CACHE), caches.open(MEDIA_CACHE), caches.open(AUDIO_CACHE)]).then(function (open) {
    return Promise.all(dropped.map(function (entry) {
      var removals = [open[0].delete(entry.path)];
      entry.images.forEach(function (url) {
        if (!stillShown[url]) removals.push(open[1].delete(url));
      });
      if (entry.audio) removals.push(open[2].delete(entry.audio));
      if (entry.manifest) removals.push(open[0].delete(entry.manifest));
      return Promise.all(removals);
    }));
  });
}

// While the list is shown, each kept article is asked for (HEAD, not a view): one the newsroom unpublished
// answers 410 and is gone from the list the next time it is shown. Offline, nothing is asked and nothing goes.
function dropGoneArticles() {
  return readList().then(function (entries) {
    return Promise.all(entries.map(function (entry) {
      return fetch(entry.path, { method: "HEAD", headers: QUIET.headers }).then(function (response) {
        return response.status === GONE ? forgetArticle(entry.path) : null;
      }, function () { return null; });
    }));
  });
}

// An unpublished article leaves the list of kept ones, with its page, images and audio.
function forgetArticle(path) {
  return changeList(function (entries) {
    for (var i = entries.length - 1; i >= 0; i--) {
      if (entries[i].path === path) forget(entries.splice(i, 1), entries);
    }
  });
}

function match(name, request) {
  return caches.open(name).then(function (cache) {
    return cache.match(request, { ignoreVary: true, ignoreSearch: typeof request === "string" && request.charAt(0) === "/" });
  });
}

function putIn(name, key, response) {
  return caches.open(name).then(function (cache) {
    return cache.put(key, response);
  });
}

function isHtml(response) {
  return (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
}

// The title from the page's Open Graph tag, with the entities Jinja writes undone.
function titleOf(html) {
  var found = /<meta property="og:title" content="([^"]*)">/.exec(html);
  if (!found) return "";
  return found[1].replace(/&#34;|&quot;/g, "\"").replace(/&#39;/g, "'").replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
