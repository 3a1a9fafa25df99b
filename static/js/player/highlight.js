// The article side of the player: the sentence being read, shown and kept in view, and the sentence under a click.
// The page is never rewritten: the sentence is found in its block's text nodes (locator.js says where, from the
// block's text) and shown with the CSS Custom Highlight API; where it cannot be found, or the API is missing, the
// whole block is highlighted instead. data-block, data-sentence and data-highlight on the player say what is shown.
import { blockPositions, charIndexAt, sentenceAt, sentenceSpans } from "./locator.js";

const HIGHLIGHT_NAME = "doc-bai"; // ::highlight(doc-bai) in player.css

// A block's text with every space left out, and the text node and offset of each of its characters.
function textMap(element) {
  const map = { text: "", nodes: [], offsets: [] };
  const chars = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.nodeValue.length; i += 1) {
      if (/\s/.test(node.nodeValue[i])) continue;
      chars.push(node.nodeValue[i]);
      map.nodes.push(node);
      map.offsets.push(i);
    }
  }
  map.text = chars.join("");
  return map;
}

// The text node and offset under the pointer, where the browser can tell.
function caretAt(x, y) {
  if (document.caretPositionFromPoint) {
    const position = document.caretPositionFromPoint(x, y);
    return position && { node: position.offsetNode, offset: position.offset };
  }
  if (document.caretRangeFromPoint) {
    const range = document.caretRangeFromPoint(x, y);
    return range && { node: range.startContainer, offset: range.startOffset };
  }
  return null;
}

// root: the player; article: where the numbered blocks are; bar: what the highlight must stay above.
export function createHighlighter(root, article, bar) {
  const canHighlight = !!(window.CSS && window.CSS.highlights && typeof window.Highlight === "function");
  const located = new WeakMap(); // a segment list -> block number -> where its sentences are in the page

  function blockElement(blockNumber) {
    return article.querySelector('[data-seg="' + blockNumber + '"]');
  }

  function locate(manifest, blockNumber) {
    let blocks = located.get(manifest);
    if (!blocks) located.set(manifest, (blocks = {}));
    if (blocks[blockNumber]) return blocks[blockNumber];
    const element = blockElement(blockNumber);
    const found = { element, map: null, spans: {}, positions: [] };
    blocks[blockNumber] = found;
    if (!element) return found;
    found.positions = blockPositions(manifest.segments, blockNumber);
    found.map = textMap(element);
    found.spans = sentenceSpans(found.map.text, manifest.segments, found.positions);
    return found;
  }

  function sentenceRange(manifest, position) {
    const found = locate(manifest, manifest.segments[position].block);
    const span = found.spans[position];
    if (!span) return null;
    const range = document.createRange();
    range.setStart(found.map.nodes[span.start], found.map.offsets[span.start]);
    range.setEnd(found.map.nodes[span.end - 1], found.map.offsets[span.end - 1] + 1);
    return range;
  }

  function clear() {
    const previous = article.querySelector(".is-reading");
    if (previous) previous.classList.remove("is-reading", "has-sentence");
    if (canHighlight) window.CSS.highlights.delete(HIGHLIGHT_NAME);
    root.removeAttribute("data-block");
    root.removeAttribute("data-sentence");
    root.removeAttribute("data-highlight");
  }

  function keepInView(box) {
    const barTop = bar.getBoundingClientRect().top;
    const visibleBottom = barTop > 0 && barTop < window.innerHeight ? barTop : window.innerHeight;
    const margin = 16;
    if (box.top >= margin && box.bottom <= visibleBottom - margin) return;
    // A third of the way down the visible part, or its top when the sentence is taller than that.
    const target = Math.min(visibleBottom / 3, Math.max(margin, visibleBottom - margin - box.height));
    const reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    window.scrollBy({ top: box.top - target, behavior: reduceMotion ? "auto" : "smooth" });
  }

  return {
    // Highlights the sentence at this position (its block, where the sentence cannot be shown alone or the source
    // cannot follow sentences) and keeps it in view above the bar; null clears the highlight.
    show(manifest, position, sentences) {
      clear();
      if (position === null) return;
      const segment = manifest.segments[position];
      const element = blockElement(segment.block);
      if (!element) return;
      const range = canHighlight && sentences ? sentenceRange(manifest, position) : null;
      element.classList.add("is-reading");
      if (range) {
        element.classList.add("has-sentence");
        window.CSS.highlights.set(HIGHLIGHT_NAME, new window.Highlight(range));
      }
      root.setAttribute("data-block", String(segment.block));
      root.setAttribute("data-sentence", String(segment.sentence + 1));
      root.setAttribute("data-highlight", range ? "sentence" : "block");
      keepInView((range || element).getBoundingClientRect());
    },
    // The position of the sentence of this block under the pointer (the block's first when the pointer is not on
    // its text); undefined when the list reads nothing from the block.
    sentenceAtPoint(manifest, block, x, y) {
      const found = locate(manifest, parseInt(block.dataset.seg, 10));
      const caret = caretAt(x, y);
      if (!caret || !found.map) return found.positions[0];
      const at = charIndexAt(found.map.nodes, found.map.offsets, caret.node, caret.offset);
      return sentenceAt(found.positions, found.spans, at);
    },
    blockText(blockNumber) {
      const element = blockElement(blockNumber);
      return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
    },
    blockNumbers() {
      const blocks = article.querySelectorAll("[data-seg]");
      return Array.prototype.map.call(blocks, (element) => parseInt(element.dataset.seg, 10));
    },
  };
}
