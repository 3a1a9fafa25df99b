// The bulletins' players: a press on an item's start time plays the bulletin from there, the item being heard is
// marked (aria-current) and announced, and one bulletin plays at a time. Without this script the browser's own
// <audio> plays the bulletin and each start time is a link to the MP3 at that time (#t=).
// Listeners sit on the document, so bulletins an htmx page swap brings in work too.
import { itemAt, itemMessage, parseStarts } from "./bulletin/chapters.js";

const PLAYER = '[data-module="bulletin-player"]';

function parts(root) {
  const links = Array.from(root.querySelectorAll("[data-start]"));
  return {
    audio: root.querySelector("audio"),
    links,
    starts: parseStarts(links.map((link) => link.dataset.start)),
    status: root.querySelector("[data-status]"),
  };
}

function mark(root, index) {
  const { links, status } = parts(root);
  if (String(index + 1) === root.dataset.item) return;
  root.dataset.item = String(index + 1);
  links.forEach((link, number) => {
    const item = link.closest("li");
    if (number === index) item.setAttribute("aria-current", "true");
    else item.removeAttribute("aria-current");
  });
  if (status && index >= 0) {
    const title = links[index].closest("li").querySelector("a:not([data-start])");
    status.textContent = itemMessage(root.dataset.msgItem || "", index, links.length, title ? title.textContent : "");
  }
}

function seek(audio, seconds) {
  const go = () => {
    audio.currentTime = seconds;
  };
  if (audio.readyState >= 1) go();
  else audio.addEventListener("loadedmetadata", go, { once: true });
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-start]");
  const root = link && link.closest(PLAYER);
  if (!root) return;
  event.preventDefault();
  const { audio, links, starts } = parts(root);
  const index = links.indexOf(link);
  audio.preload = "auto";
  seek(audio, starts[index]);
  mark(root, index);
  audio.play().catch(() => {
    // The browser refused to start by itself: the player's own button still plays from the chosen item.
  });
});

// Media events do not bubble; listened to in the capture phase they reach the document all the same.
document.addEventListener("timeupdate", (event) => {
  const root = event.target.closest && event.target.closest(PLAYER);
  if (!root) return;
  const { starts } = parts(root);
  mark(root, itemAt(starts, event.target.currentTime));
}, true);

document.addEventListener("seeked", (event) => {
  const root = event.target.closest && event.target.closest(PLAYER);
  if (root) root.dataset.seekedTo = event.target.currentTime.toFixed(2);
}, true);

document.addEventListener("play", (event) => {
  document.querySelectorAll(`${PLAYER} audio`).forEach((other) => {
    if (other !== event.target && !other.paused) other.pause();
  });
}, true);
