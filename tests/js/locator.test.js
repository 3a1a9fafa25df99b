// The sentence locator: where each sentence is in its block's text, the sentence at a character, the paragraph
// before or after, and where a sentence starts in the saved whole file. No page: text comes in as strings.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  blockPositions, charIndexAt, compact, estimateStarts, paragraphStep, positionAt, sentenceAt, sentenceSpans,
} from "../../static/js/player/locator.js";
import { parseManifest } from "../../static/js/player/manifest.js";

const SEGMENTS = [
  { block: 0, text: "Huyện tổng kết năm." },
  { block: 1, text: "Xã Đồng Lâm về đích sớm nhất." },
  { block: 1, text: "Bà con trong xã rất vui mừng." },
  { block: 2, text: "Đoạn cuối." },
];

test("a block's sentences are its segments, in order", () => {
  assert.deepEqual(blockPositions(SEGMENTS, 1), [1, 2]);
  assert.deepEqual(blockPositions(SEGMENTS, 7), []);
});

test("each sentence is found in its block's text whatever the spaces and line breaks", () => {
  const text = compact("Xã Đồng Lâm về đích\n  sớm nhất.   Bà con trong xã rất vui mừng.");
  const spans = sentenceSpans(text, SEGMENTS, [1, 2]);
  assert.equal(text.slice(spans[1].start, spans[1].end), compact(SEGMENTS[1].text));
  assert.equal(text.slice(spans[2].start, spans[2].end), compact(SEGMENTS[2].text));
});

test("a sentence the page shows with something inside runs to the next sentence found", () => {
  // A photo note the server does not read sits inside the first sentence on the page, past its first characters.
  const segments = [{ block: 1, text: "Xã Đồng Lâm về đích nông thôn mới sớm nhất." }, SEGMENTS[2]];
  const text = compact("Xã Đồng Lâm về đích nông thôn mới (Ảnh: Minh Anh) sớm nhất. Bà con trong xã rất vui mừng.");
  const spans = sentenceSpans(text, segments, [0, 1]);
  assert.equal(spans[0].start, 0);
  assert.equal(spans[0].end, spans[1].start);
  assert.equal(text.slice(spans[1].start, spans[1].end), compact(SEGMENTS[2].text));
});

test("a sentence that is not on the page has no span; the others still do", () => {
  const text = compact("Bà con trong xã rất vui mừng.");
  const spans = sentenceSpans(text, SEGMENTS, [1, 2]);
  assert.equal(spans[1], undefined);
  assert.deepEqual(spans[2], { start: 0, end: text.length });
});

test("two sentences that begin alike are found one after the other", () => {
  const segments = [
    { block: 1, text: "Hội nghị đề ra 21 chỉ tiêu cho năm 2027 và năm sau." },
    { block: 1, text: "Hội nghị đề ra 21 chỉ tiêu cho năm 2027." },
  ];
  const text = compact(segments.map((segment) => segment.text).join(" "));
  const spans = sentenceSpans(text, segments, [0, 1]);
  assert.equal(spans[0].start, 0);
  assert.equal(spans[1].start, compact(segments[0].text).length);
});

test("the sentence at a character is the last one starting at or before it", () => {
  const spans = { 1: { start: 0, end: 20 }, 2: { start: 20, end: 40 } };
  assert.equal(sentenceAt([1, 2], spans, 0), 1);
  assert.equal(sentenceAt([1, 2], spans, 19), 1);
  assert.equal(sentenceAt([1, 2], spans, 20), 2);
  assert.equal(sentenceAt([1, 2], spans, 39), 2);
  assert.equal(sentenceAt([1, 2], spans, -1), 1, "off the text: the block's first sentence");
  assert.equal(sentenceAt([1, 2], { 2: { start: 20, end: 40 } }, 5), 1, "before every sentence found: the first");
  assert.equal(sentenceAt([], {}, 5), undefined);
});

test("the caret's character is found by its node and offset; past a node's end it is that node's last", () => {
  // Two text nodes, "ab" and "cde", stand for the page's; any object compares the same way.
  const first = {};
  const second = {};
  const nodes = [first, first, second, second, second];
  const offsets = [0, 1, 0, 1, 2];
  assert.equal(charIndexAt(nodes, offsets, first, 0), 0);
  assert.equal(charIndexAt(nodes, offsets, second, 1), 3);
  assert.equal(charIndexAt(nodes, offsets, second, 3), 4);
  assert.equal(charIndexAt(nodes, offsets, {}, 0), -1);
});

test("previous and next go to a paragraph's first sentence, and nowhere past either end", () => {
  const manifest = parseManifest({ version: "v", segments: SEGMENTS });
  assert.equal(paragraphStep(manifest, 2, -1), 0);
  assert.equal(paragraphStep(manifest, 2, 1), 3);
  assert.equal(paragraphStep(manifest, 0, 1), 1);
  assert.equal(paragraphStep(manifest, 0, -1), undefined);
  assert.equal(paragraphStep(manifest, 3, 1), undefined);
});

test("in the whole file, each sentence starts after what is said before it", () => {
  const segments = [{ spoken: "a".repeat(4) }, { text: "b".repeat(14) }, { spoken: "c".repeat(4), text: "ignored" }];
  // Weights 10, 20 and 10 (the pause counts 6): 100 seconds split 25, 50, 25.
  const starts = estimateStarts(segments, 100);
  assert.deepEqual(starts, [0, 25, 75]);
  assert.equal(positionAt(starts, 0), 0);
  assert.equal(positionAt(starts, 24.9), 0);
  assert.equal(positionAt(starts, 25), 1);
  assert.equal(positionAt(starts, 99), 2);
  assert.deepEqual(estimateStarts([], 100), []);
});
