/* Fast entry of criteria (templates/criteria/entry/page.html), on top of htmx.
 *
 * Enter sends the text and the field is empty and ready at once: the request does not hold it.
 * What was sent is kept in memory until the server answers; if the answer is an error, or never
 * comes (weak network, timeout), the text goes back into the field with a visible message, so
 * nothing typed is lost. Each send carries its own key: the same text sent again after a lost
 * answer is saved once. Sends of one column go one after the other (hx-sync queue all), each
 * with the values it had when Enter was pressed.
 *
 * Without this script every form still posts and redirects back; without htmx the forms post
 * normally too. No library besides htmx, ES2017.
 */
(function () {
  "use strict";

  var ADD = "form[data-entry-add]";
  var lastColumn = null;
  var stamp = 0;

  function page() {
    return document.querySelector("[data-entry-page]");
  }

  function message(name) {
    var root = page();
    return (root && root.dataset["msg" + name]) || "";
  }

  function newKey() {
    var random = function () {
      return Math.random().toString(36).slice(2, 10);
    };
    return Date.now().toString(36) + random() + random();
  }

  function textOf(form) {
    return form.querySelector("[data-entry-text]");
  }

  // The component field: a text field completed from the page's list (templates/criteria/
  // _component_list.html), which component-picker.js hides behind its search box.
  function pickerOf(form) {
    return form.querySelector("[name=component]");
  }

  function errorsOf(form) {
    return form.querySelector("[data-entry-errors]");
  }

  function columnOf(node) {
    return node && node.closest ? node.closest("[data-entry-column]") : null;
  }

  function showError(form, text) {
    var box = errorsOf(form);
    box.textContent = "";
    var list = document.createElement("ul");
    list.className = "errorlist";
    list.setAttribute("role", "alert");
    var item = document.createElement("li");
    item.textContent = text;
    list.appendChild(item);
    box.appendChild(list);
    textOf(form).setAttribute("aria-invalid", "true");
  }

  function clearError(form) {
    errorsOf(form).textContent = "";
    textOf(form).removeAttribute("aria-invalid");
  }

  function setComponent(form, code) {
    var picker = pickerOf(form);
    if (!picker || picker.value === code) return;
    picker.value = code;
    picker.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // --- Drafts: a tab a phone throws away keeps what was being typed ----------------------------

  function draftKey(form) {
    return "criteria-entry:" + location.pathname + ":" + form.id;
  }

  function draftSave(form) {
    try {
      var text = textOf(form).value;
      if (text.trim()) {
        sessionStorage.setItem(draftKey(form), text);
      } else {
        sessionStorage.removeItem(draftKey(form));
      }
    } catch (error) {
      // Private browsing or a full storage: drafts are a comfort, not a promise.
    }
  }

  function draftRestore(form) {
    try {
      var draft = sessionStorage.getItem(draftKey(form));
      var field = textOf(form);
      if (draft && !field.value.trim()) {
        field.value = draft;
        linesHint(form);
      }
    } catch (error) {
      // as above
    }
  }

  // --- A hint that counts the lines of a paste --------------------------------------------------

  function linesHint(form) {
    var field = textOf(form);
    var hint = form.querySelector("[data-entry-lines]");
    if (!hint) return;
    var lines = field.value.split("\n").filter(function (line) {
      return line.trim();
    }).length;
    hint.hidden = lines < 2;
    hint.textContent = lines < 2 ? "" : (hint.dataset.template || "").replace("%(count)s", lines);
  }

  // --- Sending ----------------------------------------------------------------------------------

  function pending(form, step) {
    form.entryPending = Math.max(0, (form.entryPending || 0) + step);
    var indicator = form.querySelector("[data-entry-pending]");
    if (indicator) indicator.textContent = form.entryPending ? message("Saving") : "";
  }

  function send(form) {
    var field = textOf(form);
    var text = field.value;
    if (!text.trim()) {
      showError(form, message("Empty"));
      field.focus();
      return;
    }
    var data = new FormData(form);
    var retry = form.entryRetry;
    data.set("submission", retry && retry.key && retry.text === text ? retry.key : newKey());
    form.entryRetry = null;
    form.entryRestored = "";
    form.entryOutbox = form.entryOutbox || [];
    form.entryOutbox.push(data);
    field.value = "";
    setComponent(form, "");
    clearError(form);
    linesHint(form);
    draftSave(form);
    field.focus();
    pending(form, 1);
    window.htmx.trigger(form, "entry-send");
  }

  /* Put a text that did not reach the database back into its field, before what is being typed
   * now (several lost sends come back in the order they were typed, one per line). */
  function restore(form, data, problem) {
    if (!data || data.entryRestored) return;
    data.entryRestored = true;
    var field = textOf(form);
    var lost = String(data.get("text") || "").replace(/\s+$/, "");
    var before = form.entryRestored && field.value.indexOf(form.entryRestored) === 0
      ? form.entryRestored
      : "";
    var typing = field.value.slice(before.length).replace(/^\n/, "");
    var block = before ? before + "\n" + lost : lost;
    field.value = typing.trim() ? block + "\n" + typing : block;
    form.entryRestored = block;
    form.entryRetry = typing.trim() || before ? null : { text: field.value, key: data.get("submission") };
    var code = String(data.get("component") || "");
    var picker = pickerOf(form);
    if (code && picker && !picker.value) setComponent(form, code);
    if (problem) showError(form, problem);
    field.setAttribute("aria-invalid", "true");
    linesHint(form);
    draftSave(form);
  }

  function snapshotOf(detail) {
    return detail && detail.requestConfig ? detail.requestConfig.entrySnapshot : null;
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!window.htmx || !form.matches || !form.matches(ADD)) return;
      event.preventDefault();
      send(form);
    },
    true
  );

  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches(ADD)) return;
    var data = form.entryOutbox && form.entryOutbox.shift();
    if (!data) {
      event.preventDefault();
      return;
    }
    var parameters = event.detail.parameters;
    Array.from(new Set(data.keys())).forEach(function (key) {
      parameters[key] = data.get(key);
    });
    event.detail.entrySnapshot = data;
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    lastColumn = columnOf(event.detail.elt) || lastColumn;
  });

  // A refusal (400, 422) carries its message: show it where the request came from.
  document.addEventListener("htmx:beforeSwap", function (event) {
    // This event is fired on the target; the element that made the request is in requestConfig.
    var config = event.detail.requestConfig;
    var elt = (config && config.elt) || event.detail.elt;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if ((status !== 400 && status !== 422) || !elt.closest || !elt.closest("[data-entry-page]")) {
      return;
    }
    event.detail.shouldSwap = true;
    event.detail.isError = false;
    if (elt.matches(ADD)) {
      event.detail.target = errorsOf(elt);
      event.detail.swapOverride = "innerHTML";
      restore(elt, snapshotOf(event.detail), "");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt;
    if (form && form.matches && form.matches(ADD)) pending(form, -1);
    if (page() && !asked(document.querySelector("[data-entry-page]"))) keepFocusInColumn();
  });

  function failed(problem) {
    return function (event) {
      var elt = event.detail.elt;
      if (!elt.matches) return;
      if (elt.matches(ADD)) {
        restore(elt, snapshotOf(event.detail), message(problem));
        return;
      }
      // Edit, Remove, Undo: nothing typed is at stake, but say it did not happen.
      var column = columnOf(elt) || lastColumn;
      var status = column && column.querySelector(".entry-status");
      if (status && elt.closest("[data-entry-page]")) {
        status.textContent = "";
        var note = document.createElement("p");
        note.className = "errorlist";
        note.textContent = message("Failed");
        status.appendChild(note);
      }
    };
  }

  document.addEventListener("htmx:sendError", failed("Network"));
  document.addEventListener("htmx:timeout", failed("Timeout"));
  document.addEventListener("htmx:sendAbort", failed("Network"));
  document.addEventListener("htmx:responseError", failed("Server"));

  // --- After a swap: new rows in view, focus where the person expects it ------------------------

  document.addEventListener("htmx:afterSwap", function (event) {
    stampUndo();
    var target = event.detail.target;
    var elt = event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt;
    if (elt && elt.matches && elt.matches("[data-entry-more]")) {
      // "Show the … earlier criteria": the rows above now start at 1 (the first one takes the
      // focus, data-entry-focus; the link is gone, hx-swap-oob delete).
      target.removeAttribute("start");
      target.scrollTop = 0;
      return;
    }
    if (target && target.matches && target.matches(".entry-list")) {
      target.scrollTop = target.scrollHeight;
    }
  });

  /* Focus goes where the answer asks (data-entry-focus: the field of an inline edit, an Undo
   * button, a corrected row), once htmx has wired that content (htmx:load). When the focused
   * element was swapped away and nothing is asked, it stays in the column. */
  function focusNow(node) {
    node.removeAttribute("data-entry-focus");
    node.focus();
    if (node.setSelectionRange && node.value) {
      node.setSelectionRange(node.value.length, node.value.length);
    }
  }

  function asked(root) {
    if (!root || !root.querySelector) return null;
    if (root.matches("[data-entry-focus]")) return root;
    return root.querySelector("[data-entry-focus]");
  }

  function keepFocusInColumn() {
    var active = document.activeElement;
    if ((!active || active === document.body) && lastColumn && lastColumn.isConnected) {
      var field = lastColumn.querySelector("[data-entry-text]");
      if (field) field.focus();
    }
  }

  document.addEventListener("htmx:load", function (event) {
    if (!page()) return;
    stampUndo();
    nameCodes(event.target);
    var node = asked(event.target);
    if (node) focusNow(node);
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!page()) return;
    stampUndo();
    var node = asked(document.querySelector("[data-entry-page]"));
    if (node) {
      focusNow(node);
    } else {
      keepFocusInColumn();
    }
  });

  // Each Undo button gets a number, so Alt+Z takes back the latest one of its column.
  function stampUndo() {
    document.querySelectorAll("form[data-entry-undo]:not([data-entry-stamp])").forEach(function (form) {
      form.setAttribute("data-entry-stamp", String(++stamp));
    });
  }

  function undoLatest(column) {
    var latest = null;
    column.querySelectorAll("form[data-entry-undo][data-entry-stamp]").forEach(function (form) {
      if (!latest || Number(form.dataset.entryStamp) > Number(latest.dataset.entryStamp)) {
        latest = form;
      }
    });
    var button = latest && latest.querySelector("button");
    if (!button) return;
    // Swapped in a moment ago, htmx may not have wired it yet (it does so as the swap settles).
    if (window.htmx) window.htmx.process(latest);
    button.click();
  }

  // --- Rows: Edit and Remove answer in place ----------------------------------------------------

  /* A row's Edit link and Remove button carry no hx-* attributes (forty rows weigh less so):
   * with htmx, a click sends their request through htmx as hx-get or hx-post would, and the
   * answer (the inline correction, the removed row with its Undo) replaces the row. Without
   * htmx the link opens the correction's page and the button posts the page's #entry-remove. */
  var ROW_ACTION = ".entry-row > span > a[href], .entry-row > span > button[formaction]";

  document.addEventListener("click", function (event) {
    if (!window.htmx || event.defaultPrevented || event.button) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var control = event.target.closest ? event.target.closest(ROW_ACTION) : null;
    if (!control || !control.closest("[data-entry-page]")) return;
    event.preventDefault();
    var link = control.tagName === "A";
    var done = window.htmx.ajax(link ? "GET" : "POST", control.getAttribute(link ? "href" : "formaction"), {
      source: control,
      target: control.closest("li"),
      swap: "outerHTML",
    });
    if (done && done.catch) done.catch(function () {}); // htmx:sendError and others say it
  });

  /* A component's name shows on hover too (screen readers have it in the row's text). */
  function nameCodes(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll(".entry-code:not([title])").forEach(function (code) {
      var name = code.lastElementChild;
      if (name) code.title = name.textContent.trim();
    });
  }

  // --- Keys -------------------------------------------------------------------------------------

  function moveColumn(step) {
    var columns = Array.from(document.querySelectorAll("[data-entry-column]"));
    if (!columns.length) return;
    var current = columns.indexOf(columnOf(document.activeElement));
    var next = current < 0 ? 0 : (current + step + columns.length) % columns.length;
    var field = columns[next].querySelector("[data-entry-text]");
    if (field) {
      field.focus();
      columns[next].scrollIntoView({ block: "nearest" });
    }
  }

  document.addEventListener("keydown", function (event) {
    if (!page()) return;
    var target = event.target;
    if (event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        moveColumn(event.key === "ArrowRight" ? 1 : -1);
        return;
      }
      if (event.code === "KeyZ") {
        var column = columnOf(target) || lastColumn;
        if (column) {
          event.preventDefault();
          undoLatest(column);
        }
        return;
      }
    }
    if (event.isComposing || event.keyCode === 229) return;
    if (target.matches && target.matches("[data-entry-text]")) {
      if (event.key === "Enter" && !event.shiftKey && !event.altKey) {
        event.preventDefault();
        var form = target.form;
        if (window.htmx) {
          send(form);
        } else {
          form.requestSubmit();
        }
      }
      return;
    }
    if (target.matches && target.matches("[data-entry-edit-text]")) {
      if (window.htmx) window.htmx.process(target.form);
      if (event.key === "Enter" && !event.shiftKey && !event.altKey) {
        event.preventDefault();
        target.form.requestSubmit();
      } else if (event.key === "Escape") {
        var cancel = target.form.querySelector("[data-entry-cancel]");
        if (cancel) {
          event.preventDefault();
          cancel.click();
        }
      }
    }
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-entry-text]")) {
      linesHint(target.form);
      draftSave(target.form);
    }
  });

  // --- The page's session date and language apply at once to the next sends --------------------

  function applySetting(input) {
    var name = input.dataset.entrySetting;
    var value = input.value;
    if (!value || (name === "session_date" && !/^\d{4}-\d{2}-\d{2}$/.test(value))) return;
    document.querySelectorAll(ADD + " input[data-entry-setting=" + name + "]").forEach(function (hidden) {
      hidden.value = value;
    });
    if (name === "language") {
      document.querySelectorAll(ADD + " [data-entry-text]").forEach(function (field) {
        field.setAttribute("lang", value);
      });
    }
    if (window.history && history.replaceState) {
      var url = new URL(location.href);
      url.searchParams.set(name, value);
      history.replaceState(history.state, "", url.toString());
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-entry-settings] [data-entry-setting]")) {
      applySetting(target);
    }
  });

  function init() {
    if (!page() || !window.htmx) return;
    document.querySelectorAll("[data-entry-settings-submit]").forEach(function (button) {
      button.hidden = true;
    });
    // The keys below work only with this script: say so only now.
    document.querySelectorAll("[data-entry-js]").forEach(function (node) {
      node.hidden = false;
    });
    document.querySelectorAll(ADD).forEach(function (form) {
      draftRestore(form);
    });
    stampUndo();
    nameCodes(document);
  }

  // Deferred like htmx but loaded before it: wait for the document, by then htmx is there too.
  if (document.readyState === "complete") {
    init();
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
