// The player's text: messages filled in, and the pieces the device's voice is given.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fill, UTTERANCE_CHARS, utterancePieces } from "../../static/js/player/text.js";

test("a message gets every {name}, as often as it appears", () => {
  assert.equal(fill("Đoạn {n}/{total}{sentence}", { n: 2, total: 5, sentence: " · câu 1/3" }), "Đoạn 2/5 · câu 1/3");
  assert.equal(fill("{n} và {n}", { n: 1 }), "1 và 1");
  assert.equal(fill(undefined, { n: 1 }), "");
  assert.equal(fill("Đã đọc hết bài."), "Đã đọc hết bài.");
});

test("a sentence is one utterance, its spaces tidied", () => {
  assert.deepEqual(utterancePieces("  Một câu\n ngắn.  "), ["Một câu ngắn."]);
  assert.deepEqual(utterancePieces("   "), []);
});

test("a very long text is cut after a comma where it can be, every piece within the limit", () => {
  const clause = "nhiều thôn đã có điện lưới quốc gia";
  const text = Array(12).fill(clause).join(", ") + ".";
  const pieces = utterancePieces(text);
  assert.ok(pieces.length > 1);
  assert.ok(pieces.every((piece) => piece.length <= UTTERANCE_CHARS), pieces);
  assert.ok(pieces.slice(0, -1).every((piece) => piece.endsWith(",")), pieces);
  assert.equal(pieces.join(" "), text);
});

test("without a comma it is cut between words, and a word longer than the limit is cut anyway", () => {
  const words = Array(60).fill("chữ").join(" ");
  const pieces = utterancePieces(words, 50);
  assert.ok(pieces.every((piece) => piece.length <= 50 && !piece.startsWith(" ")), pieces);
  assert.equal(pieces.join(" "), words);
  assert.deepEqual(utterancePieces("x".repeat(25), 10), ["x".repeat(10), "x".repeat(10), "x".repeat(5)]);
});

test("a comma near the start is no place to cut: the piece would be too short to sound natural", () => {
  const text = "Ồ, " + Array(20).fill("chữ").join(" ");
  const pieces = utterancePieces(text, 50);
  assert.ok(pieces[0].length > 40, pieces);
  assert.equal(pieces.join(" "), text);
});
