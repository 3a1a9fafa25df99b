// The segment list: numbering paragraphs and sentences, the device's own list, where a position is, the kept place.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  deviceManifest, parseManifest, placeSegments, progress, resumePlace, resumeRecord,
} from "../../static/js/player/manifest.js";

// Block 0 is the title (one sentence), block 1 a paragraph of three sentences, block 4 one of two.
const DATA = {
  version: "v1",
  audio: "/bai-viet/a/nghe.mp3?v=v1",
  segments: [
    { index: 0, block: 0, text: "Tiêu đề." },
    { index: 1, block: 1, text: "Câu một." },
    { index: 2, block: 1, text: "Câu hai." },
    { index: 3, block: 1, text: "Câu ba." },
    { index: 4, block: 4, text: "Câu bốn." },
    { index: 5, block: 4, text: "Câu năm." },
  ],
};

test("each segment gets its paragraph, its sentence in it and the paragraph's number of sentences", () => {
  const manifest = parseManifest(DATA);
  assert.deepEqual(manifest.paragraphStarts, [0, 1, 4]);
  assert.deepEqual(
    manifest.segments.map((segment) => [segment.paragraph, segment.sentence, segment.sentences]),
    [[0, 0, 1], [1, 0, 3], [1, 1, 3], [1, 2, 3], [2, 0, 2], [2, 1, 2]]
  );
  assert.equal(manifest.version, "v1");
  assert.equal(manifest.audio, DATA.audio);
  assert.equal(DATA.segments[1].paragraph, undefined, "the server's data is left as it came");
});

test("a block read again after another one starts a new paragraph", () => {
  const { paragraphStarts } = placeSegments([{ block: 1 }, { block: 2 }, { block: 1 }]);
  assert.deepEqual(paragraphStarts, [0, 1, 2]);
});

test("a list with nothing to read is refused", () => {
  for (const data of [null, {}, { segments: [] }, { segments: "abc" }]) {
    assert.throws(() => parseManifest(data), /no segments/);
  }
});

test("the device's list reads every numbered block once", () => {
  const manifest = deviceManifest([0, 1, 3]);
  assert.equal(manifest.version, "device");
  const placed = manifest.segments.map((segment) => [segment.index, segment.block, segment.paragraph]);
  assert.deepEqual(placed, [[0, 0, 0], [1, 1, 1], [3, 3, 2]]);
  assert.deepEqual(manifest.paragraphStarts, [0, 1, 2]);
});

test("progress says paragraph n of total and sentence s of the paragraph's", () => {
  const manifest = parseManifest(DATA);
  assert.deepEqual(progress(manifest, 2), { n: 2, total: 3, s: 2, stotal: 3 });
  assert.deepEqual(progress(manifest, 5), { n: 3, total: 3, s: 2, stotal: 2 });
  assert.deepEqual(progress(manifest, 9), { n: 0, total: 0 });
  assert.deepEqual(progress(null, 0), { n: 0, total: 0 });
});

test("a kept place comes back for the same list, past the first second", () => {
  const manifest = parseManifest(DATA);
  assert.deepEqual(resumePlace(resumeRecord(manifest, 3, 0.5), manifest), { position: 3, time: 0.5 });
  assert.deepEqual(resumePlace(resumeRecord(manifest, 0, 4.2), manifest), { position: 0, time: 4.2 });
  assert.equal(resumePlace(resumeRecord(manifest, 0, 0.4), manifest), null, "the very start is no place to resume");
});

test("a place kept for another version, out of the list or unreadable is forgotten", () => {
  const manifest = parseManifest(DATA);
  const other = parseManifest(Object.assign({}, DATA, { version: "v2" }));
  assert.equal(resumePlace(resumeRecord(other, 2, 3), manifest), null);
  assert.equal(resumePlace(resumeRecord(manifest, 6, 3), manifest), null);
  assert.equal(resumePlace(JSON.stringify({ v: "v1", position: "2", time: 3 }), manifest), null);
  assert.equal(resumePlace("{not json", manifest), null);
  assert.equal(resumePlace(null, manifest), null);
});
