// After htmx swaps a list, keep keyboard and screen-reader users where the new content is.
(function () {
  "use strict";
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
})();
