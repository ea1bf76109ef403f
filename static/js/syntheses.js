// Synthesis pages. htmx does not swap error responses by default: a filter form marked
// [data-swap-errors] shows its 400 answer (the message saying which filter cannot be used)
// in place of the figures. The charts of each family's components for a question are a page of
// their own: its link loads them in place (htmx), and the focus follows. Every <details>
// (charts' data tables, families) opens while the page is printed.
(function () {
  "use strict";

  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var form = source && source.closest ? source.closest("[data-swap-errors]") : null;
    if (form && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A question's charts of components, loaded in place of their link: the reader goes on
  // from there (the link is gone), a screen reader hears which group of charts it is.
  document.addEventListener("htmx:load", function (event) {
    var loaded = event.target;
    if (loaded.matches && loaded.matches(".synthesis-components")) {
      loaded.focus();
    }
  });

  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("main details:not([open])").forEach(function (details) {
      details.open = true;
      openedForPrint.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (details) {
      details.open = false;
    });
    openedForPrint = [];
  });
})();
