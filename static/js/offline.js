// Offline reading: registers the service worker (static/js/sw.js, served at /sw.js), tells it which article
// this page shows and which of its images to keep, offers "Lưu để nghe/đọc sau" (the article, its whole MP3
// and the player's segment list), and fills the offline page's list of kept articles. In data-saver mode nothing is fetched for
// offline use in the background: only what the page already shows is kept. Every URL comes from the page:
// the worker's and its scope from this script's element, the rest from the data-* of the elements it enhances.
import { announce } from "./shared/announce.js";

// A module has no document.currentScript: its element is found by what it carries.
var script = document.querySelector("script[data-worker]");
if ("serviceWorker" in navigator && script) start();

function start() {
  var savingData = document.documentElement.classList.contains("data-saver");

  navigator.serviceWorker.register(script.dataset.worker, { scope: script.dataset.workerScope }).catch(function () {});

  function ask(worker, message) {
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) {
        resolve(event.data || { ok: false });
      };
      worker.postMessage(message, [channel.port2]);
    });
  }

  function shownImages() {
    return Array.prototype.filter.call(document.querySelectorAll(".article-body img"), function (image) {
      return image.complete && image.naturalWidth > 0 && image.currentSrc;
    }).map(function (image) {
      return image.currentSrc;
    });
  }

  // The images further down load now rather than when scrolled to, so that the kept article has them all.
  // Each answer is counted: data-kept="true" on the Lưu button says the page and its images are all kept.
  function keepLaterImages(worker, path, done) {
    document.querySelectorAll(".article-body img").forEach(function (image) {
      if (image.complete) return;
      done.expect();
      function kept() {
        if (!image.currentSrc || image.naturalWidth === 0) return done.answered();
        ask(worker, { type: "keep", path: path, fetchPage: false, images: [image.currentSrc] }).then(done.answered);
      }
      image.addEventListener("load", kept, { once: true });
      image.addEventListener("error", done.answered, { once: true });
      image.loading = "eager";
    });
  }

  function countdown(finished) {
    var waiting = 0;
    return {
      expect: function () { waiting += 1; },
      answered: function () {
        waiting -= 1;
        if (waiting === 0) finished();
      },
    };
  }

  // The player's segment list (nghe.json with its ?v=), saved with the MP3 so that the player works offline.
  function manifestUrl() {
    var player = document.querySelector(".player[data-manifest]");
    return player ? player.dataset.manifest : null;
  }

  function articleTools(save) {
    var path = save.dataset.article;
    var status = document.querySelector("[data-offline-status]");
    navigator.serviceWorker.ready.then(function (registration) {
      var worker = registration.active;
      var done = countdown(function () { save.dataset.kept = "true"; });
      done.expect();
      // Served through the worker, the page is already kept; on the first visit the worker fetches it.
      ask(worker, { type: "keep", path: path, fetchPage: !navigator.serviceWorker.controller, images: shownImages() })
        .then(done.answered);
      if (!savingData) keepLaterImages(worker, path, done);
    });
    // Shown at once, not when the worker is ready, so the row does not change under the reader's eyes.
    save.parentNode.hidden = false;
    save.addEventListener("click", function () {
      function tell(text) {
        status.textContent = text;
        status.hidden = false;
        announce(text);
      }
      tell(save.dataset.msgSaving);
      save.setAttribute("aria-disabled", "true");
      navigator.serviceWorker.ready.then(function (registration) {
        return ask(registration.active, { type: "save", path: path, audio: save.dataset.audio, manifest: manifestUrl() });
      }).then(function (answer) {
        save.removeAttribute("aria-disabled");
        tell(answer.ok ? save.dataset.msgSaved : save.dataset.msgFailed);
      });
    });
  }

  function savedItem(entry) {
    var item = document.createElement("li");
    item.className = "card";
    var heading = document.createElement("h2");
    heading.className = "card-title";
    var link = document.createElement("a");
    link.href = entry.path;
    link.textContent = entry.title || entry.path;
    heading.appendChild(link);
    var note = document.createElement("p");
    note.className = "meta";
    note.textContent = "Lưu lúc " + new Date(entry.keptAt).toLocaleString("vi-VN") + (entry.audio ? " · có âm thanh" : "");
    item.appendChild(heading);
    item.appendChild(note);
    return item;
  }

  function offlinePage(box) {
    var needsScript = box.querySelector("[data-offline-needs-script]");
    if (needsScript) needsScript.hidden = true;
    // The worker shows this page in place of one it does not have: say why, and what is there instead.
    if (location.pathname !== box.dataset.offlinePage) {
      var reason = box.querySelector("[data-offline-reason]");
      var isList = new RegExp(box.dataset.listPattern).test(location.pathname);
      reason.querySelector('[data-reason="unsaved"]').hidden = isList;
      reason.querySelector('[data-reason="list"]').hidden = !isList;
      reason.hidden = false;
      document.title = "Không có mạng — " + document.title;
    }
    var list = box.querySelector("[data-saved-articles]");
    var kept = navigator.serviceWorker.controller
      ? fetch(box.dataset.savedList).then(function (response) {
          return response.ok ? response.json() : [];
        }).catch(function () {
          return [];
        })
      : Promise.resolve([]);
    kept.then(function (entries) {
      entries.forEach(function (entry) {
        list.appendChild(savedItem(entry));
      });
      box.querySelector("[data-saved-empty]").hidden = entries.length > 0;
    });
  }

  var save = document.querySelector("[data-offline-save]");
  if (save) articleTools(save);
  var box = document.querySelector("[data-offline-page]");
  if (box) offlinePage(box);
}
