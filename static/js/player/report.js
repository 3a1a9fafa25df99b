// What one play tells the server for the newsroom's statistics (POST /bai-viet/<slug>/nghe/thong-ke): that it started
// (its first sentence sounded), each sentence it reached (once per play, whatever the listener skips back to), and
// that it reached the end. Nothing about the listener: no identifier, no cookie, no time.
//
// Sentences wait and go together — when BATCH of them wait, and whatever waits when the play ends, pauses or stops,
// or the page is hidden — so that a listener costs a few small requests, not one per sentence. Pure: send(fields)
// is given (player.js sends with navigator.sendBeacon), so node --test drives it.
export const BATCH = 10;

export function createPlayReport(send) {
  let play = null; // the play under way: { reached: Set of indices, waiting: [], started, ended (to tell) }

  function flush() {
    if (!play) return;
    const fields = {};
    if (play.started) fields.bat_dau = "1";
    if (play.ended) fields.het_bai = "1";
    if (play.waiting.length) fields.cau = play.waiting.join(",");
    play.started = false;
    play.ended = false;
    play.waiting = [];
    if (Object.keys(fields).length) send(fields);
  }

  return {
    // The listener pressed Đọc bài: what follows is a new play.
    begin() {
      flush();
      play = null;
    },
    // The sentence of this index (nghe.json's index) is sounding; the first one of a play starts it.
    heard(index) {
      if (!Number.isInteger(index) || index < 0) return;
      if (!play) play = { reached: new Set(), waiting: [], started: true, ended: false };
      if (play.reached.has(index)) return;
      play.reached.add(index);
      play.waiting.push(index);
      if (play.waiting.length >= BATCH) flush();
    },
    // Read to the end: told now, and a later sentence starts another play.
    ended() {
      if (!play) return;
      play.ended = true;
      flush();
      play = null;
    },
    flush,
  };
}
