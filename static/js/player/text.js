// Text the player makes: its messages, whose Vietnamese words come from the page (data-msg-* on the player),
// with their {names} filled in, and the pieces the device's voice is given at once. Pure.

export const UTTERANCE_CHARS = 200; // the longest piece the device's voice is given at once

export function fill(template, values) {
  let text = template || "";
  Object.keys(values || {}).forEach((key) => {
    text = text.split("{" + key + "}").join(values[key]);
  });
  return text;
}

// Some engines stop reading an utterance after about fifteen seconds. A sentence is one utterance; only a very
// long one (or a whole block, when the segment list never came) is cut, after a comma where it can be.
export function utterancePieces(text, limit = UTTERANCE_CHARS) {
  const pieces = [];
  let rest = text.replace(/\s+/g, " ").trim();
  while (rest.length > limit) {
    const head = rest.slice(0, limit);
    let cut = Math.max(head.lastIndexOf(", "), head.lastIndexOf("; "), head.lastIndexOf(": "));
    if (cut < limit / 3) cut = head.lastIndexOf(" ");
    if (cut <= 0) cut = limit - 1;
    pieces.push(rest.slice(0, cut + 1).trim());
    rest = rest.slice(cut + 1).trim();
  }
  if (rest) pieces.push(rest);
  return pieces;
}
