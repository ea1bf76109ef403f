/*
 * The classification queue and a criterion's page, with the keyboard.
 *
 * Without this script every form posts and every suggestion is a link that preselects it.
 * With it: a suggestion fills the component picker (the person still confirms), shortcuts
 * move through the queue, a classified item leaves with an announcement in the live region and
 * the focus goes to the next one, and a refused form (400) is shown in place.
 *
 * Shortcuts (off while typing in a field; Escape leaves the field):
 *   j / k    next / previous criterion
 *   1 2 3    choose suggestion 1, 2 or 3
 *   Enter    confirm (classify with the chosen component)
 *   d        dispute (opens the note; Enter in it confirms); in the queue, on the criterion's
 *            page, which comes back to the queue
 *   /        go to the component picker
 *   ?        show the shortcuts
 */
(function () {
  "use strict";

  var ITEM = "[data-classify-item]";
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])";
  var current = null;

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll(ITEM));
  }

  var announcing = null;

  function announce(text) {
    var region = document.getElementById("queue-announcer");
    if (!region) return;
    region.textContent = "";
    // A fresh text node after a tick, so screen readers announce a repeated message too.
    window.clearTimeout(announcing);
    announcing = window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function visible(element) {
    return !!(element.offsetWidth || element.offsetHeight || element.getClientRects().length);
  }

  function firstControl(item) {
    // The first suggestion (Enter chooses it, Enter again confirms), else the picker; else
    // the first control of any kind.
    var suggestion = item.querySelector("[data-suggestion]");
    if (suggestion && visible(suggestion)) return suggestion;
    var found = picker(item);
    if (found.control && visible(found.control)) return found.control;
    var controls = item.querySelectorAll(FOCUSABLE);
    for (var i = 0; i < controls.length; i++) {
      if (visible(controls[i])) return controls[i];
    }
    return item;
  }

  function itemOf(element) {
    return element && element.closest ? element.closest(ITEM) : null;
  }

  function currentItem() {
    var active = itemOf(document.activeElement);
    if (active) return active;
    if (current && document.body.contains(current)) return current;
    return items()[0] || null;
  }

  function focusItem(item, control) {
    if (!item) return;
    current = item;
    var target = control ? firstControl(item) : item;
    target.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  function picker(item) {
    // The enhanced combobox (component-picker.js) when there is one, else the plain field: a
    // select (a criterion's page) or a text field completed from the page's list (the queue).
    var select = item.querySelector("select[name=component], input[name=component]");
    if (!select) return { select: null, control: null };
    var control = null;
    var field = select.closest(".field") || item;
    var combo = field.querySelector("[role=combobox]");
    if (combo && visible(combo)) control = combo;
    else if (visible(select)) control = select;
    return { select: select, control: control || select };
  }

  function choose(item, link) {
    var found = picker(item);
    if (!found.select) return;
    var code = link.getAttribute("data-suggestion");
    found.select.value = code;
    found.select.dispatchEvent(new Event("input", { bubbles: true }));
    found.select.dispatchEvent(new Event("change", { bubbles: true }));
    var links = item.querySelectorAll("[data-suggestion]");
    for (var i = 0; i < links.length; i++) {
      links[i].classList.toggle("is-chosen", links[i] === link);
    }
    var label = found.select.options ? found.select.options[found.select.selectedIndex] : null;
    if (!label && found.control !== found.select) label = { textContent: found.control.value };
    var confirm = item.querySelector("[data-classify-form] button[type=submit]");
    var holder = item.closest("[data-chosen-message]");
    var message = holder ? holder.getAttribute("data-chosen-message") : "%(component)s";
    announce(message.replace("%(component)s", label ? label.textContent.trim() : code));
    if (confirm) confirm.focus();
  }

  function confirmItem(item) {
    var form = item.querySelector("[data-classify-form]");
    if (!form) return;
    var found = picker(item);
    if (found.select && !found.select.value) {
      found.control.focus();
      return;
    }
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  function dispute(item) {
    // In the queue, disputing is done on the criterion's page (it comes back to the queue).
    var link = item.querySelector("[data-dispute-link]");
    if (link) {
      window.location.assign(link.href);
      return;
    }
    var details = item.querySelector("details.dispute");
    if (details) details.open = true;
    var note = item.querySelector("[data-dispute-form] input[name=note]");
    if (note) note.focus();
  }

  function showHelp() {
    var help = document.getElementById("classify-shortcuts");
    if (!help) return;
    help.open = true;
    var summary = help.querySelector("summary");
    if (summary) summary.focus();
  }

  function move(step) {
    var all = items();
    if (!all.length) return;
    var active = itemOf(document.activeElement) || (current && document.body.contains(current) ? current : null);
    if (!active) {
      focusItem(all[0], false);
      return;
    }
    var index = all.indexOf(active);
    focusItem(all[Math.min(Math.max(index + step, 0), all.length - 1)], false);
  }

  function typing(target) {
    if (!target || !target.closest) return false;
    return !!target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true'], [role=combobox], [role=listbox]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!document.querySelector(ITEM)) return;
    var target = event.target;
    if (typing(target)) {
      if (event.key === "Escape" && itemOf(target)) {
        focusItem(itemOf(target), false);
        event.preventDefault();
      }
      return;
    }
    var item = currentItem();
    if (event.key === " " && target.hasAttribute && target.hasAttribute("data-suggestion")) {
      // Enhanced into a button (see enhance): Space activates it, as it would a button.
      var owner = itemOf(target);
      if (owner) choose(owner, target);
      event.preventDefault();
      return;
    }
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "1": case "2": case "3":
        if (!item) return;
        var link = item.querySelectorAll("[data-suggestion]")[Number(event.key) - 1];
        if (!link) return;
        choose(item, link);
        break;
      case "Enter":
        // On a button, link or summary Enter keeps its own meaning.
        if (target !== document.body && target !== item && target.id !== "main") return;
        if (!item) return;
        confirmItem(item);
        break;
      case "d": if (item) dispute(item); break;
      case "/":
        if (!item) return;
        picker(item).control && picker(item).control.focus();
        break;
      case "?": showHelp(); break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-suggestion]");
    if (!link) return;
    var item = itemOf(link);
    if (!item) return;
    event.preventDefault();
    choose(item, link);
  });

  document.addEventListener("focusin", function (event) {
    var item = itemOf(event.target);
    if (item) current = item;
  });

  // htmx: show a refused form (400) in place; after a success, focus the next item.
  document.addEventListener("htmx:beforeSwap", function (event) {
    // The server's message (swapped into the live region) wins over one still pending.
    window.clearTimeout(announcing);
    var target = event.detail.target;
    var item = itemOf(target);
    if (!item || !document.querySelector("[data-classify-queue]")) return;
    var status = event.detail.xhr.status;
    if (status === 400 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      var id = item.id;
      window.setTimeout(function () {
        var fresh = document.getElementById(id);
        if (!fresh) return;
        var invalid = fresh.querySelector("[aria-invalid=true], .has-error select, .has-error input");
        focusItem(fresh, false);
        if (invalid) {
          var found = picker(fresh);
          (invalid.tagName === "SELECT" || invalid.hidden ? found.control : invalid).focus();
        }
      }, 40);
      return;
    }
    if (status >= 200 && status < 300) {
      var all = items();
      var index = all.indexOf(item);
      var next = all[index + 1] || all[index - 1] || null;
      // With no other item, the same one (shown again after a dispute) keeps the focus.
      var nextId = next ? next.id : item.id;
      window.setTimeout(function () {
        // A person quicker than this timer has put the focus somewhere already: leave it.
        var active = document.activeElement;
        if (active && active !== document.body && document.body.contains(active)) return;
        var target = nextId && document.getElementById(nextId);
        if (target) {
          focusItem(target, true);
        } else if (!document.querySelector(ITEM)) {
          // The page is done: fetch what remains of the queue.
          var results = document.getElementById("queue-results");
          if (results && window.htmx) {
            window.htmx
              .ajax("GET", window.location.href, { target: results, swap: "outerHTML" })
              .then(function () {
                // Carry on with the keyboard: the first item of the fresh page takes the focus.
                var first = document.querySelector(ITEM);
                var active = document.activeElement;
                if (first && (!active || active === document.body)) focusItem(first, true);
              });
          }
        }
      }, 40);
    }
  });

  // Without this script a suggestion is a link that reloads the page with it preselected; with
  // it, a button that fills the picker in place.
  function enhance(root) {
    var scope = root || document;
    var links = scope.querySelectorAll("[data-suggestion]");
    for (var i = 0; i < links.length; i++) links[i].setAttribute("role", "button");
    // The queue's forms post with htmx to their own action (not repeated in the HTML as
    // hx-post: ten items a page); the list around them names the target and the swap.
    var unposted = "[data-classify-queue] form[data-classify-form]:not([hx-post])";
    var forms = Array.prototype.slice.call(scope.querySelectorAll(unposted));
    if (scope.matches && scope.matches(unposted)) forms.push(scope);
    for (var j = 0; j < forms.length; j++) {
      forms[j].setAttribute("hx-post", forms[j].getAttribute("action"));
      if (window.htmx) window.htmx.process(forms[j]);
    }
  }

  document.addEventListener("htmx:load", function (event) { enhance(event.target); });

  // Come to dispute from the queue (…#dispute): the note takes the focus, once the page is
  // loaded (the browser's own move to the fragment comes before).
  window.addEventListener("load", function () {
    if (window.location.hash !== "#dispute") return;
    var active = document.activeElement;
    if (active && active !== document.body) return;
    var note = document.querySelector("#dispute input[name=note]");
    if (note) note.focus();
  });

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    // The determination key folds away on a phone.
    if (window.matchMedia && window.matchMedia("(max-width: 40em)").matches) {
      var keys = document.querySelectorAll("details[data-collapse-on-phone]");
      for (var i = 0; i < keys.length; i++) keys[i].open = false;
    }
  });
})();
