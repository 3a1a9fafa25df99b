// The player's own choices: the source after a failure, the device's voice, the speed kept.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fallbackFor, pickVoice, playableUrl, rateOf, restoredSpeed } from "../../static/js/player/choices.js";

// What canPlayType answers in browsers of each kind for the types the server names.
const chrome = (type) => (/^audio\/(mpeg|ogg; codecs=opus)$/.test(type) ? "probably" : "");
const oldSafari = (type) => (type === "audio/mpeg" ? "maybe" : "");
const lightSegment = {
  url: "/bai-viet/a/nghe/3.mp3?v=1",
  sources: [
    { url: "/bai-viet/a/nghe/3.opus?v=1", type: "audio/ogg; codecs=opus" },
    { url: "/bai-viet/a/nghe/3.mp3?v=1", type: "audio/mpeg" },
  ],
};

test("under the data saver a browser that plays Opus fetches the Opus file", () => {
  assert.equal(playableUrl(lightSegment, chrome), "/bai-viet/a/nghe/3.opus?v=1");
  assert.equal(playableUrl(lightSegment, (type) => (type.indexOf("opus") !== -1 ? "maybe" : "")),
    "/bai-viet/a/nghe/3.opus?v=1", "maybe is a yes");
});

test("a browser without Opus, or a list without sources, gets the MP3", () => {
  assert.equal(playableUrl(lightSegment, oldSafari), "/bai-viet/a/nghe/3.mp3?v=1");
  assert.equal(playableUrl(lightSegment, () => ""), "/bai-viet/a/nghe/3.mp3?v=1", "nothing playable: the MP3 all the same");
  assert.equal(playableUrl({ url: "/bai-viet/a/nghe/3.mp3?v=1" }, chrome), "/bai-viet/a/nghe/3.mp3?v=1");
  assert.equal(playableUrl({ url: "/x.mp3", sources: "junk" }, chrome), "/x.mp3");
  assert.equal(playableUrl({ url: "/x.mp3", sources: [{ url: "/x.opus" }] }, chrome), "/x.mp3", "no type: not asked");
});

test("the server's order decides between sources the browser plays", () => {
  const segment = { url: "/x.mp3", sources: [{ url: "/x.mp3", type: "audio/mpeg" }, { url: "/x.opus", type: "audio/ogg; codecs=opus" }] };
  assert.equal(playableUrl(segment, chrome), "/x.mp3");
});

test("only a sentence of the server falls back to the saved whole file, and only where the list names it", () => {
  const manifest = { audio: "/bai-viet/a/nghe.mp3?v=1" };
  assert.equal(fallbackFor("server", manifest), "saved");
  assert.equal(fallbackFor("saved", manifest), null, "the saved file failing: say so");
  assert.equal(fallbackFor("device", manifest), null);
  assert.equal(fallbackFor("server", null), null, "the list itself never came");
  assert.equal(fallbackFor("server", {}), null);
});

test("the device's Vietnamese voice, one on the device first", () => {
  const remote = { lang: "vi-VN", localService: false };
  const local = { lang: "vi_VN", localService: true };
  const english = { lang: "en-US", localService: true };
  assert.equal(pickVoice([english, remote, local]), local);
  assert.equal(pickVoice([english, remote]), remote);
  assert.equal(pickVoice([{ lang: "vi", localService: false }]).lang, "vi");
  assert.equal(pickVoice([english, { lang: "vie" }]), null);
  assert.equal(pickVoice([]), null);
});

test("a kept speed comes back only if it is still offered", () => {
  const speeds = ["0.75", "1", "1.25", "1.5", "1.75", "2"];
  assert.equal(restoredSpeed("1.5", speeds), "1.5");
  assert.equal(restoredSpeed("3", speeds), null);
  assert.equal(restoredSpeed(null, speeds), null);
  assert.equal(rateOf("1.25"), 1.25);
  assert.equal(rateOf(""), 1);
});
