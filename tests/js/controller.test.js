// The controller with stand-ins for the page, the sources and the network: what each press and each report of a
// source does, which source plays after a failure, and the kept place. The browser tests play real audio.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createController, LOADING_NOTICE_DELAY } from "../../static/js/player/controller.js";
import { resumeRecord, parseManifest } from "../../static/js/player/manifest.js";
import { fill } from "../../static/js/player/text.js";

// Title, a paragraph of two sentences, a paragraph of one.
const DATA = {
  version: "v1",
  audio: "/bai-viet/a/nghe.mp3?v=v1",
  segments: [
    { index: 0, url: "/0.mp3", block: 0, text: "Tiêu đề." },
    { index: 1, url: "/1.mp3", block: 1, text: "Câu một." },
    { index: 2, url: "/2.mp3", block: 1, text: "Câu hai." },
    { index: 3, url: "/3.mp3", block: 2, text: "Câu ba." },
  ],
};
// As the player's data-msg-* say them.
const MESSAGES = {
  Loading: "Đang tải âm thanh…",
  Reading: "Đoạn {n}/{total}",
  Sentence: " · câu {s}/{stotal}",
  Paused: "Tạm dừng ở đoạn {n}/{total}{sentence}",
  Resumed: "Nghe tiếp từ đoạn {n}/{total}{sentence}.",
  Ended: "Đã đọc hết bài.",
  Device: "Đang đọc bằng giọng của thiết bị: đoạn {n}/{total}",
  Saved: "Đang phát bản đã lưu · đoạn {n}/{total}",
  Blocked: "Trình duyệt chưa cho phát âm thanh.",
};
const settle = () => new Promise((resolve) => setImmediate(resolve));

function fakeSource(kind, readingMessage, sentences) {
  return {
    kind, readingMessage, sentences, played: [], stopped: 0, resumed: 0, rate: null,
    play(segment, startAt, rate) { this.played.push({ index: segment.index, startAt, rate }); },
    resume() { this.resumed += 1; },
    pause() { this.paused = true; },
    stop() { this.stopped += 1; },
    setRate(rate) { this.rate = rate; },
    time() { return 1.5; },
    seekBy() {},
    prepare(segment) { this.prepared = segment && segment.index; },
    follow(position) { this.followed = position; },
  };
}

// A player with stand-ins; `page` records what the view was asked to show.
function makePlayer({
  manifest = Promise.resolve(DATA), kept = false, voice = { lang: "vi-VN" }, stored = {}, report = undefined,
} = {}) {
  const page = { phases: [], status: "", sentence: "", problem: false, offered: undefined, highlighted: [], mediaSession: 0 };
  const storage = new Map(Object.entries(stored));
  const made = { events: null };
  const timers = [];
  const player = createController({
    view: {
      message: (name, values) => fill(MESSAGES[name], values),
      showPhase: (phase) => page.phases.push(phase),
      setStatus: (text, sentence) => { page.status = text; page.sentence = sentence || ""; },
      showProblem: (shown) => { page.problem = shown; },
      offerDeviceVoice: (offered) => { page.offered = offered; },
      highlight: (list, position, sentences) => page.highlighted.push(position === null ? null : { position, sentences }),
      rate: () => 1.25,
      blockNumbers: () => [0, 1, 2],
      claimMediaSession: () => { page.mediaSession += 1; },
    },
    store: {
      get: (key) => (storage.has(key) ? storage.get(key) : null),
      set: (key, value) => storage.set(key, value),
      remove: (key) => storage.delete(key),
    },
    resumeKey: "docbai.resume.a",
    sources: {
      server: (events) => {
        made.events = events; // every source reports to the same events
        return (made.server = fakeSource("server", "Reading", true));
      },
      saved: (url, segments) => {
        made.savedArgs = { url, segments };
        return (made.saved = fakeSource("saved", "Saved", false));
      },
      device: (deviceVoice) => {
        made.voice = deviceVoice;
        return (made.device = fakeSource("device", "Device", true));
      },
    },
    fetchManifest: () => manifest,
    savedKept: (url) => { made.askedKept = url; return Promise.resolve(kept); },
    findVoice: (callback) => callback(voice),
    clock: {
      now: () => 10_000,
      later: (callback, ms) => timers.push({ callback, ms }),
      cancel: (id) => { if (id) timers[id - 1] = null; },
    },
    report,
  });
  return { player, page, made, storage, timers, phase: () => page.phases[page.phases.length - 1] };
}

test("Đọc bài loads the list and plays the first sentence at the chosen speed, then each next one", async () => {
  const { player, page, made, storage, phase } = makePlayer();
  player.toggleListening();
  assert.equal(phase(), "loading");
  assert.equal(page.status, MESSAGES.Loading);
  await settle();
  assert.deepEqual(made.server.played, [{ index: 0, startAt: 0, rate: 1.25 }]);
  assert.equal(made.server.prepared, 1, "the next sentence is asked for while this one plays");
  assert.equal(page.mediaSession, 1);
  made.events.playing(made.server);
  assert.equal(phase(), "playing");
  assert.equal(page.status, "Đoạn 1/3");
  made.events.ended(made.server);
  made.events.playing(made.server);
  assert.deepEqual(page.highlighted.at(-1), { position: 1, sentences: true });
  assert.equal(page.status, "Đoạn 2/3");
  assert.equal(page.sentence, " · câu 1/2");
  assert.deepEqual(JSON.parse(storage.get("docbai.resume.a")), { v: "v1", position: 1, time: 1.5 });
  made.events.ended(made.server);
  made.events.ended(made.server);
  made.events.ended(made.server);
  assert.equal(phase(), "ended");
  assert.equal(page.status, MESSAGES.Ended);
  assert.equal(storage.has("docbai.resume.a"), false, "read to the end: nothing to resume");
  assert.equal(page.highlighted.at(-1), null);
});

test("pause says where, and Nghe goes on from there", async () => {
  const { player, page, made, phase } = makePlayer();
  player.toggleListening();
  await settle();
  player.skip(1);
  made.events.playing(made.server);
  player.playOrPause();
  made.events.paused(made.server);
  assert.equal(phase(), "paused");
  assert.equal(page.status, "Tạm dừng ở đoạn 2/3 · câu 1/2");
  player.playOrPause();
  assert.equal(made.server.resumed, 1);
});

test("the listener goes on where they stopped, with a note that says so", async () => {
  const stored = { "docbai.resume.a": resumeRecord(parseManifest(DATA), 2, 4.5) };
  const { player, page, made } = makePlayer({ stored });
  player.toggleListening();
  await settle();
  assert.deepEqual(made.server.played, [{ index: 2, startAt: 4.5, rate: 1.25 }]);
  assert.equal(page.status, "Nghe tiếp từ đoạn 2/3 · câu 2/2.");
  made.events.playing(made.server);
  assert.equal(page.status, "Nghe tiếp từ đoạn 2/3 · câu 2/2.", "the note stays while that sentence plays");
});

test("the paragraph buttons go to a paragraph's first sentence, never past the ends", async () => {
  const { player, made } = makePlayer();
  player.toggleListening();
  await settle();
  player.skip(1);
  player.skip(1);
  player.skip(1);
  player.skip(-1);
  assert.deepEqual(made.server.played.map((play) => play.index), [0, 1, 3, 1]);
});

test("a sentence the server cannot give plays from the saved whole file, where the browser keeps it", async () => {
  const { player, page, made, phase } = makePlayer({ kept: true });
  player.toggleListening();
  await settle();
  player.skip(1);
  made.events.failed(made.server);
  assert.equal(made.server.stopped, 1);
  await settle();
  assert.equal(made.askedKept, DATA.audio);
  assert.equal(made.savedArgs.url, DATA.audio);
  assert.deepEqual(made.saved.played, [{ index: 1, startAt: 0, rate: 1.25 }]);
  assert.deepEqual(page.highlighted.at(-1), { position: 1, sentences: false }, "the saved file shows the paragraph only");
  made.events.playing(made.server);
  assert.equal(phase(), "loading", "the replaced source goes unheard");
  made.events.playing(made.saved);
  assert.equal(page.status, "Đang phát bản đã lưu · đoạn 2/3");
  // The file plays on by itself: a new paragraph is highlighted and said, a new sentence of the same one is not.
  made.events.moved(made.saved, 2);
  assert.equal(made.saved.followed, 2);
  assert.deepEqual(page.highlighted.at(-1), { position: 1, sentences: false });
  made.events.moved(made.saved, 3);
  assert.deepEqual(page.highlighted.at(-1), { position: 3, sentences: false });
  assert.equal(page.status, "Đang phát bản đã lưu · đoạn 3/3");
  made.events.ended(made.saved, true);
  assert.equal(phase(), "ended");
});

test("without a saved file the failure is said and the device's voice offered; it then reads the same sentence", async () => {
  const voice = { lang: "vi-VN", name: "Giọng thử" };
  const { player, page, made, phase } = makePlayer({ voice });
  player.toggleListening();
  await settle();
  made.events.failed(made.server);
  await settle();
  assert.equal(phase(), "failed");
  assert.equal(page.problem, true);
  assert.equal(page.offered, voice);
  assert.equal(made.saved, undefined);
  player.useDeviceVoice();
  assert.equal(made.voice, voice);
  assert.deepEqual(made.device.played, [{ index: 0, startAt: 0, rate: 1.25 }]);
  assert.equal(page.problem, false);
  made.events.playing(made.device);
  assert.equal(page.status, "Đang đọc bằng giọng của thiết bị: đoạn 1/3");
});

test("when the saved file fails too, the failure is said", async () => {
  const { player, made, phase } = makePlayer({ kept: true });
  player.toggleListening();
  await settle();
  made.events.failed(made.server);
  await settle();
  made.events.failed(made.saved);
  assert.equal(phase(), "failed");
  player.play(); // asks the server again: it may be back
  await settle();
  assert.deepEqual(made.server.played.map((play) => play.index), [0, 0]);
});

test("without the server's list, the device's voice reads every numbered block of the page", async () => {
  const { player, page, made, phase } = makePlayer({ manifest: Promise.reject(new Error("offline")), voice: null });
  player.toggleListening();
  await settle();
  assert.equal(phase(), "failed");
  assert.equal(page.offered, null, "no Vietnamese voice: the page says so instead");
  player.useDeviceVoice();
  assert.deepEqual(made.device.played, [{ index: 0, startAt: 0, rate: 1.25 }]);
  assert.equal(player.manifest.version, "device");
  assert.deepEqual(player.manifest.segments.map((segment) => segment.block), [0, 1, 2]);
});

test("stopped while the list is on its way, the player stays stopped", async () => {
  const { player, made, phase } = makePlayer();
  player.toggleListening();
  player.toggleListening();
  await settle();
  assert.equal(phase(), "idle");
  assert.deepEqual(made.server.played, []);
});

test("a short wait is not announced as loading; a longer one is", async () => {
  const { player, page, made, timers } = makePlayer();
  player.toggleListening();
  await settle();
  made.events.playing(made.server);
  made.events.waiting(made.server);
  assert.equal(timers.at(-1).ms, LOADING_NOTICE_DELAY);
  assert.equal(page.status, "Đoạn 1/3");
  timers.at(-1).callback();
  assert.equal(page.status, MESSAGES.Loading);
});

test("a blocked autoplay pauses and says why", async () => {
  const { player, page, made, phase } = makePlayer();
  player.toggleListening();
  await settle();
  made.events.interrupted(made.server, "Blocked");
  assert.equal(phase(), "paused");
  assert.equal(page.status, MESSAGES.Blocked);
});

test("the statistics hear of each sentence the server's audio sounds, of a pause and of the end", async () => {
  const told = [];
  const report = {
    begin: () => told.push("begin"), heard: (index) => told.push(index), ended: () => told.push("ended"),
    flush: () => told.push("flush"),
  };
  const { player, made } = makePlayer({ report });
  player.toggleListening();
  await settle();
  made.events.playing(made.server);
  made.events.ended(made.server);
  made.events.playing(made.server);
  player.playOrPause();
  made.events.paused(made.server);
  player.playOrPause();
  made.events.playing(made.server);
  made.events.ended(made.server);
  made.events.playing(made.server);
  made.events.ended(made.server);
  made.events.playing(made.server);
  made.events.ended(made.server);
  assert.deepEqual(told, ["begin", 0, 1, "flush", 1, 2, 3, "ended"]);
});

test("the device's voice reads blocks, not the server's sentences: nothing is told of them", async () => {
  const told = [];
  const report = { begin() {}, heard: (index) => told.push(index), ended() {}, flush() {} };
  const { player, made } = makePlayer({ manifest: Promise.reject(new Error("offline")), report });
  player.toggleListening();
  await settle();
  player.useDeviceVoice();
  made.events.playing(made.device);
  assert.deepEqual(told, []);
});
