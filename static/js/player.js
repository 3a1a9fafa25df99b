// Đọc bài: plays an article paragraph by paragraph from the server's per-segment MP3s, so sound starts after
// the first (short) segment. Without this script the page keeps the browser's own <audio> of the whole article.
//
// Three parts: the state (what is playing and where), and two sources with one interface that make the sound —
// the server's audio, and the device's own voice once the server has failed and the listener chooses it.
// The player talks only to state.source; which source that is gets decided in one place.
(function () {
  "use strict";

  var root = document.querySelector(".player[data-manifest]");
  if (!root) return;

  var SPEED_KEY = "docbai.speed";
  var RESUME_KEY = "docbai.resume." + root.dataset.slug;
  var SPEEDS = ["0.75", "1", "1.25", "1.5", "1.75", "2"];
  var LOADING_NOTICE_DELAY = 700; // ms: a quick change of paragraph is not announced as loading

  var view = {
    audio: root.querySelector("audio"),
    bar: root.querySelector(".player-bar"),
    play: root.querySelector('[data-action="play"]'),
    speed: root.querySelector('[data-action="speed"]'),
    status: root.querySelector("[data-status]"),
    problem: root.querySelector("[data-problem]"),
    deviceOffer: root.querySelector("[data-device-voice-offer]"),
    noDeviceVoice: root.querySelector("[data-no-device-voice]"),
    listenLink: document.querySelector("[data-listen-link]"),
    listenButton: document.querySelector("[data-listen-button]"),
    article: root.closest("article") || document,
  };

  // phase is what the player is doing, shown as data-state: idle (not listening), loading, playing, paused,
  // ended (read to the end) or failed (the server could not give audio).
  var state = {
    phase: "idle",
    manifest: null, // { version, segments: [{ index, url }] } from nghe.json
    manifestRequest: null,
    position: 0, // index into manifest.segments
    note: "", // shown instead of the paragraph counter while a resumed paragraph plays
    savedAt: 0,
    loadingNotice: 0,
    source: null, // the server's audio, or the device's voice once the listener chose it
    voice: null, // the device's Vietnamese voice, looked for when the server fails
  };

  function message(name, values) {
    var text = root.dataset["msg" + name] || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  function progress() {
    return { n: state.position + 1, total: state.manifest ? state.manifest.segments.length : 0 };
  }

  function storage(action, key, value) {
    // Private browsing or a full quota only costs the remembered speed and place: the player goes on.
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
    return parseFloat(view.speed.value) || 1;
  }

  // Both sources answer play(segment, startAt, rate), resume(), pause(), stop(), setRate(rate), time(),
  // seekBy(seconds) and prepare(segment). They report through `events`, passing themselves, so a source that
  // has been replaced goes unheard.

  function createServerAudio(audio, events, failed) {
    var current = null;
    var prefetched = {};
    var source;

    function started(playing) {
      if (!playing || !playing.catch) return;
      playing.catch(function (error) {
        // AbortError: a newer load or a pause replaced this play(), as intended.
        if (error && error.name === "AbortError") return;
        if (error && error.name === "NotAllowedError") events.interrupted(source, "Blocked");
        else failed(source);
      });
    }

    audio.addEventListener("playing", function () { events.playing(source); });
    audio.addEventListener("pause", function () { if (!audio.ended) events.paused(source); });
    audio.addEventListener("waiting", function () { events.waiting(source); });
    audio.addEventListener("timeupdate", function () { events.progress(source); });
    audio.addEventListener("ended", function () { events.ended(source); });
    audio.addEventListener("error", function () { if (current) failed(source); });

    source = {
      readingMessage: "Reading",
      play: function (segment, startAt, rate) {
        current = segment;
        audio.src = segment.url;
        // Loading a new source resets playbackRate to defaultPlaybackRate, so set both.
        source.setRate(rate);
        if (startAt > 0) {
          audio.addEventListener("loadedmetadata", function seek() {
            audio.removeEventListener("loadedmetadata", seek);
            if (startAt < audio.duration) audio.currentTime = startAt;
          });
        }
        started(audio.play());
      },
      resume: function () {
        if (!current) return;
        if (!audio.currentSrc || audio.ended) source.play(current, 0, audio.playbackRate);
        else started(audio.play());
      },
      pause: function () { audio.pause(); },
      stop: function () {
        current = null;
        audio.pause();
      },
      setRate: function (rate) {
        audio.defaultPlaybackRate = rate;
        audio.playbackRate = rate;
      },
      time: function () { return audio.currentTime || 0; },
      seekBy: function (seconds) {
        audio.currentTime = Math.max(0, Math.min(audio.duration || 0, audio.currentTime + seconds));
      },
      prepare: function (segment) {
        // A HEAD request makes the server synthesize the next segment while this one plays, without spending
        // the listener's data on audio they may never hear. Only a hint: if it fails, play() will say so.
        if (!segment || prefetched[segment.url] || !window.fetch) return;
        prefetched[segment.url] = true;
        fetch(segment.url, { method: "HEAD", credentials: "same-origin" }).catch(function () {
          prefetched[segment.url] = false;
        });
      },
    };
    return source;
  }

  function createDeviceVoice(voice, textOf, events) {
    // The device's own voice reads the text already on the page: it costs no data at all.
    var synth = window.speechSynthesis;
    var run = 0; // some browsers fire "end" on cancel(): only the current run may move on
    var current = null;
    var speaking = false;
    var rate = 1;
    var source;

    function speak() {
      var thisRun = (run += 1);
      synth.cancel();
      // Short utterances: some engines stop reading a long one after about fifteen seconds.
      var sentences = textOf(current).match(/[^.!?…]+[.!?…]*\s*/g) || [];
      if (!sentences.length) {
        speaking = false;
        events.ended(source);
        return;
      }
      speaking = true;
      sentences.forEach(function (sentence, number) {
        var utterance = new SpeechSynthesisUtterance(sentence);
        utterance.lang = "vi-VN";
        if (voice) utterance.voice = voice;
        utterance.rate = rate;
        utterance.addEventListener("error", function (event) {
          // "interrupted" and "canceled" are our own cancel(); anything else is the engine giving up.
          if (thisRun !== run || event.error === "interrupted" || event.error === "canceled") return;
          run += 1;
          speaking = false;
          synth.cancel();
          events.interrupted(source, "DeviceFailed");
        });
        if (number === sentences.length - 1) {
          utterance.addEventListener("end", function () {
            if (speaking && thisRun === run) {
              speaking = false;
              events.ended(source);
            }
          });
        }
        synth.speak(utterance);
      });
      events.playing(source);
    }

    function silence() {
      run += 1;
      speaking = false;
      synth.cancel();
    }

    source = {
      readingMessage: "Device",
      play: function (segment, startAt, newRate) {
        current = segment;
        rate = newRate;
        speak();
      },
      resume: function () { if (current) speak(); },
      pause: function () {
        silence();
        events.paused(source);
      },
      stop: silence,
      setRate: function (newRate) {
        rate = newRate;
        if (speaking) speak(); // an utterance keeps the rate it was queued with
      },
      time: function () { return 0; },
      seekBy: function () {},
      prepare: function () {},
    };
    return source;
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

  function setStatus(text) {
    window.clearTimeout(state.loadingNotice);
    view.status.textContent = text;
  }

  function setPhase(phase) {
    state.phase = phase;
    root.setAttribute("data-state", phase);
    var listening = phase !== "idle";
    view.bar.hidden = !listening;
    view.listenButton.setAttribute("aria-pressed", String(listening));
    document.body.classList.toggle("has-player", listening);
    if ("mediaSession" in navigator) navigator.mediaSession.playbackState = phase === "playing" ? "playing" : "paused";
  }

  function highlight(segmentIndex) {
    var previous = view.article.querySelector(".is-reading");
    if (previous) previous.classList.remove("is-reading");
    if (segmentIndex === null) return;
    var element = view.article.querySelector('[data-seg="' + segmentIndex + '"]');
    if (!element) return;
    element.classList.add("is-reading");
    var box = element.getBoundingClientRect();
    var barTop = view.bar.getBoundingClientRect().top;
    var visibleBottom = barTop > 0 && barTop < window.innerHeight ? barTop : window.innerHeight;
    if (box.top < 0 || box.bottom > visibleBottom) {
      var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      element.scrollIntoView({ block: "center", behavior: reduceMotion ? "auto" : "smooth" });
    }
  }

  function segmentText(segment) {
    var element = view.article.querySelector('[data-seg="' + segment.index + '"]');
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }

  // The place the listener stopped is kept per article and per audio version.

  function saveResume(force) {
    if (!state.manifest) return;
    var now = Date.now();
    if (!force && now - state.savedAt < 3000) return;
    state.savedAt = now;
    storage("set", RESUME_KEY, JSON.stringify({
      v: state.manifest.version, position: state.position, time: state.source.time(),
    }));
  }

  function savedResume() {
    try {
      var saved = JSON.parse(storage("get", RESUME_KEY) || "null");
      if (saved && saved.v === state.manifest.version && saved.position < state.manifest.segments.length) return saved;
    } catch (error) {
      return null; // a value this version cannot read: start from the beginning
    }
    return null;
  }

  function loadManifest() {
    if (!state.manifestRequest) {
      state.manifestRequest = fetch(root.dataset.manifest, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("manifest " + response.status);
          return response.json();
        })
        .then(function (data) {
          if (!data.segments || !data.segments.length) throw new Error("no segments");
          state.manifest = data;
          return data;
        })
        .catch(function (error) {
          state.manifestRequest = null; // let a later press try again
          throw error;
        });
    }
    return state.manifestRequest;
  }

  function playSegment(next, startAt) {
    if (next !== state.position) state.note = "";
    state.position = Math.max(0, Math.min(next, state.manifest.segments.length - 1));
    var segment = state.manifest.segments[state.position];
    view.problem.hidden = true; // a new attempt: the message comes back if it fails again
    setPhase("loading");
    highlight(segment.index);
    state.source.play(segment, startAt, currentSpeed());
    state.source.prepare(state.manifest.segments[state.position + 1]);
    saveResume(true);
  }

  function startListening() {
    setPhase("loading");
    view.problem.hidden = true;
    setStatus(message("Loading"));
    loadManifest().then(
      function () {
        if (state.phase === "idle") return; // stopped while the list was on its way
        setupMediaSession();
        var saved = savedResume();
        if (saved && (saved.position > 0 || saved.time > 1)) {
          playSegment(saved.position, saved.time);
          state.note = message("Resumed", { n: saved.position + 1, total: state.manifest.segments.length });
          setStatus(state.note);
        } else {
          playSegment(0, 0);
        }
      },
      function () { serverFailed(server); }
    );
  }

  function stopListening() {
    state.source.pause();
    saveResume(true);
    setPhase("idle");
    setStatus("");
    view.problem.hidden = true;
    highlight(null);
  }

  function toggleListening() {
    if (state.phase === "idle") startListening();
    else stopListening();
  }

  function pause() {
    state.source.pause();
    saveResume(true);
  }

  function play() {
    if (state.phase === "idle" || state.phase === "failed" || !state.manifest) startListening();
    else if (state.phase === "ended") playSegment(0, 0);
    else state.source.resume();
  }

  function playOrPause() {
    if (state.phase === "playing" || state.phase === "loading") pause();
    else play();
  }

  function skip(step) {
    if (!state.manifest) {
      play();
      return;
    }
    var next = state.position + step;
    if (next < 0 || next >= state.manifest.segments.length) return;
    playSegment(next, 0);
  }

  function finish() {
    setPhase("ended");
    setStatus(message("Ended"));
    storage("remove", RESUME_KEY);
    highlight(null);
  }

  function serverFailed(source) {
    if (source !== state.source || state.phase === "failed" || state.phase === "idle") return;
    source.stop();
    setPhase("failed");
    setStatus("");
    view.problem.hidden = false; // role="alert" says it
    findDeviceVoice(function (voice) {
      state.voice = voice;
      view.deviceOffer.hidden = !voice;
      view.noDeviceVoice.hidden = !!voice;
    });
  }

  function useDeviceVoice() {
    state.source.stop();
    state.source = createDeviceVoice(state.voice, segmentText, events);
    if (!state.manifest) {
      // Without the server's list, read every numbered block on the page in order.
      var blocks = Array.prototype.map.call(view.article.querySelectorAll("[data-seg]"), function (element) {
        return { index: parseInt(element.dataset.seg, 10) };
      });
      state.manifest = { version: "device", segments: blocks };
    }
    playSegment(state.position, 0);
  }

  var events = {
    playing: function (source) {
      if (source !== state.source || state.phase === "idle") return;
      setPhase("playing");
      setStatus(state.note || message(source.readingMessage, progress()));
    },
    paused: function (source) {
      if (source !== state.source || state.phase === "idle" || state.phase === "failed") return;
      setPhase("paused");
      setStatus(message("Paused", progress()));
    },
    waiting: function (source) {
      if (source !== state.source) return;
      window.clearTimeout(state.loadingNotice);
      state.loadingNotice = window.setTimeout(function () { view.status.textContent = message("Loading"); },
        LOADING_NOTICE_DELAY);
    },
    progress: function (source) {
      if (source === state.source) saveResume(false);
    },
    ended: function (source) {
      if (source !== state.source || state.phase === "idle") return;
      if (state.position + 1 < state.manifest.segments.length) playSegment(state.position + 1, 0);
      else finish();
    },
    interrupted: function (source, messageName) {
      // Stopped by something other than the listener (a blocked autoplay, a failing voice): say why.
      if (source !== state.source || state.phase === "idle") return;
      setPhase("paused");
      setStatus(message(messageName, progress()));
    },
  };

  var server = createServerAudio(view.audio, events, serverFailed);
  state.source = server;

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
      stop: stopListening,
      previoustrack: function () { skip(-1); },
      nexttrack: function () { skip(1); },
      seekbackward: function () { state.source.seekBy(-10); },
      seekforward: function () { state.source.seekBy(10); },
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
    if (state.phase === "idle" || !state.manifest) return;
    if (event.target.closest("a, button, input, select, textarea, audio, video, .player")) return;
    var selection = window.getSelection && window.getSelection();
    if (selection && String(selection).length > 0) return; // the reader is selecting text, not choosing
    var block = event.target.closest("[data-seg]");
    if (!block) return;
    var segmentIndex = parseInt(block.dataset.seg, 10);
    for (var i = 0; i < state.manifest.segments.length; i += 1) {
      if (state.manifest.segments[i].index === segmentIndex) {
        playSegment(i, 0);
        return;
      }
    }
  }

  function restoreSpeed() {
    var saved = storage("get", SPEED_KEY);
    if (saved && SPEEDS.indexOf(saved) !== -1) view.speed.value = saved;
  }

  function changeSpeed() {
    storage("set", SPEED_KEY, view.speed.value);
    state.source.setRate(currentSpeed());
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

  // Take over the page's plain <audio controls> (kept for JavaScript-off): from now on "Đọc bài" is the one
  // control that starts listening, and the bar with the other controls appears when it is pressed.
  loadStylesheet(function () {
    view.audio.removeAttribute("controls");
    view.audio.hidden = true;
    view.audio.preload = "none";
    if (view.listenLink) view.listenLink.hidden = true;
    view.listenButton.hidden = false;
  });
  restoreSpeed();

  view.listenButton.addEventListener("click", toggleListening);
  view.play.addEventListener("click", playOrPause);
  root.querySelector('[data-action="previous"]').addEventListener("click", function () { skip(-1); });
  root.querySelector('[data-action="next"]').addEventListener("click", function () { skip(1); });
  root.querySelector('[data-action="device-voice"]').addEventListener("click", useDeviceVoice);
  view.speed.addEventListener("change", changeSpeed);
  view.article.addEventListener("click", readFromClickedBlock);
  window.addEventListener("pagehide", function () { if (state.phase !== "idle") saveResume(true); });
})();
