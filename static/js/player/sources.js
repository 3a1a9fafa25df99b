// The three sources of the player's sound, behind one interface, so that the controller never asks which one plays:
// - the server's sentences, one file per segment (its Opus under the data saver where the browser plays Opus, else
//   its MP3: choices.playableUrl), on the page's <audio>;
// - the saved whole MP3 ("Lưu để nghe/đọc sau", kept by the service worker), on the same <audio>, where a sentence
//   cannot be fetched (offline, on the road);
// - the device's own voice (speechSynthesis), reading the text already on the page, once the listener chooses it.
//
// Every source answers play(segment, startAt, rate), resume(), pause(), stop(), setRate(rate), time(),
// seekBy(seconds) and prepare(segment); `kind` names it, `readingMessage` is the message shown while it plays, and
// `sentences` says whether it can follow single sentences (else only the paragraph is highlighted). A source
// reports through `events` (playing, paused, waiting, progress, moved, ended, interrupted, failed), passing
// itself, so that one that has been replaced goes unheard.
import { pickVoice, playableUrl } from "./choices.js";
import { estimateStarts, positionAt } from "./locator.js";
import { utterancePieces } from "./text.js";

function watchPlay(playing, source, events) {
  if (!playing || !playing.catch) return;
  playing.catch((error) => {
    // AbortError: a newer load or a pause replaced this play(), as intended.
    if (error && error.name === "AbortError") return;
    if (error && error.name === "NotAllowedError") events.interrupted(source, "Blocked");
    else events.failed(source);
  });
}

// Loading a new source resets playbackRate to defaultPlaybackRate, so both are set.
function setAudioRate(audio, rate) {
  audio.defaultPlaybackRate = rate;
  audio.playbackRate = rate;
}

function seekAudioBy(audio, seconds) {
  audio.currentTime = Math.max(0, Math.min(audio.duration || 0, audio.currentTime + seconds));
}

export function createServerAudio(audio, events) {
  let current = null;
  const prefetched = {};
  const urlOf = (segment) => playableUrl(segment, (type) => audio.canPlayType(type));

  const source = {
    kind: "server",
    readingMessage: "Reading",
    sentences: true,
    play(segment, startAt, rate) {
      current = segment;
      audio.src = urlOf(segment);
      source.setRate(rate);
      if (startAt > 0) {
        audio.addEventListener("loadedmetadata", function seek() {
          audio.removeEventListener("loadedmetadata", seek);
          if (startAt < audio.duration) audio.currentTime = startAt;
        });
      }
      watchPlay(audio.play(), source, events);
    },
    resume() {
      if (!current) return;
      if (!audio.currentSrc || audio.ended) source.play(current, 0, audio.playbackRate);
      else watchPlay(audio.play(), source, events);
    },
    pause() {
      audio.pause();
    },
    stop() {
      current = null;
      audio.pause();
    },
    setRate(rate) {
      setAudioRate(audio, rate);
    },
    time() {
      return audio.currentTime || 0;
    },
    seekBy(seconds) {
      seekAudioBy(audio, seconds);
    },
    prepare(segment) {
      // A HEAD request makes the server synthesize the next segment while this one plays, without spending the
      // listener's data on audio they may never hear. Only a hint: if it fails, play() will say so.
      if (!segment || !window.fetch) return;
      const url = urlOf(segment);
      if (prefetched[url]) return;
      prefetched[url] = true;
      fetch(url, { method: "HEAD", credentials: "same-origin" }).catch(() => {
        prefetched[url] = false;
      });
    },
  };

  audio.addEventListener("playing", () => events.playing(source));
  audio.addEventListener("pause", () => { if (!audio.ended) events.paused(source); });
  audio.addEventListener("waiting", () => events.waiting(source));
  audio.addEventListener("timeupdate", () => events.progress(source));
  audio.addEventListener("ended", () => events.ended(source));
  audio.addEventListener("error", () => { if (current) events.failed(source); });
  return source;
}

// The saved whole MP3, on the same <audio> as the server's sentences (a phone that let that one play lets this one
// too). Where each sentence starts in the file is estimated (locator.estimateStarts), so only the paragraph is
// highlighted: an estimate is close for a paragraph, not for a sentence.
export function createSavedAudio(audio, url, segments, events) {
  let active = false;
  let current = null;
  let starts = null; // seconds into the file at which each segment starts, once its duration is known

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

  const source = {
    kind: "saved",
    readingMessage: "Saved",
    sentences: false,
    play(segment, startAt, rate) {
      active = true;
      current = segment;
      const href = new URL(url, document.baseURI).href;
      if (audio.src !== href) {
        starts = null;
        audio.preload = "auto";
        audio.src = href;
      }
      source.setRate(rate);
      whenLoaded(() => {
        if (!starts) starts = estimateStarts(segments, audio.duration);
        audio.currentTime = Math.min(starts[segments.indexOf(current)] + startAt, audio.duration);
      });
      watchPlay(audio.play(), source, events);
    },
    resume() {
      if (!current) return;
      if (audio.ended) source.play(current, 0, audio.playbackRate);
      else watchPlay(audio.play(), source, events);
    },
    pause() {
      audio.pause();
    },
    stop() {
      active = false;
      current = null;
      audio.pause();
    },
    setRate(rate) {
      setAudioRate(audio, rate);
    },
    // Time into the current sentence, as the server's sentences count it, so that a resumed place means the same.
    time() {
      if (!starts || !current) return 0;
      return Math.max(0, (audio.currentTime || 0) - starts[segments.indexOf(current)]);
    },
    seekBy(seconds) {
      seekAudioBy(audio, seconds);
    },
    prepare() {},
    // The file plays on by itself: the controller tells it which sentence it has reached.
    follow(position) {
      current = segments[position];
    },
  };

  function mine(handler) {
    return () => { if (active) handler(); };
  }

  audio.addEventListener("playing", mine(() => events.playing(source)));
  audio.addEventListener("pause", mine(() => { if (!audio.ended) events.paused(source); }));
  audio.addEventListener("waiting", mine(() => events.waiting(source)));
  audio.addEventListener("timeupdate", mine(() => {
    if (starts && !audio.seeking) events.moved(source, positionAt(starts, audio.currentTime));
    events.progress(source);
  }));
  audio.addEventListener("ended", mine(() => events.ended(source, true)));
  audio.addEventListener("error", mine(() => events.failed(source)));
  return source;
}

// The device's own voice reads the text already on the page (textOf(segment)): it costs no data at all.
export function createDeviceVoice(voice, textOf, events, synth = window.speechSynthesis) {
  let run = 0; // some browsers fire "end" on cancel(): only the current run may move on
  let current = null;
  let speaking = false;
  let rate = 1;

  function speak() {
    const thisRun = (run += 1);
    synth.cancel();
    const pieces = utterancePieces(textOf(current));
    if (!pieces.length) {
      speaking = false;
      events.ended(source);
      return;
    }
    speaking = true;
    pieces.forEach((piece, number) => {
      const utterance = new window.SpeechSynthesisUtterance(piece);
      utterance.lang = "vi-VN";
      if (voice) utterance.voice = voice;
      utterance.rate = rate;
      utterance.addEventListener("error", (event) => {
        // "interrupted" and "canceled" are our own cancel(); anything else is the engine giving up.
        if (thisRun !== run || event.error === "interrupted" || event.error === "canceled") return;
        run += 1;
        speaking = false;
        synth.cancel();
        events.interrupted(source, "DeviceFailed");
      });
      if (number === pieces.length - 1) {
        utterance.addEventListener("end", () => {
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

  const source = {
    kind: "device",
    readingMessage: "Device",
    sentences: true,
    play(segment, startAt, newRate) {
      current = segment;
      rate = newRate;
      speak();
    },
    resume() {
      if (current) speak();
    },
    pause() {
      silence();
      events.paused(source);
    },
    stop: silence,
    setRate(newRate) {
      rate = newRate;
      if (speaking) speak(); // an utterance keeps the rate it was queued with
    },
    time() {
      return 0;
    },
    seekBy() {},
    prepare() {},
  };
  return source;
}

// Whether this browser keeps the article's whole MP3 (saved with "Lưu để nghe/đọc sau"); the service worker serves
// it from there.
export function savedAudioKept(url) {
  if (!url || !window.caches) return Promise.resolve(false);
  return window.caches.match(url, { ignoreVary: true }).then((hit) => !!hit, () => false);
}

// The device's Vietnamese voice (choices.pickVoice), or null, given to callback once the voices are known.
export function findDeviceVoice(callback) {
  if (!("speechSynthesis" in window)) {
    callback(null);
    return;
  }
  const pick = () => pickVoice(window.speechSynthesis.getVoices());
  const voice = pick();
  if (voice) {
    callback(voice);
    return;
  }
  // Voices load asynchronously in Chrome: wait for them, but not forever.
  let answered = false;
  function answer() {
    if (answered) return;
    answered = true;
    callback(pick());
  }
  window.speechSynthesis.addEventListener("voiceschanged", answer);
  window.setTimeout(answer, 1500);
}
