// The bulletin player's pure logic: the item a position falls in, the start times from the page, the status text.
import assert from "node:assert/strict";
import { test } from "node:test";

import { itemAt, itemMessage, parseStarts } from "../../static/js/bulletin/chapters.js";

const STARTS = [10.5, 42.25, 80];

test("a position belongs to the last item that started at or before it", () => {
  assert.equal(itemAt(STARTS, 0), -1);
  assert.equal(itemAt(STARTS, 10.5), 0);
  assert.equal(itemAt(STARTS, 42.24), 1); // a seek lands a few milliseconds early: still the chosen item
  assert.equal(itemAt(STARTS, 79.9), 1);
  assert.equal(itemAt(STARTS, 500), 2);
  assert.equal(itemAt([], 5), -1);
});

test("start times are read from the page, and an unreadable one counts as the beginning", () => {
  assert.deepEqual(parseStarts(["10.500", "42.25", "x", "-3", undefined]), [10.5, 42.25, 0, 0, 0]);
});

test("the status names the item, its number and the count", () => {
  assert.equal(itemMessage("Đang nghe tin {n}/{total}: {title}", 2, 5, "Lịch cắt điện"), "Đang nghe tin 3/5: Lịch cắt điện");
});
