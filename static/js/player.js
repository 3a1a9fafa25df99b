// Đọc bài: plays an article paragraph by paragraph from the server's per-segment MP3s, so sound starts after
// the first (short) segment. Without this script the page keeps the browser's own <audio> of the whole article.
(function () {
  "use strict";

  var root = document.querySelector(".player[data-manifest]");
  if (!root) return;

  var audio = root.querySelector("audio");
  var bar = root.querySelector(".player-bar");
  var playButton = root.querySelector('[data-action="play"]');
  var playLabel = root.querySelector("[data-play-label]");
  var speedSelect = root.querySelector('[data-action="speed"]');
  var statusLine = root.querySelector("[data-status]");
  var problem = root.querySelector("[data-problem]");
  var listenLink = document.querySelector("[data-listen-link]");
  var listenButton = document.querySelector("[data-listen-button]");
  var listenLabel = document.querySelector("[data-listen-label]");
  var article = root.closest("article") || document;

  var SPEED_KEY = "docbai.speed";
  var RESUME_KEY = "docbai.resume." + root.dataset.slug;
  var SPEEDS = ["0.75", "1", "1.25", "1.5", "1.75", "2"];

  var manifest = null;
  var manifestRequest = null;
  var position = 0; // index into manifest.segments
  var started = false;
  var mode = "server"; // "server" or "device" (the Web Speech API after the server failed)
  var deviceVoice = null;
  var devicePlaying = false;
  var deviceRun = 0; // some browsers fire "end" on cancel(): only the current run may move on
  var lastSaved = 0;
  var prefetched = {};
  var resumeNote = ""; // shown instead of the segment counter while the resumed segment plays

  function message(name, values) {
    var text = root.dataset["msg" + name] || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  function storage(action, key, value) {
    // Private browsing or a full quota must not stop the player.
    try {
      if (action === "get") return window.localStorage.getItem(key);
      if (action === "set") window.localStorage.setItem(key, value);
      if (action === "remove") window.localStorage.removeItem(key);
    } catch (error) {
      return null;
    }
    return null;
  }

  function currentSpeed() {
    return parseFloat(speedSelect.value) || 1;
  }

  function segmentCount() {
    return manifest ? manifest.segments.length : 0;
  }

  function progressValues() {
    return { n: position + 1, total: segmentCount() };
  }

  function setStatus(text) {
    statusLine.textContent = text;
  }

  function isPlaying() {
    return mode === "device" ? devicePlaying : !audio.paused && !audio.ended;
  }

  function showPlaying(playing) {
    root.classList.toggle("is-playing", playing);
    playLabel.textContent = playing ? root.dataset.labelPause : root.dataset.labelPlay;
    if (listenLabel) listenLabel.textContent = playing ? root.dataset.labelStop : root.dataset.labelListen;
    if ("mediaSession" in navigator) navigator.mediaSession.playbackState = playing ? "playing" : "paused";
  }

  function loadManifest() {
    if (!manifestRequest) {
      manifestRequest = fetch(root.dataset.manifest, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("manifest " + response.status);
          return response.json();
        })
        .then(function (data) {
          if (!data.segments || !data.segments.length) throw new Error("no segments");
          manifest = data;
          return data;
        })
        .catch(function (error) {
          manifestRequest = null; // let a later press try again
          throw error;
        });
    }
    return manifestRequest;
  }

  function highlight(segmentIndex) {
    var previous = article.querySelector(".is-reading");
    if (previous) previous.classList.remove("is-reading");
    var element = article.querySelector('[data-seg="' + segmentIndex + '"]');
    if (!element) return;
    element.classList.add("is-reading");
    var box = element.getBoundingClientRect();
    var barTop = bar.getBoundingClientRect().top;
    var visibleBottom = barTop > 0 && barTop < window.innerHeight ? barTop : window.innerHeight;
    if (box.top < 0 || box.bottom > visibleBottom) {
      var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      element.scrollIntoView({ block: "center", behavior: reduceMotion ? "auto" : "smooth" });
    }
  }

  function saveResume(force) {
    if (!manifest) return;
    var now = Date.now();
    if (!force && now - lastSaved < 3000) return;
    lastSaved = now;
    var time = mode === "server" ? audio.currentTime || 0 : 0;
    storage("set", RESUME_KEY, JSON.stringify({ v: manifest.version, position: position, time: time }));
  }

  function savedResume() {
    try {
      var saved = JSON.parse(storage("get", RESUME_KEY) || "null");
      if (saved && manifest && saved.v === manifest.version && saved.position < segmentCount()) return saved;
    } catch (error) {
      return null;
    }
    return null;
  }

  function prefetch(next) {
    // A HEAD request makes the server synthesize the next segment while this one plays, without spending
    // the listener's data on audio they may never hear.
    var segment = manifest.segments[next];
    if (!segment || prefetched[segment.url] || !window.fetch) return;
    prefetched[segment.url] = true;
    fetch(segment.url, { method: "HEAD", credentials: "same-origin" }).catch(function () {
      prefetched[segment.url] = false;
    });
  }

  function playSegment(next, startAt) {
    if (next !== position) resumeNote = "";
    position = Math.max(0, Math.min(next, segmentCount() - 1));
    var segment = manifest.segments[position];
    highlight(segment.index);
    if (mode === "device") {
      speakOnDevice();
      return;
    }
    problem.hidden = true; // a new attempt: the message comes back if it fails again
    setStatus(message("Loading"));
    audio.src = segment.url;
    // Loading a new source resets playbackRate to defaultPlaybackRate, so set both.
    audio.defaultPlaybackRate = currentSpeed();
    audio.playbackRate = currentSpeed();
    if (startAt > 0) {
      audio.addEventListener("loadedmetadata", function seek() {
        audio.removeEventListener("loadedmetadata", seek);
        if (startAt < audio.duration) audio.currentTime = startAt;
      });
    }
    var playing = audio.play();
    if (playing && playing.catch) {
      playing.catch(function (error) {
        if (error && error.name === "NotAllowedError") showPlaying(false);
      });
    }
    prefetch(position + 1);
    saveResume(true);
  }

  function start() {
    started = true;
    root.classList.add("is-active");
    document.body.classList.add("has-player");
    setStatus(message("Loading"));
    loadManifest().then(
      function () {
        setupMediaSession();
        var saved = savedResume();
        if (saved && (saved.position > 0 || saved.time > 1)) {
          playSegment(saved.position, saved.time);
          resumeNote = message("Resumed", { n: saved.position + 1, total: segmentCount() });
          setStatus(resumeNote);
        } else {
          playSegment(0, 0);
        }
      },
      serverFailed
    );
  }

  function play() {
    if (!started || !manifest) {
      start();
    } else if (mode === "device") {
      speakOnDevice();
    } else if (!audio.currentSrc || audio.ended) {
      playSegment(position, 0);
    } else {
      audio.play().catch(function () {});
    }
  }

  function pause() {
    if (mode === "device") {
      deviceRun += 1;
      window.speechSynthesis.cancel();
      devicePlaying = false;
      showPlaying(false);
      setStatus(message("Paused", progressValues()));
    } else {
      audio.pause();
    }
    saveResume(true);
  }

  function toggle() {
    if (isPlaying()) pause();
    else play();
  }

  function skip(step) {
    if (!manifest) {
      play();
      return;
    }
    var next = position + step;
    if (next < 0 || next >= segmentCount()) return;
    playSegment(next, 0);
  }

  function finish() {
    showPlaying(false);
    setStatus(message("Ended"));
    storage("remove", RESUME_KEY);
    var current = article.querySelector(".is-reading");
    if (current) current.classList.remove("is-reading");
  }

  function serverFailed() {
    audio.pause();
    showPlaying(false);
    setStatus("");
    problem.hidden = false;
    findDeviceVoice(function (voice) {
      deviceVoice = voice;
      problem.querySelector("[data-device-voice-offer]").hidden = !voice;
      problem.querySelector("[data-no-device-voice]").hidden = !!voice;
    });
  }

  function findDeviceVoice(callback) {
    if (!("speechSynthesis" in window)) {
      callback(null);
      return;
    }
    function pick() {
      var voices = window.speechSynthesis.getVoices().filter(function (voice) {
        return /^vi([-_]|$)/i.test(voice.lang);
      });
      return voices.filter(function (voice) { return voice.localService; })[0] || voices[0] || null;
    }
    var voice = pick();
    if (voice) {
      callback(voice);
      return;
    }
    // Voices load asynchronously in Chrome: wait for them, but not forever.
    var answered = false;
    function answer() {
      if (answered) return;
      answered = true;
      callback(pick());
    }
    window.speechSynthesis.addEventListener("voiceschanged", answer);
    window.setTimeout(answer, 1500);
  }

  function segmentText(segmentIndex) {
    var element = article.querySelector('[data-seg="' + segmentIndex + '"]');
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function speakOnDevice() {
    // The device's own voice reads the text already on the page: it costs no data at all.
    var synth = window.speechSynthesis;
    var run = (deviceRun += 1);
    synth.cancel();
    var segment = manifest ? manifest.segments[position] : { index: position };
    var text = segmentText(segment.index);
    // Short utterances: some engines stop reading a long one after about fifteen seconds.
    var sentences = text.match(/[^.!?…]+[.!?…]*\s*/g) || [];
    if (!sentences.length) {
      advanceOnDevice();
      return;
    }
    devicePlaying = true;
    showPlaying(true);
    setStatus(message("Device", progressValues()));
    sentences.forEach(function (sentence, number) {
      var utterance = new SpeechSynthesisUtterance(sentence);
      utterance.lang = "vi-VN";
      if (deviceVoice) utterance.voice = deviceVoice;
      utterance.rate = currentSpeed();
      if (number === sentences.length - 1) {
        utterance.addEventListener("end", function () {
          if (devicePlaying && run === deviceRun) advanceOnDevice();
        });
      }
      synth.speak(utterance);
    });
    saveResume(true);
  }

  function advanceOnDevice() {
    if (position + 1 < segmentCount()) {
      playSegment(position + 1, 0);
    } else {
      devicePlaying = false;
      finish();
    }
  }

  function useDeviceVoice() {
    mode = "device";
    problem.hidden = true;
    if (!manifest) {
      // Without the server's list, read every numbered block on the page in order.
      var blocks = Array.prototype.map.call(article.querySelectorAll("[data-seg]"), function (element) {
        return { index: parseInt(element.dataset.seg, 10) };
      });
      manifest = { version: "device", segments: blocks };
    }
    playSegment(position, 0);
  }

  function setupMediaSession() {
    if (!("mediaSession" in navigator) || typeof window.MediaMetadata !== "function") return;
    navigator.mediaSession.metadata = new window.MediaMetadata({
      title: root.dataset.title,
      artist: root.dataset.site,
      album: "Đọc bài",
    });
    var handlers = {
      play: play,
      pause: pause,
      stop: pause,
      previoustrack: function () { skip(-1); },
      nexttrack: function () { skip(1); },
      seekbackward: function () { audio.currentTime = Math.max(0, audio.currentTime - 10); },
      seekforward: function () { audio.currentTime = Math.min(audio.duration || 0, audio.currentTime + 10); },
    };
    Object.keys(handlers).forEach(function (action) {
      try {
        navigator.mediaSession.setActionHandler(action, handlers[action]);
      } catch (error) {
        // An action this browser does not know: the others still work.
      }
    });
  }

  function readFromClickedBlock(event) {
    if (!started || !manifest) return;
    if (event.target.closest("a, button, input, select, textarea, audio, video, .player")) return;
    var selection = window.getSelection && window.getSelection();
    if (selection && String(selection).length > 0) return; // the reader is selecting text, not choosing
    var block = event.target.closest("[data-seg]");
    if (!block) return;
    var segmentIndex = parseInt(block.dataset.seg, 10);
    for (var i = 0; i < manifest.segments.length; i += 1) {
      if (manifest.segments[i].index === segmentIndex) {
        playSegment(i, 0);
        return;
      }
    }
  }

  function restoreSpeed() {
    var saved = storage("get", SPEED_KEY);
    if (saved && SPEEDS.indexOf(saved) !== -1) speedSelect.value = saved;
  }

  function changeSpeed() {
    storage("set", SPEED_KEY, speedSelect.value);
    audio.defaultPlaybackRate = currentSpeed();
    audio.playbackRate = currentSpeed();
    if (mode === "device" && devicePlaying) speakOnDevice();
  }

  function loadStylesheet(ready) {
    // The bar's styles come with this script, not in every page's inlined stylesheet.
    var href = root.dataset.stylesheet;
    if (!href) {
      ready();
      return;
    }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.addEventListener("load", ready);
    link.addEventListener("error", ready);
    document.head.appendChild(link);
  }

  // Take over the page's plain <audio controls> (kept for JavaScript-off) for the segment-by-segment player,
  // once the bar can be shown styled.
  loadStylesheet(function () {
    audio.removeAttribute("controls");
    audio.hidden = true;
    audio.preload = "none";
    bar.hidden = false;
    if (listenLink && listenButton) {
      listenLink.hidden = true;
      listenButton.hidden = false;
    }
  });
  if (listenButton) listenButton.addEventListener("click", toggle);
  restoreSpeed();

  playButton.addEventListener("click", toggle);
  root.querySelector('[data-action="previous"]').addEventListener("click", function () { skip(-1); });
  root.querySelector('[data-action="next"]').addEventListener("click", function () { skip(1); });
  root.querySelector('[data-action="device-voice"]').addEventListener("click", useDeviceVoice);
  speedSelect.addEventListener("change", changeSpeed);
  article.addEventListener("click", readFromClickedBlock);

  audio.addEventListener("playing", function () {
    showPlaying(true);
    setStatus(resumeNote || message("Reading", progressValues()));
  });
  audio.addEventListener("pause", function () {
    if (mode !== "server" || audio.ended || !problem.hidden) return;
    showPlaying(false);
    setStatus(message("Paused", progressValues()));
  });
  audio.addEventListener("waiting", function () { setStatus(message("Loading")); });
  audio.addEventListener("timeupdate", function () { saveResume(false); });
  audio.addEventListener("ended", function () {
    if (position + 1 < segmentCount()) playSegment(position + 1, 0);
    else finish();
  });
  audio.addEventListener("error", function () {
    if (started && mode === "server" && audio.getAttribute("src")) serverFailed();
  });
  window.addEventListener("pagehide", function () { if (started) saveResume(true); });
})();
