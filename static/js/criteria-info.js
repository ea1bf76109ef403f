// Info criteria: families are <details>. Open the one a link (#family-A, #component-A01)
// points to, and every one of them while the page is printed.
(function () {
  "use strict";

  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    var family = target ? target.closest("details.info-family") : null;
    if (family && !family.open) {
      family.open = true;
      target.scrollIntoView();
    }
  }

  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.info-family:not([open])").forEach(function (family) {
      family.open = true;
      openedForPrint.push(family);
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (family) {
      family.open = false;
    });
    openedForPrint = [];
  });
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", openTarget);
})();
