// Where things are, from the segment list alone: the sentences read from a block and where each one is in the
// block's text, the sentence at a character of it, the paragraph before or after, and where each sentence starts
// in the saved whole file. Pure: a block's text comes in as a string (its characters with every space left out,
// so line breaks, <br> and markup never get in the way), and a text node is only something to compare.

export const SENTENCE_PREFIX = 24; // characters (spaces left out) that find a sentence in its block's text
export const PAUSE_CHARS = 6; // the silence after a sentence, counted as characters when estimating where one starts

export function compact(text) {
  return text.replace(/\s+/g, "");
}

// The positions in the list of the sentences read from this block.
export function blockPositions(segments, block) {
  const positions = [];
  segments.forEach((segment, position) => {
    if (segment.block === block) positions.push(position);
  });
  return positions;
}

// Where each of these sentences is in its block's compacted text: { start, end } by position, for those found.
// They are found in order by their first characters; a sentence runs to its own last character where the text
// holds it whole, else to the next sentence found (a photo note the server leaves unread may sit inside it).
export function sentenceSpans(text, segments, positions) {
  let from = 0;
  const starts = positions.map((position) => {
    const key = compact(segments[position].text || "").slice(0, SENTENCE_PREFIX);
    const at = key ? text.indexOf(key, from) : -1;
    if (at >= 0) from = at + 1;
    return at;
  });
  const spans = {};
  positions.forEach((position, k) => {
    if (starts[k] < 0) return;
    const key = compact(segments[position].text || "");
    let end = text.length;
    if (text.substr(starts[k], key.length) === key) {
      end = starts[k] + key.length;
    } else {
      const later = starts.slice(k + 1).filter((start) => start > starts[k]);
      if (later.length) end = later[0];
    }
    spans[position] = { start: starts[k], end };
  });
  return spans;
}

// The character of a block's compacted text at a caret (a node and an offset in it), given the node and offset
// each character comes from; -1 where the caret is in none of them.
export function charIndexAt(nodes, offsets, node, offset) {
  let at = -1;
  for (let i = 0; i < nodes.length; i += 1) {
    if (nodes[i] !== node) continue;
    at = i; // past the node's last character, the caret is at its end
    if (offsets[i] >= offset) break;
  }
  return at;
}

// The block's sentence at a character: the last one that starts at or before it; the block's first where the
// character is unknown (-1) or before every sentence found.
export function sentenceAt(positions, spans, at) {
  let chosen = positions[0];
  if (at < 0) return chosen;
  positions.forEach((position) => {
    const span = spans[position];
    if (span && span.start <= at) chosen = position;
  });
  return chosen;
}

// The first sentence of the paragraph `step` paragraphs away from this position's (-1: the one before); undefined
// past either end.
export function paragraphStep(manifest, position, step) {
  return manifest.paragraphStarts[manifest.segments[position].paragraph + step];
}

// Seconds into the saved whole file at which each segment starts. The list has no durations, so each start is
// estimated from the length of what is said before it.
export function estimateStarts(segments, duration, pauseChars = PAUSE_CHARS) {
  const weights = segments.map((segment) => (segment.spoken || segment.text || "").length + pauseChars);
  const total = weights.reduce((sum, weight) => sum + weight, 0) || 1;
  let before = 0;
  return weights.map((weight) => {
    const start = (duration * before) / total;
    before += weight;
    return start;
  });
}

// The position of the segment playing at this time of the whole file, given where each starts.
export function positionAt(starts, time) {
  let position = 0;
  while (position + 1 < starts.length && starts[position + 1] <= time) position += 1;
  return position;
}
