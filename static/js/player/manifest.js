// The server's segment list (nghe.json): { version, audio, segments: [{ index, url, block, text, spoken }] }, one
// segment per sentence in reading order, each read from a numbered block of the page (data-seg). The player
// numbers each segment's paragraph (its block) and its sentence within it, says where a position is, and keeps
// the place a listener stopped per list version. Pure: no page, no storage, no network.

// A list the server sent, numbered (see placeSegments); throws where there is nothing to read.
export function parseManifest(data) {
  if (!data || !Array.isArray(data.segments) || !data.segments.length) throw new Error("no segments");
  return Object.assign({}, data, placeSegments(data.segments));
}

// The list the device's voice reads when the server's never came: every numbered block of the page, in order,
// each as one segment.
export function deviceManifest(blockNumbers) {
  const segments = blockNumbers.map((number) => ({ index: number, block: number }));
  return Object.assign({ version: "device" }, placeSegments(segments));
}

// Copies of the segments with their paragraph, their sentence in it and the paragraph's number of sentences
// (all counted from 0 but the last), and the position of each paragraph's first sentence.
export function placeSegments(segments) {
  const paragraphStarts = [];
  const placed = segments.map((segment, position) => {
    const previous = segments[position - 1];
    if (!previous || previous.block !== segment.block) paragraphStarts.push(position);
    const paragraph = paragraphStarts.length - 1;
    return Object.assign({}, segment, { paragraph, sentence: position - paragraphStarts[paragraph] });
  });
  placed.forEach((segment) => {
    const next = paragraphStarts[segment.paragraph + 1];
    segment.sentences = (next === undefined ? placed.length : next) - paragraphStarts[segment.paragraph];
  });
  return { segments: placed, paragraphStarts };
}

// Where a position is, as the messages say it: paragraph n of total, sentence s of its paragraph's stotal.
export function progress(manifest, position) {
  const segment = manifest && manifest.segments[position];
  if (!segment) return { n: 0, total: 0 };
  return {
    n: segment.paragraph + 1,
    total: manifest.paragraphStarts.length,
    s: segment.sentence + 1,
    stotal: segment.sentences,
  };
}

// What is kept of the place a listener stopped: the list's version, the position and the time into it.
export function resumeRecord(manifest, position, time) {
  return JSON.stringify({ v: manifest.version, position, time });
}

// The place a resumeRecord kept, where it belongs to this list and is worth going back to (past the first
// sentence or its first second); null otherwise, or when it cannot be read.
export function resumePlace(stored, manifest) {
  let saved;
  try {
    saved = JSON.parse(stored || "null");
  } catch (error) {
    return null; // a value this version cannot read: start from the beginning
  }
  if (!saved || saved.v !== manifest.version) return null;
  const position = saved.position;
  if (!Number.isInteger(position) || position < 0 || position >= manifest.segments.length) return null;
  return position > 0 || saved.time > 1 ? { position, time: saved.time } : null;
}
