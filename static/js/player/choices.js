// What the player decides by itself, from plain facts: which file of a sentence it fetches, which source goes on when
// one fails, which of the device's voices reads, and which speed a listener kept. Pure.

// The file of a segment this browser is to fetch: the first of its sources (the server lists them, the lighter Opus
// first, only when the reader saves data) whose MIME type canPlay answers anything but "" for (canPlay is the
// <audio>'s canPlayType: "probably", "maybe" or ""); else the segment's MP3, which every browser plays.
export function playableUrl(segment, canPlay) {
  const sources = Array.isArray(segment.sources) ? segment.sources : [];
  const playable = sources.filter((source) => source && source.url && source.type && canPlay(source.type) !== "");
  return playable.length ? playable[0].url : segment.url;
}

// The source to try after one of kind "server", "saved" or "device" could not play: "saved" (the whole file the
// listener saved, if this browser keeps it) where it was a sentence of the server and the list names the whole
// file; else null, and the player says the server failed and offers the device's voice.
export function fallbackFor(kind, manifest) {
  return kind === "server" && manifest && manifest.audio ? "saved" : null;
}

// The device's Vietnamese voice, one that runs on the device before one over the network; null without one.
export function pickVoice(voices) {
  const vietnamese = voices.filter((voice) => /^vi([-_]|$)/i.test(voice.lang));
  return vietnamese.filter((voice) => voice.localService)[0] || vietnamese[0] || null;
}

// The speed to start at: the one kept, if it is still one of those offered; null for the page's default.
export function restoredSpeed(kept, speeds) {
  return kept && speeds.indexOf(kept) !== -1 ? kept : null;
}

// The playback rate of a speed as the <select> holds it ("1.25").
export function rateOf(speed) {
  return parseFloat(speed) || 1;
}
