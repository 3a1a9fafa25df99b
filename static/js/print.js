// The print view's "In trang này" button: without JavaScript the hint beside it explains Ctrl+P.
(function () {
  "use strict";
  var button = document.querySelector(".print-now");
  if (!button || typeof window.print !== "function") return;
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
})();
