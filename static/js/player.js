// Đọc bài: plays an article sentence by sentence from the server's per-sentence MP3s, so that sound starts after
// the first (short) sentence. Without this script the page keeps the browser's own <audio> of the whole article.
//
// This module only puts the player together and connects it to the page; each job has its own module in player/:
//   controller.js  the state, and what each press and each report of a source does (no page);
//   sources.js     the three sources of sound behind one interface: the server's sentences, the saved whole MP3,
//                  the device's own voice;
//   bar.js         the player's controls, status line and messages, and the system's media controls;
//   highlight.js   the sentence being read, shown in the article, and the sentence under a click;
//   report.js      what a play tells the server for the newsroom's statistics (started, sentences reached, ended);
//   manifest.js, locator.js, choices.js, text.js: pure logic (the segment list, where a sentence is, the player's
//                  own choices, its text), unit-tested with node --test in tests/js/.
import { claimMediaSession, createBar } from "./player/bar.js";
import { restoredSpeed } from "./player/choices.js";
import { createController } from "./player/controller.js";
import { createHighlighter } from "./player/highlight.js";
import { createPlayReport } from "./player/report.js";
import {
  createDeviceVoice, createSavedAudio, createServerAudio, findDeviceVoice, savedAudioKept,
} from "./player/sources.js";

const SPEED_KEY = "docbai.speed";

// Private browsing or a full quota only costs the remembered speed and place: the player goes on.
const store = {
  get(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (error) {
      return null;
    }
  },
  set(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (error) {
      // not kept
    }
  },
  remove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (error) {
      // not removed
    }
  },
};

const clock = {
  now: () => Date.now(),
  later: (callback, ms) => window.setTimeout(callback, ms),
  cancel: (id) => window.clearTimeout(id),
};

function loadStylesheet(href, ready) {
  // The bar's styles come with this script, not in every page's inlined stylesheet.
  if (!href) {
    ready();
    return;
  }
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  link.addEventListener("load", ready);
  link.addEventListener("error", ready);
  document.head.appendChild(link);
}

// The statistics' beacon: a form POST without credentials' need (no cookie is read), sent even as the page goes away.
function sendReport(url, fields) {
  const body = new URLSearchParams(fields);
  try {
    if (navigator.sendBeacon && navigator.sendBeacon(url, body)) return;
  } catch (error) {
    // a refused beacon: try fetch
  }
  fetch(url, { method: "POST", body, keepalive: true, credentials: "omit" }).catch(() => {});
}

function start(root) {
  const audio = root.querySelector("audio");
  const article = root.closest("article") || document;
  const listenLink = document.querySelector("[data-listen-link]");
  const listenButton = document.querySelector("[data-listen-button]");
  const bar = createBar(root, listenButton);
  const highlighter = createHighlighter(root, article, bar.element);

  // The device's voice reads what the server would say; without the server's list, the block's text on the page.
  function segmentText(segment) {
    return segment.spoken || segment.text || highlighter.blockText(segment.block);
  }

  // The newsroom's preview passes no report URL: staff listening is not counted.
  const reportUrl = root.dataset.report;
  const report = reportUrl ? createPlayReport((fields) => sendReport(reportUrl, fields)) : undefined;

  const player = createController({
    view: {
      message: bar.message,
      showPhase: bar.showPhase,
      setStatus: bar.setStatus,
      showProblem: bar.showProblem,
      offerDeviceVoice: bar.offerDeviceVoice,
      rate: bar.rate,
      highlight: highlighter.show,
      blockNumbers: highlighter.blockNumbers,
      claimMediaSession: () => claimMediaSession(root, player),
    },
    store,
    resumeKey: "docbai.resume." + root.dataset.slug,
    sources: {
      server: (events) => createServerAudio(audio, events),
      saved: (url, segments, events) => createSavedAudio(audio, url, segments, events),
      device: (voice, events) => createDeviceVoice(voice, segmentText, events),
    },
    fetchManifest: () =>
      fetch(root.dataset.manifest, { credentials: "same-origin" }).then((response) => {
        if (!response.ok) throw new Error("manifest " + response.status);
        return response.json();
      }),
    savedKept: savedAudioKept,
    findVoice: findDeviceVoice,
    clock,
    report,
  });

  function readFromClickedSentence(event) {
    if (player.phase === "idle" || !player.manifest) return;
    if (event.target.closest("a, button, input, select, textarea, audio, video, .player")) return;
    const selection = window.getSelection && window.getSelection();
    if (selection && String(selection).length > 0) return; // the reader is selecting text, not choosing
    const block = event.target.closest("[data-seg]");
    if (!block) return;
    player.readFrom(highlighter.sentenceAtPoint(player.manifest, block, event.clientX, event.clientY));
  }

  // Take over the page's plain <audio controls> (kept for JavaScript-off): from now on "Đọc bài" is the one control
  // that starts listening, and the bar with the other controls appears when it is pressed.
  loadStylesheet(root.dataset.stylesheet, () => {
    audio.removeAttribute("controls");
    audio.hidden = true;
    audio.preload = "none";
    if (listenLink) listenLink.hidden = true;
    listenButton.hidden = false;
  });
  const speed = restoredSpeed(store.get(SPEED_KEY), bar.speeds());
  if (speed) bar.speed.value = speed;

  listenButton.addEventListener("click", () => player.toggleListening());
  root.querySelector('[data-action="play"]').addEventListener("click", () => player.playOrPause());
  root.querySelector('[data-action="previous"]').addEventListener("click", () => player.skip(-1));
  root.querySelector('[data-action="next"]').addEventListener("click", () => player.skip(1));
  root.querySelector('[data-action="device-voice"]').addEventListener("click", () => player.useDeviceVoice());
  bar.speed.addEventListener("change", () => {
    store.set(SPEED_KEY, bar.speed.value);
    player.setRate(bar.rate());
  });
  article.addEventListener("click", readFromClickedSentence);
  window.addEventListener("pagehide", () => player.leave());
  if (report) {
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") report.flush();
    });
  }
}

const root = document.querySelector(".player[data-manifest]");
if (root) start(root);
