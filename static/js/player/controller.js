// The player's state (what is playing and where) and what it does on each press and each report of a source. It
// touches no page: the view shows, the sources make the sound (sources.js), and everything else it needs comes in
// as plain functions, so that node --test can drive it with stand-ins.
//
// phase is what the player is doing, shown as data-state: idle (not listening), loading, playing, paused, ended
// (read to the end) or failed (the server could not give audio). The player talks only to state.source; which
// source that is gets decided here, in failed() and useDeviceVoice().
import { fallbackFor } from "./choices.js";
import { paragraphStep } from "./locator.js";
import { deviceManifest, parseManifest, progress, resumePlace, resumeRecord } from "./manifest.js";

export const LOADING_NOTICE_DELAY = 700; // ms: a quick change of sentence is not announced as loading
export const RESUME_SAVE_INTERVAL = 3000; // ms between two saves of the place while it plays

// view: message(name, values), showPhase(phase), setStatus(text, sentence), showProblem(shown),
//   offerDeviceVoice(voice), highlight(manifest, position or null, sentences), rate(), blockNumbers(),
//   claimMediaSession();
// store: get(key), set(key, value), remove(key), which may lose what they are given;
// sources: server(events), saved(url, segments, events), device(voice, events) (see sources.js);
// fetchManifest() → a promise of nghe.json's data; savedKept(url) → a promise of whether the browser keeps it;
// findVoice(callback); clock: now(), later(callback, ms) → id, cancel(id);
// report: begin(), heard(index), ended(), flush() (report.js), told what the listener hears for the statistics.
const NO_REPORT = { begin() {}, heard() {}, ended() {}, flush() {} };

export function createController({
  view, store, resumeKey, sources, fetchManifest, savedKept, findVoice, clock, report = NO_REPORT,
}) {
  const state = {
    phase: "idle",
    manifest: null, // parseManifest's numbered list, or deviceManifest's when the server's never came
    manifestRequest: null,
    position: 0, // index into manifest.segments
    note: "", // shown instead of the counter while a resumed sentence plays
    savedAt: 0,
    loadingNotice: 0,
    source: null, // the server's audio, the saved whole MP3 when offline, or the device's voice once chosen
    saved: null, // the saved whole MP3's source, made the first time a sentence cannot be fetched
    voice: null, // the device's Vietnamese voice, looked for when the server fails
  };

  // Where the listener is, with " · câu s/stotal" in {sentence} in a paragraph of several sentences.
  function where() {
    const values = progress(state.manifest, state.position);
    values.sentence = values.stotal > 1 ? view.message("Sentence", values) : "";
    return values;
  }

  function setStatus(text, sentence) {
    clock.cancel(state.loadingNotice);
    view.setStatus(text, sentence);
  }

  function setPhase(phase) {
    state.phase = phase;
    view.showPhase(phase);
  }

  function highlight(position) {
    view.highlight(state.manifest, position, state.source.sentences);
  }

  // The place the listener stopped is kept per article and per list version.
  function saveResume(force) {
    if (!state.manifest) return;
    const now = clock.now();
    if (!force && now - state.savedAt < RESUME_SAVE_INTERVAL) return;
    state.savedAt = now;
    store.set(resumeKey, resumeRecord(state.manifest, state.position, state.source.time()));
  }

  function loadManifest() {
    if (!state.manifestRequest) {
      state.manifestRequest = fetchManifest()
        .then((data) => {
          state.manifest = parseManifest(data);
          return state.manifest;
        })
        .catch((error) => {
          state.manifestRequest = null; // let a later press try again
          throw error;
        });
    }
    return state.manifestRequest;
  }

  function playSegment(next, startAt) {
    if (next !== state.position) state.note = "";
    state.position = Math.max(0, Math.min(next, state.manifest.segments.length - 1));
    const segment = state.manifest.segments[state.position];
    view.showProblem(false); // a new attempt: the message comes back if it fails again
    setPhase("loading");
    highlight(state.position);
    state.source.play(segment, startAt, view.rate());
    state.source.prepare(state.manifest.segments[state.position + 1]);
    saveResume(true);
  }

  // The server's sentence at this position is sounding (the device's voice reads blocks, not the server's sentences).
  function reportHeard(source, position) {
    if (source.kind !== "device") report.heard(state.manifest.segments[position].index);
  }

  function startListening() {
    report.begin();
    setPhase("loading");
    view.showProblem(false);
    setStatus(view.message("Loading"));
    loadManifest().then(
      () => {
        if (state.phase === "idle") return; // stopped while the list was on its way
        view.claimMediaSession();
        const place = resumePlace(store.get(resumeKey), state.manifest);
        if (place) {
          playSegment(place.position, place.time);
          state.note = view.message("Resumed", where());
          setStatus(state.note);
        } else {
          playSegment(0, 0);
        }
      },
      () => failed(server)
    );
  }

  function stopListening() {
    state.source.pause();
    saveResume(true);
    report.flush();
    setPhase("idle");
    setStatus("");
    view.showProblem(false);
    view.highlight(state.manifest, null);
  }

  function pause() {
    state.source.pause();
    saveResume(true);
    report.flush();
  }

  function play() {
    if (state.phase === "idle" || state.phase === "failed" || !state.manifest) startListening();
    else if (state.phase === "ended") playSegment(0, 0);
    else state.source.resume();
  }

  // Previous and next go by paragraph, to its first sentence.
  function skip(step) {
    if (!state.manifest) {
      play();
      return;
    }
    const next = paragraphStep(state.manifest, state.position, step);
    if (next !== undefined) playSegment(next, 0);
  }

  function finish() {
    report.ended();
    setPhase("ended");
    setStatus(view.message("Ended"));
    store.remove(resumeKey);
    view.highlight(state.manifest, null);
  }

  // A sentence the server cannot give goes on from the saved whole MP3 where there is one; else the player says so
  // and offers the device's voice.
  function failed(source) {
    if (source !== state.source || state.phase === "failed" || state.phase === "idle") return;
    source.stop();
    if (fallbackFor(source.kind, state.manifest) !== "saved") {
      showFailure();
      return;
    }
    savedKept(state.manifest.audio).then((kept) => {
      if (source !== state.source || state.phase === "idle") return;
      if (!kept) {
        showFailure();
        return;
      }
      if (!state.saved) state.saved = sources.saved(state.manifest.audio, state.manifest.segments, events);
      state.source = state.saved;
      playSegment(state.position, 0);
    });
  }

  function showFailure() {
    // A later press of Nghe asks the server again (it may be back), then the saved file.
    state.source = server;
    setPhase("failed");
    setStatus("");
    view.showProblem(true); // role="alert" says it
    findVoice((voice) => {
      state.voice = voice;
      view.offerDeviceVoice(voice);
    });
  }

  function useDeviceVoice() {
    state.source.stop();
    state.source = sources.device(state.voice, events);
    // Without the server's list, every numbered block on the page is read in order, each as one segment.
    if (!state.manifest) state.manifest = deviceManifest(view.blockNumbers());
    playSegment(state.position, 0);
  }

  const events = {
    playing(source) {
      if (source !== state.source || state.phase === "idle") return;
      setPhase("playing");
      reportHeard(source, state.position);
      if (state.note) setStatus(state.note);
      else setStatus(view.message(source.readingMessage, where()), source.sentences ? where().sentence : "");
    },
    paused(source) {
      if (source !== state.source || state.phase === "idle" || state.phase === "failed") return;
      setPhase("paused");
      setStatus(view.message("Paused", where()));
    },
    waiting(source) {
      if (source !== state.source) return;
      clock.cancel(state.loadingNotice);
      state.loadingNotice = clock.later(() => setStatus(view.message("Loading")), LOADING_NOTICE_DELAY);
    },
    progress(source) {
      if (source === state.source) saveResume(false);
    },
    // The saved whole file plays on by itself: the sentence it is in changes without playSegment.
    moved(source, position) {
      if (source !== state.source || state.phase === "idle" || position === state.position) return;
      const paragraph = state.manifest.segments[state.position].paragraph;
      state.position = position;
      state.note = "";
      source.follow(position);
      if (state.phase === "playing") reportHeard(source, position);
      if (state.manifest.segments[position].paragraph === paragraph) return;
      highlight(position);
      if (state.phase === "playing") setStatus(view.message(source.readingMessage, where()));
    },
    ended(source, wholeArticle) {
      if (source !== state.source || state.phase === "idle") return;
      if (!wholeArticle && state.position + 1 < state.manifest.segments.length) playSegment(state.position + 1, 0);
      else finish();
    },
    interrupted(source, messageName) {
      // Stopped by something other than the listener (a blocked autoplay, a failing voice): say why.
      if (source !== state.source || state.phase === "idle") return;
      setPhase("paused");
      setStatus(view.message(messageName, where()));
    },
    failed,
  };

  const server = sources.server(events);
  state.source = server;

  return {
    get phase() {
      return state.phase;
    },
    get manifest() {
      return state.manifest;
    },
    toggleListening() {
      if (state.phase === "idle") startListening();
      else stopListening();
    },
    playOrPause() {
      if (state.phase === "playing" || state.phase === "loading") pause();
      else play();
    },
    play,
    pause,
    stop: stopListening,
    skip,
    useDeviceVoice,
    // A sentence the listener chose (undefined: none).
    readFrom(position) {
      if (position !== undefined) playSegment(position, 0);
    },
    setRate(rate) {
      state.source.setRate(rate);
    },
    seekBy(seconds) {
      state.source.seekBy(seconds);
    },
    // The page is going away: the place is kept now, not at the next save.
    leave() {
      if (state.phase !== "idle") saveResume(true);
      report.flush();
    },
  };
}
