// Helpers the site's page scripts share (compare.js, gap-map.js; loaded after this file).
window.kbDom = (function () {
  "use strict";

  // Built with DOM methods only: entry text is never parsed as HTML.
  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  // A CSV cell; a leading =, +, -, @, tab or carriage return would make a spreadsheet run the
  // cell as a formula, so it is neutralised with a quote.
  function csvCell(value) {
    var text = String(value === undefined || value === null ? "" : value);
    if (/^[=+\-@\t\r]/.test(text)) { text = "'" + text; }
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  return { element: element, csvCell: csvCell };
})();

// Wide tables scroll sideways; keyboard users must be able to reach and scroll them
// (WCAG 2.1.1, axe rule scrollable-region-focusable). Material wraps tables at runtime.
// A table the browser has not rendered yet (content-visibility: auto, far below the screen)
// is measured when it is rendered: measuring it now would lay it out while the page loads.
(function () {
  "use strict";

  var waiting = [];
  var named = {};

  // The heading a table stands under, so that each region has a name of its own: a screen
  // reader lists the page's regions by name (axe rule landmark-unique).
  function headingOf(wrap) {
    for (var node = wrap; node && node !== document.body; node = node.parentElement) {
      for (var prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) {
          return prev.textContent.replace(/\u00b6\s*$/, "").trim();
        }
      }
    }
    return "";
  }

  function regionName(wrap) {
    var heading = headingOf(wrap);
    var base = heading ? "Table under \u201c" + heading + "\u201d" : "Table";
    named[base] = (named[base] || 0) + 1;
    return base + (named[base] > 1 ? " (" + named[base] + ")" : "") + ", scrolls sideways";
  }

  function focusable(wrap) {
    if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", regionName(wrap));
    }
  }

  function rendered(wrap) {
    return !wrap.checkVisibility || wrap.checkVisibility({ contentVisibilityAuto: true });
  }

  document.addEventListener("contentvisibilityautostatechange", function (event) {
    if (event.skipped) { return; }
    waiting = waiting.filter(function (wrap) {
      if (!event.target.contains(wrap)) { return true; }
      focusable(wrap);
      return false;
    });
  }, true);

  document$.subscribe(function () {
    waiting = [];
    named = {};
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (rendered(wrap)) { focusable(wrap); } else { waiting.push(wrap); }
    });
  });
})();
