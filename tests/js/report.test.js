// What a play tells the server for the statistics: started once, each sentence once, the end, in batches.
import assert from "node:assert/strict";
import { test } from "node:test";

import { BATCH, createPlayReport } from "../../static/js/player/report.js";

function recorder() {
  const sent = [];
  return { sent, report: createPlayReport((fields) => sent.push(fields)) };
}

test("a play says it started with its first sentence, each sentence once, and the end", () => {
  const { sent, report } = recorder();
  report.begin();
  assert.deepEqual(sent, [], "pressing Đọc bài is not a play until a sentence sounds");
  report.heard(0);
  report.heard(1);
  report.heard(1); // resumed after a pause: the same sentence again
  report.heard(0); // skipped back
  report.heard(2);
  report.ended();
  assert.deepEqual(sent, [{ bat_dau: "1", het_bai: "1", cau: "0,1,2" }]);
});

test("sentences go in batches, and what waits goes on pause or when the page is hidden", () => {
  const { sent, report } = recorder();
  report.begin();
  for (let index = 0; index < BATCH + 2; index += 1) report.heard(index);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].bat_dau, "1");
  assert.equal(sent[0].cau.split(",").length, BATCH);
  report.flush();
  assert.deepEqual(sent[1], { cau: `${BATCH},${BATCH + 1}` }, "started is told once per play");
  report.flush();
  assert.equal(sent.length, 2, "nothing waiting, nothing sent");
});

test("after the end, or a new press of Đọc bài, the next sentence starts another play", () => {
  const { sent, report } = recorder();
  report.heard(0);
  report.ended();
  report.heard(0);
  report.flush();
  report.begin();
  report.heard(3);
  report.flush();
  assert.deepEqual(sent, [
    { bat_dau: "1", het_bai: "1", cau: "0" },
    { bat_dau: "1", cau: "0" },
    { bat_dau: "1", cau: "3" },
  ]);
});

test("an end without a play, or an index that is no sentence, tells nothing", () => {
  const { sent, report } = recorder();
  report.ended();
  report.heard(undefined);
  report.heard(-1);
  report.flush();
  assert.deepEqual(sent, []);
});
