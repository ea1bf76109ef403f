/* Component picker: turns every select[data-component-picker] (templates/criteria/_component_picker.html)
 * and every input[data-component-picker][list] (a text field completed from a <datalist> many
 * fields share, templates/criteria/_component_list.html) into an editable combobox with a list
 * (the ARIA 1.2 combobox pattern). A component is found by
 * its code ("a01", "A0") or by words of its label, description or family, without caring for
 * accents or case ("sante" finds "Santé physique"). The select (or text field) stays in the
 * form, hidden, and keeps the value, so the form posts the same field as without JavaScript.
 *
 * Self-initialising: on page load and after every htmx swap. Other scripts may call
 * window.componentPicker.init(root). No library, ES2017.
 */
(function () {
  "use strict";

  var counter = 0;

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function format(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  /* The families of a source: a select's optgroups, or a datalist's options cut where one
   * carries data-family (a datalist holds no optgroup). */
  function families(source) {
    var groups = source.querySelectorAll("optgroup");
    if (groups.length) {
      return Array.prototype.map.call(groups, function (group) {
        return { label: group.label || "", options: group.querySelectorAll("option") };
      });
    }
    var found = [];
    Array.prototype.forEach.call(source.querySelectorAll("option"), function (option) {
      if (!found.length || option.hasAttribute("data-family")) {
        found.push({ label: option.getAttribute("data-family") || "", options: [] });
      }
      found[found.length - 1].options.push(option);
    });
    return found;
  }

  /* field: the select, or the text field, that holds the value; source: where the options are
   * (the select itself, or the field's datalist). */
  function Picker(field, source) {
    var select = field;
    this.select = select;
    this.source = source;
    this.strings = Object.assign({}, source.dataset, select.dataset);
    this.base = (select.id || "component-picker-" + ++counter) + "-picker";
    this.items = [];
    this.groups = [];
    this.visible = [];
    this.active = -1;
    this.navigated = false;
    this.open = false;
    this.required = select.required;
    this.build();
    this.index();
    this.sync();
    this.bind();
  }

  Picker.prototype.build = function () {
    var select = this.select;
    var wrapper = element("div", "component-picker");
    var row = element("div", "component-picker-row");
    var input = element("input", "component-picker-input");
    input.type = "text";
    input.id = this.base + "-input";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.base + "-listbox");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("autocapitalize", "off");
    input.setAttribute("spellcheck", "false");
    input.placeholder = this.strings.pickerPlaceholder || "";
    var labels = select.labels || [];
    // A field without aria-labelledby (the queue's, to stay small) is named by its label.
    var labelledBy = select.getAttribute("aria-labelledby") || (labels[0] && labels[0].id) || null;
    if (labelledBy) input.setAttribute("aria-labelledby", labelledBy);
    var describedBy = select.getAttribute("aria-describedby");
    if (describedBy) input.setAttribute("aria-describedby", describedBy);
    if (this.required) {
      input.setAttribute("aria-required", "true");
      // The hidden select cannot show the browser's message: the visible field does.
      select.required = false;
    }
    Array.prototype.forEach.call(labels, function (label) {
      label.htmlFor = input.id;
    });
    if (select.hasAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");

    var toggle = element("button", "component-picker-toggle");
    toggle.type = "button";
    toggle.tabIndex = -1;
    toggle.setAttribute("aria-label", this.strings.pickerToggle || "");
    toggle.setAttribute("aria-controls", this.base + "-listbox");
    toggle.setAttribute("aria-expanded", "false");
    toggle.appendChild(element("span", "component-picker-arrow", "▾")).setAttribute("aria-hidden", "true");

    var listbox = element("div", "component-picker-list");
    listbox.id = this.base + "-listbox";
    listbox.setAttribute("role", "listbox");
    if (labelledBy) listbox.setAttribute("aria-labelledby", labelledBy);
    listbox.hidden = true;

    var empty = element("p", "component-picker-empty", this.strings.pickerNone || "");
    empty.hidden = true;

    var status = element("div", "visually-hidden");
    status.setAttribute("role", "status");

    row.appendChild(input);
    row.appendChild(toggle);
    wrapper.appendChild(row);
    wrapper.appendChild(listbox);
    wrapper.appendChild(empty);
    wrapper.appendChild(status);
    select.parentNode.insertBefore(wrapper, select);
    // A text field stops offering the browser's own list: the search box replaces it.
    select.removeAttribute("list");
    select.hidden = true;
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");

    this.wrapper = wrapper;
    this.input = input;
    this.toggle = toggle;
    this.listbox = listbox;
    this.empty = empty;
    this.status = status;
  };

  Picker.prototype.index = function () {
    var self = this;
    var provisional = this.strings.pickerProvisional || "";
    var order = 0;
    var groupNumber = 0;
    families(this.source).forEach(function (family) {
      var groupId = self.base + "-group-" + ++groupNumber;
      var group = element("div", "component-picker-group");
      group.setAttribute("role", "group");
      var familyLabel = family.label;
      if (familyLabel) {
        var heading = element("div", "component-picker-group-label", familyLabel);
        heading.id = groupId;
        heading.setAttribute("role", "presentation");
        group.setAttribute("aria-labelledby", groupId);
        group.appendChild(heading);
      }
      var entry = { element: group, items: [], rank: 0 };
      Array.prototype.forEach.call(family.options, function (option) {
        if (!option.value) return;
        var code = option.value;
        var text = option.textContent.trim();
        var prefix = code + " · ";
        var label = text.indexOf(prefix) === 0 ? text.slice(prefix.length) : text;
        var isProvisional = option.hasAttribute("data-provisional");
        var mark = " (" + provisional + ")";
        if (isProvisional && provisional && label.slice(-mark.length) === mark) {
          label = label.slice(0, -mark.length);
        }
        var description = option.getAttribute("data-description") || "";
        var node = element("div", "component-picker-option");
        node.id = self.base + "-option-" + code;
        node.setAttribute("role", "option");
        node.setAttribute("aria-selected", "false");
        node.appendChild(element("span", "cp-code", code));
        var name = element("span", "cp-label", label);
        if (isProvisional && provisional) {
          name.appendChild(document.createTextNode(" "));
          name.appendChild(element("span", "cp-provisional", provisional));
        }
        node.appendChild(name);
        if (description) node.appendChild(element("span", "cp-description", description));
        group.appendChild(node);
        var item = {
          value: code,
          code: fold(code),
          label: label,
          display: code + " · " + label,
          labelFolded: fold(label),
          labelWords: fold(label).split(/[^a-z0-9]+/).filter(Boolean),
          others: fold(description + " " + familyLabel),
          element: node,
          group: entry,
          order: order++,
          score: 0,
        };
        entry.items.push(item);
        self.items.push(item);
      });
      if (entry.items.length) {
        self.groups.push(entry);
        self.listbox.appendChild(group);
      }
    });
  };

  Picker.prototype.bind = function () {
    var self = this;
    var input = this.input;
    input.addEventListener("input", function () {
      self.navigated = false;
      self.filter(input.value);
      self.show();
      self.announceSoon();
    });
    input.addEventListener("keydown", function (event) {
      self.onKey(event);
    });
    input.addEventListener("blur", function () {
      self.commit();
      self.hide();
    });
    input.addEventListener("click", function () {
      if (!self.open) {
        self.filter(self.typed() ? input.value : "");
        self.show();
      }
    });
    this.toggle.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep the focus in the field
    });
    this.toggle.addEventListener("click", function () {
      if (self.open) {
        self.hide();
      } else {
        self.filter("");
        self.activateChosen();
        self.show();
      }
      input.focus();
    });
    this.listbox.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    this.listbox.addEventListener("click", function (event) {
      var node = event.target.closest("[role=option]");
      if (!node) return;
      var item = self.items.find(function (candidate) {
        return candidate.element === node;
      });
      if (item) {
        self.choose(item);
        self.hide();
        input.focus();
      }
    });
    this.select.addEventListener("change", function () {
      if (!self.changing) self.sync();
    });
    if (this.select.form) {
      this.select.form.addEventListener("reset", function () {
        setTimeout(function () {
          self.sync();
        });
      });
    }
  };

  Picker.prototype.chosen = function () {
    var value = this.select.value;
    return (
      this.items.find(function (item) {
        return item.value === value;
      }) || null
    );
  };

  /* Whether the field holds something typed, rather than the chosen component's name. */
  Picker.prototype.typed = function () {
    var chosen = this.chosen();
    return this.input.value !== (chosen ? chosen.display : "");
  };

  Picker.prototype.sync = function () {
    var chosen = this.chosen();
    this.input.value = chosen ? chosen.display : "";
    this.items.forEach(function (item) {
      item.element.classList.toggle("is-chosen", item === chosen);
    });
    this.validate();
  };

  Picker.prototype.validate = function () {
    if (!this.required) return;
    this.input.setCustomValidity(this.select.value ? "" : this.strings.pickerRequired || "");
  };

  Picker.prototype.score = function (item, query, tokens, codeQuery) {
    if (codeQuery && item.code.indexOf(codeQuery) === 0) {
      return 1000 - item.code.length;
    }
    var total = 0;
    for (var i = 0; i < tokens.length; i++) {
      var token = tokens[i];
      var best = 0;
      if (item.labelWords.some(function (word) { return word.indexOf(token) === 0; })) {
        best = 4;
      } else if (item.labelFolded.indexOf(token) >= 0) {
        best = 3;
      } else if (item.others.indexOf(token) >= 0) {
        best = 1;
      }
      if (!best) return 0;
      total += best;
    }
    if (item.labelFolded.indexOf(query) === 0) total += 2;
    return total;
  };

  Picker.prototype.filter = function (raw) {
    var self = this;
    var query = fold(raw).trim();
    var compact = query.replace(/\s+/g, "");
    var codeQuery = /^[a-z]\d{0,2}$/.test(compact) ? compact : "";
    var tokens = query.split(/[\s,;/·.()]+/).filter(Boolean);
    this.items.forEach(function (item) {
      item.score = query ? self.score(item, query, tokens, codeQuery) : 1;
    });
    var byRank = function (a, b) {
      return b.score - a.score || a.order - b.order;
    };
    this.groups.forEach(function (group) {
      var matches = group.items.filter(function (item) { return item.score > 0; });
      matches.sort(byRank);
      group.matches = matches;
      group.rank = matches.length ? matches[0] : null;
    });
    // Families stay together, the family of the best match first; the best match leads.
    var groups = this.groups.filter(function (group) { return group.rank; });
    groups.sort(function (a, b) { return byRank(a.rank, b.rank); });
    this.visible = [];
    this.groups.forEach(function (group) {
      group.element.hidden = !group.rank;
    });
    groups.forEach(function (group) {
      self.listbox.appendChild(group.element);
      group.items.forEach(function (item) {
        item.element.hidden = item.score <= 0;
      });
      group.matches.forEach(function (item) {
        group.element.appendChild(item.element);
        self.visible.push(item);
      });
    });
    this.empty.hidden = this.visible.length > 0 || !query;
    // A query picks its first match at once (automatic selection): Enter takes it.
    this.activate(query && this.visible.length ? 0 : -1);
  };

  Picker.prototype.activate = function (index) {
    var previous = this.visible[this.active];
    if (previous) {
      previous.element.classList.remove("is-active");
      previous.element.setAttribute("aria-selected", "false");
    }
    this.active = index;
    var item = this.visible[index];
    if (item) {
      item.element.classList.add("is-active");
      item.element.setAttribute("aria-selected", "true");
      this.input.setAttribute("aria-activedescendant", item.element.id);
      if (this.open) item.element.scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Picker.prototype.activateChosen = function () {
    var chosen = this.chosen();
    var index = chosen ? this.visible.indexOf(chosen) : -1;
    this.activate(index);
  };

  Picker.prototype.show = function () {
    if (!this.visible.length) {
      this.hide();
      this.empty.hidden = !this.input.value.trim() || !this.typed();
      return;
    }
    this.open = true;
    this.listbox.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.toggle.setAttribute("aria-expanded", "true");
    this.wrapper.classList.add("is-open");
    var item = this.visible[this.active];
    if (item) item.element.scrollIntoView({ block: "nearest" });
  };

  Picker.prototype.hide = function () {
    this.open = false;
    this.listbox.hidden = true;
    this.empty.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.toggle.setAttribute("aria-expanded", "false");
    this.wrapper.classList.remove("is-open");
    this.activate(-1);
  };

  Picker.prototype.choose = function (item) {
    this.changing = true;
    this.select.value = item ? item.value : "";
    this.select.dispatchEvent(new Event("change", { bubbles: true }));
    this.changing = false;
    this.sync();
    this.say(
      item
        ? format(this.strings.pickerChosen, { component: item.display })
        : this.strings.pickerCleared || ""
    );
  };

  /* Leaving the field: an exact code typed is taken, an empty field clears, anything else
   * falls back to the component already chosen (never a silent guess). */
  Picker.prototype.commit = function () {
    if (!this.typed()) return true;
    var typed = fold(this.input.value).replace(/\s+/g, "");
    if (!typed) {
      this.choose(null);
      return true;
    }
    var exact = this.items.find(function (item) {
      return item.code === typed || fold(item.display).replace(/\s+/g, "") === typed;
    });
    if (exact) {
      this.choose(exact);
      return true;
    }
    this.sync();
    return false;
  };

  Picker.prototype.move = function (step) {
    if (!this.visible.length) return;
    var next = this.active < 0 ? (step > 0 ? 0 : this.visible.length - 1) : this.active + step;
    if (next < 0) next = this.visible.length - 1;
    if (next >= this.visible.length) next = 0;
    this.navigated = true;
    this.activate(next);
  };

  Picker.prototype.onKey = function (event) {
    if (event.ctrlKey || event.metaKey) return;
    var key = event.key;
    if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      if (!this.open) {
        this.filter(this.typed() ? this.input.value : "");
        this.show();
        if (event.altKey) return;
        if (this.typed()) return; // the first match is already active
        if (this.chosen()) {
          this.activateChosen();
          return;
        }
      }
      this.move(key === "ArrowDown" ? 1 : -1);
      return;
    }
    if (event.altKey) return;
    if (key === "Enter") {
      if (this.open) {
        event.preventDefault();
        var item = this.visible[this.active];
        if (item) this.choose(item);
        this.hide();
        return;
      }
      var typed = this.input.value;
      if (!this.commit()) {
        // Words that name no single component: say so rather than send the form.
        event.preventDefault();
        this.input.value = typed;
        this.filter(typed);
        this.show();
      }
      return;
    }
    if (key === "Escape") {
      if (this.open) {
        event.preventDefault();
        event.stopPropagation();
        this.hide();
        this.sync();
        return;
      }
      if (this.input.value) {
        event.preventDefault();
        event.stopPropagation();
        this.choose(null);
      }
      return;
    }
    if (key === "Tab" && this.open && this.navigated) {
      var navigated = this.visible[this.active];
      if (navigated) this.choose(navigated);
    }
  };

  Picker.prototype.say = function (message) {
    var status = this.status;
    status.textContent = "";
    if (message) {
      setTimeout(function () {
        status.textContent = message;
      }, 50);
    }
  };

  Picker.prototype.announceSoon = function () {
    var self = this;
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(function () {
      if (!self.input.value.trim()) return;
      self.say(
        self.visible.length
          ? format(self.strings.pickerFound, { count: String(self.visible.length) })
          : self.strings.pickerNone || ""
      );
    }, 600);
  };

  var FIELDS = "select[data-component-picker], input[data-component-picker][list]";

  function init(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var fields = Array.prototype.slice.call(scope.querySelectorAll(FIELDS));
    if (scope.matches && scope.matches(FIELDS)) fields.push(scope);
    fields.forEach(function (field) {
      if (field.dataset.pickerReady) return;
      var source = field.tagName === "SELECT" ? field : document.getElementById(field.getAttribute("list"));
      if (!source) return; // no list on the page: the plain text field stays
      field.dataset.pickerReady = "true";
      field.componentPicker = new Picker(field, source);
    });
  }

  window.componentPicker = { init: init };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
  });
  document.addEventListener("htmx:afterSwap", function () {
    init(document);
  });
})();
