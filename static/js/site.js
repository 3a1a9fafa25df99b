// Small enhancements; every one of them has a plain-HTML behaviour underneath.
import { announce } from "./shared/announce.js";

// After htmx swaps a list, keep keyboard and screen-reader users where the new content is.
document.addEventListener("htmx:beforeRequest", function (event) {
  var target = event.detail.target;
  if (target) target.setAttribute("aria-busy", "true");
});
document.addEventListener("htmx:afterRequest", function (event) {
  var target = event.detail.target;
  if (target) target.removeAttribute("aria-busy");
});
document.addEventListener("htmx:afterSettle", function (event) {
  var target = event.detail.target;
  // An outerHTML swap replaced the element: find its successor by id.
  var list = target && target.id ? document.getElementById(target.id) : null;
  if (list && list.hasAttribute("tabindex")) {
    list.removeAttribute("aria-busy");
    list.focus();
  }
});
// A failed swap says so, instead of leaving the reader waiting on a dimmed list.
function swapFailed() {
  announce(navigator.onLine ? "Không tải được trang. Xin thử lại." : "Không có mạng: danh sách cần mạng để tải trang khác.");
}
document.addEventListener("htmx:responseError", swapFailed);
document.addEventListener("htmx:sendError", swapFailed);

// Preference forms return to the page being read, which htmx may have moved to another list page.
function followUrl() {
  var here = location.pathname + location.search;
  document.querySelectorAll('.reader-tools input[name="next"]').forEach(function (input) {
    input.value = here;
  });
}
document.addEventListener("htmx:pushedIntoHistory", followUrl);
document.addEventListener("htmx:replacedInHistory", followUrl);

// Saving data, "Tải ảnh (45 KB)" opens the image; with JavaScript it loads in place instead.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a.image-placeholder");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  var image = document.createElement("img");
  image.src = link.href;
  image.alt = link.getAttribute("data-alt") || "";
  image.decoding = "async";
  // Focus stays where the link was, so a keyboard reader is not sent back to the top of the page.
  image.tabIndex = -1;
  link.replaceWith(image);
  image.focus();
});
