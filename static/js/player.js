// Đọc bài: plays an article sentence by sentence from the server's per-sentence MP3s, so sound starts after the
// first (short) sentence. Without this script the page keeps the browser's own <audio> of the whole article.
//
// Three parts: the state (what is playing and where), and two sources with one interface that make the sound —
// the server's audio, and the device's own voice once the server has failed and the listener chooses it.
// The player talks only to state.source; which source that is gets decided in one place. Where a sentence cannot
// be fetched (offline, on the road) and the listener saved the article with "Lưu để nghe/đọc sau", a third source
// plays the saved whole MP3 instead.
//
// The server's segment list says, for each sentence, its block on the page (data-seg) and its text. The page is
// never rewritten: the sentence being read is found in its block's text nodes and shown with the CSS Custom
// Highlight API; where it cannot be found, or the API is missing, the whole block is highlighted instead.
(function () {
  "use strict";

  var root = document.querySelector(".player[data-manifest]");
  if (!root) return;

  var SPEED_KEY = "docbai.speed";
  var RESUME_KEY = "docbai.resume." + root.dataset.slug;
  var SPEEDS = ["0.75", "1", "1.25", "1.5", "1.75", "2"];
  var LOADING_NOTICE_DELAY = 700; // ms: a quick change of sentence is not announced as loading
  var HIGHLIGHT_NAME = "doc-bai"; // ::highlight(doc-bai) in player.css
  var SENTENCE_PREFIX = 24; // characters (spaces left out) that find a sentence in its block's text
  var UTTERANCE_CHARS = 200; // the longest piece the device's voice is given at once
  var PAUSE_CHARS = 6; // the silence after a sentence, counted as characters when estimating where one starts
  var canHighlight = !!(window.CSS && window.CSS.highlights && typeof window.Highlight === "function");

  var view = {
    audio: root.querySelector("audio"),
    bar: root.querySelector(".player-bar"),
    play: root.querySelector('[data-action="play"]'),
    speed: root.querySelector('[data-action="speed"]'),
    status: root.querySelector("[data-status]"),
    statusSentence: root.querySelector("[data-status-sentence]"),
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
    manifest: null, // { version, segments: [{ index, url, block, text, spoken }] } from nghe.json
    manifestRequest: null,
    paragraphStarts: [], // position in manifest.segments of each paragraph's first sentence
    found: {}, // block number -> where its sentences are in the page (see locateSentences)
    position: 0, // index into manifest.segments
    note: "", // shown instead of the counter while a resumed sentence plays
    savedAt: 0,
    loadingNotice: 0,
    source: null, // the server's audio, the saved whole MP3 when offline, or the device's voice once chosen
    saved: null, // the saved whole MP3's source, made the first time a sentence cannot be fetched
    voice: null, // the device's Vietnamese voice, looked for when the server fails
  };

  function message(name, values) {
    var text = root.dataset["msg" + name] || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  // Where the listener is: paragraph n of total and, in a paragraph of several sentences, sentence s of its
  // stotal, as the text " · câu s/stotal" the messages put in {sentence}.
  function progress() {
    var segment = state.manifest && state.manifest.segments[state.position];
    if (!segment) return { n: 0, total: 0, sentence: "" };
    var values = {
      n: segment.paragraph + 1,
      total: state.paragraphStarts.length,
      s: segment.sentence + 1,
      stotal: segment.sentences,
    };
    values.sentence = segment.sentences > 1 ? message("Sentence", values) : "";
    return values;
  }

  // Numbers each segment's paragraph and its sentence within it, from the block each one is read from.
  function placeSegments(segments) {
    var starts = [];
    segments.forEach(function (segment, position) {
      var previous = segments[position - 1];
      if (!previous || previous.block !== segment.block) starts.push(position);
      segment.paragraph = starts.length - 1;
      segment.sentence = position - starts[starts.length - 1];
    });
    segments.forEach(function (segment) {
      var next = starts[segment.paragraph + 1];
      segment.sentences = (next === undefined ? segments.length : next) - starts[segment.paragraph];
    });
    state.paragraphStarts = starts;
    state.found = {};
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

  // Every source answers play(segment, startAt, rate), resume(), pause(), stop(), setRate(rate), time(),
  // seekBy(seconds) and prepare(segment), and says whether it can follow single sentences. They report through
  // `events`, passing themselves, so a source that has been replaced goes unheard.

  function watchPlay(playing, source, events, failed) {
    if (!playing || !playing.catch) return;
    playing.catch(function (error) {
      // AbortError: a newer load or a pause replaced this play(), as intended.
      if (error && error.name === "AbortError") return;
      if (error && error.name === "NotAllowedError") events.interrupted(source, "Blocked");
      else failed(source);
    });
  }

  function createServerAudio(audio, events, failed) {
    var current = null;
    var prefetched = {};
    var source;

    function started(playing) {
      watchPlay(playing, source, events, failed);
    }

    audio.addEventListener("playing", function () { events.playing(source); });
    audio.addEventListener("pause", function () { if (!audio.ended) events.paused(source); });
    audio.addEventListener("waiting", function () { events.waiting(source); });
    audio.addEventListener("timeupdate", function () { events.progress(source); });
    audio.addEventListener("ended", function () { events.ended(source); });
    audio.addEventListener("error", function () { if (current) failed(source); });

    source = {
      readingMessage: "Reading",
      sentences: true,
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
      var pieces = utterancePieces(textOf(current));
      if (!pieces.length) {
        speaking = false;
        events.ended(source);
        return;
      }
      speaking = true;
      pieces.forEach(function (piece, number) {
        var utterance = new SpeechSynthesisUtterance(piece);
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
        if (number === pieces.length - 1) {
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
      sentences: true,
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

  // The saved whole MP3, on the same <audio> as the server's sentences (a phone that let that one play lets this
  // one too). The segment list has no durations, so where each sentence starts in the file is estimated from
  // the length of what is said, and only the paragraph is highlighted: an estimate is close for a paragraph,
  // not for a sentence.
  function createSavedAudio(audio, url, segments, events, failed) {
    var active = false;
    var current = null;
    var starts = null; // seconds into the file at which each segment starts, once its duration is known
    var source;

    function estimateStarts() {
      var weights = segments.map(function (segment) {
        return (segment.spoken || segment.text || "").length + PAUSE_CHARS;
      });
      var total = weights.reduce(function (sum, weight) { return sum + weight; }, 0) || 1;
      var before = 0;
      starts = weights.map(function (weight) {
        var start = (audio.duration * before) / total;
        before += weight;
        return start;
      });
    }

    function positionAt(time) {
      var position = 0;
      while (position + 1 < starts.length && starts[position + 1] <= time) position += 1;
      return position;
    }

    function whenLoaded(then) {
      if (audio.readyState >= 1 && isFinite(audio.duration)) {
        then();
        return;
      }
      audio.addEventListener("loadedmetadata", function loaded() {
        audio.removeEventListener("loadedmetadata", loaded);
        if (active) then();
      });
    }

    function mine(handler) {
      return function () { if (active) handler(); };
    }

    audio.addEventListener("playing", mine(function () { events.playing(source); }));
    audio.addEventListener("pause", mine(function () { if (!audio.ended) events.paused(source); }));
    audio.addEventListener("waiting", mine(function () { events.waiting(source); }));
    audio.addEventListener("timeupdate", mine(function () {
      if (starts && !audio.seeking) events.moved(source, positionAt(audio.currentTime));
      events.progress(source);
    }));
    audio.addEventListener("ended", mine(function () { events.ended(source, true); }));
    audio.addEventListener("error", mine(function () { failed(source); }));

    source = {
      readingMessage: "Saved",
      sentences: false,
      play: function (segment, startAt, rate) {
        active = true;
        current = segment;
        var href = new URL(url, document.baseURI).href;
        if (audio.src !== href) {
          starts = null;
          audio.preload = "auto";
          audio.src = href;
        }
        source.setRate(rate);
        whenLoaded(function () {
          if (!starts) estimateStarts();
          audio.currentTime = Math.min(starts[segments.indexOf(current)] + startAt, audio.duration);
        });
        watchPlay(audio.play(), source, events, failed);
      },
      resume: function () {
        if (!current) return;
        if (audio.ended) source.play(current, 0, audio.playbackRate);
        else watchPlay(audio.play(), source, events, failed);
      },
      pause: function () { audio.pause(); },
      stop: function () {
        active = false;
        current = null;
        audio.pause();
      },
      setRate: function (rate) {
        audio.defaultPlaybackRate = rate;
        audio.playbackRate = rate;
      },
      // Time into the current sentence, as the server's sentences count it, so a resumed place means the same.
      time: function () {
        if (!starts || !current) return 0;
        return Math.max(0, (audio.currentTime || 0) - starts[segments.indexOf(current)]);
      },
      seekBy: function (seconds) {
        audio.currentTime = Math.max(0, Math.min(audio.duration || 0, audio.currentTime + seconds));
      },
      prepare: function () {},
      follow: function (position) { current = segments[position]; },
    };
    return source;
  }

  // Whether this browser keeps the article's whole MP3 (saved with "Lưu để nghe/đọc sau"); the service worker
  // serves it from there.
  function savedAudioKept(url) {
    if (!url || !window.caches) return Promise.resolve(false);
    return window.caches.match(url, { ignoreVary: true }).then(function (hit) { return !!hit; }, function () { return false; });
  }

  // Some engines stop reading an utterance after about fifteen seconds. A sentence is one utterance; only a
  // very long one (or a whole block, when the segment list never came) is cut, after a comma where it can be.
  function utterancePieces(text) {
    var pieces = [];
    var rest = text.replace(/\s+/g, " ").trim();
    while (rest.length > UTTERANCE_CHARS) {
      var head = rest.slice(0, UTTERANCE_CHARS);
      var cut = Math.max(head.lastIndexOf(", "), head.lastIndexOf("; "), head.lastIndexOf(": "));
      if (cut < UTTERANCE_CHARS / 3) cut = head.lastIndexOf(" ");
      if (cut <= 0) cut = UTTERANCE_CHARS - 1;
      pieces.push(rest.slice(0, cut + 1).trim());
      rest = rest.slice(cut + 1).trim();
    }
    if (rest) pieces.push(rest);
    return pieces;
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

  // The live region says what changes for the listener (a new paragraph, a pause, the end); the sentence counter
  // beside it is only shown, so a screen reader is not made to announce every sentence over the reading.
  function setStatus(text, sentence) {
    window.clearTimeout(state.loadingNotice);
    if (view.status.textContent !== text) view.status.textContent = text;
    view.statusSentence.textContent = sentence || "";
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

  function blockElement(blockNumber) {
    return view.article.querySelector('[data-seg="' + blockNumber + '"]');
  }

  function compact(text) {
    return text.replace(/\s+/g, "");
  }

  // A block's text with every space left out, and the text node and offset of each of its characters: a sentence
  // is looked for by its own text without spaces, so line breaks, <br> and markup never get in the way.
  function textMap(element) {
    var map = { text: "", nodes: [], offsets: [] };
    var chars = [];
    var walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      for (var i = 0; i < node.nodeValue.length; i += 1) {
        if (/\s/.test(node.nodeValue[i])) continue;
        chars.push(node.nodeValue[i]);
        map.nodes.push(node);
        map.offsets.push(i);
      }
    }
    map.text = chars.join("");
    return map;
  }

  // Where each sentence of a block is in its text map: { start, end } by position in the segment list, found in
  // order by the sentence's first characters; a sentence runs to its own last character where the page shows it
  // whole, else to the next sentence found (a photo note the server leaves unread may sit inside it).
  function locateSentences(blockNumber) {
    if (state.found[blockNumber]) return state.found[blockNumber];
    var element = blockElement(blockNumber);
    var found = { element: element, map: null, spans: {}, positions: [] };
    state.found[blockNumber] = found;
    if (!element) return found;
    state.manifest.segments.forEach(function (segment, position) {
      if (segment.block === blockNumber) found.positions.push(position);
    });
    var map = (found.map = textMap(element));
    var from = 0;
    var starts = found.positions.map(function (position) {
      var key = compact(state.manifest.segments[position].text || "").slice(0, SENTENCE_PREFIX);
      var at = key ? map.text.indexOf(key, from) : -1;
      if (at >= 0) from = at + 1;
      return at;
    });
    found.positions.forEach(function (position, k) {
      if (starts[k] < 0) return;
      var key = compact(state.manifest.segments[position].text);
      var end = map.text.length;
      if (map.text.substr(starts[k], key.length) === key) {
        end = starts[k] + key.length;
      } else {
        var later = starts.slice(k + 1).filter(function (start) { return start > starts[k]; });
        if (later.length) end = later[0];
      }
      found.spans[position] = { start: starts[k], end: end };
    });
    return found;
  }

  function sentenceRange(position) {
    var segment = state.manifest.segments[position];
    var found = locateSentences(segment.block);
    var span = found.spans[position];
    if (!span) return null;
    var range = document.createRange();
    range.setStart(found.map.nodes[span.start], found.map.offsets[span.start]);
    range.setEnd(found.map.nodes[span.end - 1], found.map.offsets[span.end - 1] + 1);
    return range;
  }

  function clearHighlight() {
    var previous = view.article.querySelector(".is-reading");
    if (previous) previous.classList.remove("is-reading", "has-sentence");
    if (canHighlight) window.CSS.highlights.delete(HIGHLIGHT_NAME);
    root.removeAttribute("data-block");
    root.removeAttribute("data-sentence");
    root.removeAttribute("data-highlight");
  }

  // Highlights the sentence at this position (its block, where the sentence cannot be shown alone) and keeps it
  // in view above the bar; data-block, data-sentence and data-highlight on the player say what is shown.
  function highlight(position) {
    clearHighlight();
    if (position === null) return;
    var segment = state.manifest.segments[position];
    var element = blockElement(segment.block);
    if (!element) return;
    var range = canHighlight && state.source.sentences ? sentenceRange(position) : null;
    element.classList.add("is-reading");
    if (range) {
      element.classList.add("has-sentence");
      window.CSS.highlights.set(HIGHLIGHT_NAME, new window.Highlight(range));
    }
    root.setAttribute("data-block", String(segment.block));
    root.setAttribute("data-sentence", String(segment.sentence + 1));
    root.setAttribute("data-highlight", range ? "sentence" : "block");
    keepInView((range || element).getBoundingClientRect());
  }

  function keepInView(box) {
    var barTop = view.bar.getBoundingClientRect().top;
    var visibleBottom = barTop > 0 && barTop < window.innerHeight ? barTop : window.innerHeight;
    var margin = 16;
    if (box.top >= margin && box.bottom <= visibleBottom - margin) return;
    // A third of the way down the visible part, or its top when the sentence is taller than that.
    var target = Math.min(visibleBottom / 3, Math.max(margin, visibleBottom - margin - box.height));
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    window.scrollBy({ top: box.top - target, behavior: reduceMotion ? "auto" : "smooth" });
  }

  function segmentText(segment) {
    if (segment.spoken || segment.text) return segment.spoken || segment.text;
    var element = blockElement(segment.block);
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
          placeSegments(data.segments);
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
    highlight(state.position);
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
          state.note = message("Resumed", progress());
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

  // Previous and next go by paragraph, to its first sentence.
  function skip(step) {
    if (!state.manifest) {
      play();
      return;
    }
    var next = state.paragraphStarts[state.manifest.segments[state.position].paragraph + step];
    if (next !== undefined) playSegment(next, 0);
  }

  function finish() {
    setPhase("ended");
    setStatus(message("Ended"));
    storage("remove", RESUME_KEY);
    highlight(null);
  }

  // A sentence the server cannot give goes on from the saved whole MP3 where there is one; else the player
  // says so and offers the device's voice.
  function serverFailed(source) {
    if (source !== state.source || state.phase === "failed" || state.phase === "idle") return;
    source.stop();
    if (source !== server || !state.manifest) {
      showFailure();
      return;
    }
    savedAudioKept(state.manifest.audio).then(function (kept) {
      if (source !== state.source || state.phase === "idle") return;
      if (!kept) {
        showFailure();
        return;
      }
      if (!state.saved) {
        state.saved = createSavedAudio(view.audio, state.manifest.audio, state.manifest.segments, events, serverFailed);
      }
      state.source = state.saved;
      playSegment(state.position, 0);
    });
  }

  function showFailure() {
    // A later press of Nghe asks the server again (it may be back), then the saved file.
    state.source = server;
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
      // Without the server's list, read every numbered block on the page in order, each as one segment.
      var blocks = Array.prototype.map.call(view.article.querySelectorAll("[data-seg]"), function (element) {
        var number = parseInt(element.dataset.seg, 10);
        return { index: number, block: number };
      });
      placeSegments(blocks);
      state.manifest = { version: "device", segments: blocks };
    }
    playSegment(state.position, 0);
  }

  var events = {
    playing: function (source) {
      if (source !== state.source || state.phase === "idle") return;
      setPhase("playing");
      if (state.note) setStatus(state.note);
      else setStatus(message(source.readingMessage, progress()), source.sentences ? progress().sentence : "");
    },
    paused: function (source) {
      if (source !== state.source || state.phase === "idle" || state.phase === "failed") return;
      setPhase("paused");
      setStatus(message("Paused", progress()));
    },
    waiting: function (source) {
      if (source !== state.source) return;
      window.clearTimeout(state.loadingNotice);
      state.loadingNotice = window.setTimeout(function () { setStatus(message("Loading")); }, LOADING_NOTICE_DELAY);
    },
    progress: function (source) {
      if (source === state.source) saveResume(false);
    },
    // The saved whole file plays on by itself: the sentence it is in changes without playSegment.
    moved: function (source, position) {
      if (source !== state.source || state.phase === "idle" || position === state.position) return;
      var paragraph = state.manifest.segments[state.position].paragraph;
      state.position = position;
      state.note = "";
      source.follow(position);
      if (state.manifest.segments[position].paragraph === paragraph) return;
      highlight(position);
      if (state.phase === "playing") setStatus(message(source.readingMessage, progress()));
    },
    ended: function (source, wholeArticle) {
      if (source !== state.source || state.phase === "idle") return;
      if (!wholeArticle && state.position + 1 < state.manifest.segments.length) playSegment(state.position + 1, 0);
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

  // The text node and offset under the pointer, where the browser can tell.
  function caretAt(x, y) {
    if (document.caretPositionFromPoint) {
      var position = document.caretPositionFromPoint(x, y);
      return position && { node: position.offsetNode, offset: position.offset };
    }
    if (document.caretRangeFromPoint) {
      var range = document.caretRangeFromPoint(x, y);
      return range && { node: range.startContainer, offset: range.startOffset };
    }
    return null;
  }

  // The position of the sentence of this block under the caret: the last one that starts at or before it (the
  // block's first when the caret is not in its text).
  function sentenceAt(blockNumber, caret) {
    var found = locateSentences(blockNumber);
    var chosen = found.positions[0];
    if (!caret || !found.map) return chosen;
    var at = -1;
    for (var i = 0; i < found.map.nodes.length; i += 1) {
      if (found.map.nodes[i] !== caret.node) continue;
      at = i; // past the node's last character, the caret is at its end
      if (found.map.offsets[i] >= caret.offset) break;
    }
    if (at < 0) return chosen;
    found.positions.forEach(function (position) {
      var span = found.spans[position];
      if (span && span.start <= at) chosen = position;
    });
    return chosen;
  }

  function readFromClickedSentence(event) {
    if (state.phase === "idle" || !state.manifest) return;
    if (event.target.closest("a, button, input, select, textarea, audio, video, .player")) return;
    var selection = window.getSelection && window.getSelection();
    if (selection && String(selection).length > 0) return; // the reader is selecting text, not choosing
    var block = event.target.closest("[data-seg]");
    if (!block) return;
    var position = sentenceAt(parseInt(block.dataset.seg, 10), caretAt(event.clientX, event.clientY));
    if (position !== undefined) playSegment(position, 0);
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
  view.article.addEventListener("click", readFromClickedSentence);
  window.addEventListener("pagehide", function () { if (state.phase !== "idle") saveResume(true); });
})();
