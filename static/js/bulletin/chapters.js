// The bulletin player's pure logic: which item a position in the bulletin falls in, and the status text.

// starts: each item's start in seconds, in order. The item playing at `seconds` (from 0), or -1 before the first.
export function itemAt(starts, seconds) {
  let found = -1;
  for (let index = 0; index < starts.length; index += 1) {
    if (seconds + 0.05 >= starts[index]) found = index;
  }
  return found;
}

// The start times written in the page's data-start attributes; an unreadable one counts as 0.
export function parseStarts(values) {
  return values.map((value) => {
    const number = Number.parseFloat(value);
    return Number.isFinite(number) && number >= 0 ? number : 0;
  });
}

// The template's message ("Đang nghe tin {n}/{total}: {title}") with the item filled in.
export function itemMessage(template, index, total, title) {
  return template
    .replace("{n}", String(index + 1))
    .replace("{total}", String(total))
    .replace("{title}", title);
}
