// The evidence and gap map: filters, drill-down and downloads over the map the build drew
// (scripts/kbsite/gapmap.py). The data is embedded in the page; the filter state lives in the
// page address, so a view can be shared. Marks are redrawn with the same geometry as the
// build's `draw_mark`; entry text only ever reaches the page as text nodes, never as markup.
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var CHECKS = ["design", "kind", "review", "link"];

  var element = window.kbDom.element;
  var csvCell = window.kbDom.csvCell;

  function svgElement(tag, attributes, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function fixed(value) { return value.toFixed(1); }

  // --- Filters and the address -------------------------------------------------------------

  function allOptions(data) {
    var all = {};
    data.filters.checks.forEach(function (group) {
      all[group.key] = group.options.map(function (option) { return option[0]; });
    });
    return all;
  }

  function stateFromAddress(data) {
    var params = new URLSearchParams(window.location.search);
    var all = allOptions(data);
    var state = {};
    CHECKS.forEach(function (key) {
      var known = all[key] || [];
      var given = params.has(key) ? params.get(key).split(",") : known;
      state[key] = known.filter(function (value) { return given.indexOf(value) !== -1; });
    });
    data.filters.facets.forEach(function (facet) {
      var value = params.get(facet.key) || "";
      var known = facet.options.some(function (option) { return option[0] === value; });
      state[facet.key] = known ? value : "";
    });
    return state;
  }

  function writeAddress(data, state) {
    var params = new URLSearchParams(window.location.search);
    var all = allOptions(data);
    CHECKS.forEach(function (key) {
      if ((all[key] || []).length === state[key].length) { params.delete(key); }
      else { params.set(key, state[key].join(",")); }
    });
    data.filters.facets.forEach(function (facet) {
      if (state[facet.key]) { params.set(facet.key, state[facet.key]); }
      else { params.delete(facet.key); }
    });
    var query = params.toString().replace(/%2C/g, ",");
    var address = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    window.history.replaceState(null, "", address);
  }

  function stateFromForm(data, form) {
    var state = {};
    CHECKS.forEach(function (key) {
      state[key] = [].slice.call(form.querySelectorAll("input[name='" + key + "']"))
        .filter(function (box) { return box.checked; })
        .map(function (box) { return box.value; });
    });
    data.filters.facets.forEach(function (facet) {
      state[facet.key] = form.querySelector("select[name='" + facet.key + "']").value;
    });
    return state;
  }

  function showState(data, form, state) {
    CHECKS.forEach(function (key) {
      form.querySelectorAll("input[name='" + key + "']").forEach(function (box) {
        box.checked = state[key].indexOf(box.value) !== -1;
      });
    });
    data.filters.facets.forEach(function (facet) {
      form.querySelector("select[name='" + facet.key + "']").value = state[facet.key];
    });
  }

  // --- Cells ------------------------------------------------------------------------------

  function cellKey(row, outcome, side) { return row + "--" + outcome + "--" + side; }

  // Which evidence passes: a study's design, kind and peer review, the item's link; a finding
  // passes when its context has the chosen facet values and some evidence item passes.
  function computeCells(data, state) {
    var ranks = {};
    data.levels.forEach(function (level) { ranks[level.value] = level.rank; });
    var cells = {};
    var shownFindings = 0;
    var shownStudies = {};
    Object.keys(data.findings).sort().forEach(function (id) {
      var finding = data.findings[id];
      var fits = data.filters.facets.every(function (facet) {
        var wanted = state[facet.key];
        return !wanted || finding.context[facet.key].indexOf(wanted) !== -1;
      });
      if (!fits) { return; }
      var studies = {};
      finding.evidence.forEach(function (item) {
        var study = data.studies[item[0]];
        if (state.design.indexOf(study.design) !== -1 && state.kind.indexOf(study.kind) !== -1 &&
            state.review.indexOf(study.review) !== -1 && state.link.indexOf(item[1]) !== -1) {
          studies[item[0]] = true;
        }
      });
      var ids = Object.keys(studies);
      if (!ids.length) { return; }
      shownFindings += 1;
      ids.forEach(function (sid) { shownStudies[sid] = true; });
      finding.rows.forEach(function (row) {
        finding.outcomes.forEach(function (outcome) {
          var key = cellKey(row, outcome, finding.type);
          var cell = cells[key] || (cells[key] = { findings: [], studies: {}, level: null });
          cell.findings.push(id);
          ids.forEach(function (sid) { cell.studies[sid] = true; });
          if (cell.level === null || ranks[finding.level] > ranks[cell.level]) {
            cell.level = finding.level;
          }
        });
      });
    });
    Object.keys(cells).forEach(function (key) {
      var cell = cells[key];
      cell.studies = Object.keys(cell.studies).sort();
      var counts = {};
      cell.studies.forEach(function (sid) {
        var design = data.studies[sid].design;
        counts[design] = (counts[design] || 0) + 1;
      });
      cell.designs = Object.keys(data.designs)
        .filter(function (d) { return counts[d]; })
        .map(function (d) { return [d, counts[d]]; });
      cell.findings.sort(function (a, b) {
        var x = data.findings[a].title.toLowerCase(), y = data.findings[b].title.toLowerCase();
        return x < y ? -1 : x > y ? 1 : (a < b ? -1 : 1);
      });
    });
    return { cells: cells, findings: shownFindings, studies: Object.keys(shownStudies).length };
  }

  function cellName(data, key, cell) {
    var parts = key.split("--");
    var row = data.rows.filter(function (r) { return r.key === parts[0]; })[0];
    var outcome = data.outcomes.filter(function (o) { return o.id === parts[1]; })[0];
    var where = row.label + " × " + outcome.title.toLowerCase() + " " + parts[2] + "s";
    if (!cell || !cell.studies.length) { return where + ": none, no study"; }
    var count = cell.studies.length;
    return where + ": " + count + " " + (count === 1 ? "study" : "studies") + ", " +
      cell.level + " confidence";
  }

  // --- Marks: the same geometry as gapmap.draw_mark ---------------------------------------

  function shapePath(shape, cx, cy, r) {
    var h;
    if (shape === "circle") {
      return "M" + fixed(cx - r) + " " + fixed(cy) + "a" + fixed(r) + " " + fixed(r) +
        " 0 1 0 " + fixed(2 * r) + " 0a" + fixed(r) + " " + fixed(r) + " 0 1 0 " +
        fixed(-2 * r) + " 0Z";
    }
    if (shape === "square") {
      h = r * 0.886;
      return "M" + fixed(cx - h) + " " + fixed(cy - h) + "h" + fixed(2 * h) + "v" +
        fixed(2 * h) + "h" + fixed(-2 * h) + "Z";
    }
    if (shape === "diamond") {
      h = r * 1.253;
      return "M" + fixed(cx) + " " + fixed(cy - h) + "L" + fixed(cx + h) + " " + fixed(cy) +
        "L" + fixed(cx) + " " + fixed(cy + h) + "L" + fixed(cx - h) + " " + fixed(cy) + "Z";
    }
    h = r * 1.2;
    return "M" + fixed(cx) + " " + fixed(cy - h) + "L" + fixed(cx + h * 0.866) + " " +
      fixed(cy + h * 0.5) + "L" + fixed(cx - h * 0.866) + " " + fixed(cy + h * 0.5) + "Z";
  }

  function wedge(cx, cy, r, start, end) {
    if (end - start >= 0.9999) { return shapePath("circle", cx, cy, r); }
    var a0 = 2 * Math.PI * start, a1 = 2 * Math.PI * end;
    return "M" + fixed(cx) + " " + fixed(cy) + "L" + fixed(cx + r * Math.sin(a0)) + " " +
      fixed(cy - r * Math.cos(a0)) + "A" + fixed(r) + " " + fixed(r) + " 0 " +
      (end - start > 0.5 ? 1 : 0) + " 1 " + fixed(cx + r * Math.sin(a1)) + " " +
      fixed(cy - r * Math.cos(a1)) + "Z";
  }

  function drawMark(data, group, cell) {
    while (group.firstChild) { group.removeChild(group.firstChild); }
    var cx = parseFloat(group.getAttribute("data-cx"));
    var cy = parseFloat(group.getAttribute("data-cy"));
    var label = {
      x: fixed(parseFloat(group.getAttribute("data-lx"))),
      y: fixed(parseFloat(group.getAttribute("data-ly"))),
      "text-anchor": group.getAttribute("data-anchor")
    };
    var key = group.getAttribute("data-key");
    if (!cell || !cell.studies.length) {
      group.appendChild(svgElement("text", {
        "class": "kb-gap__empty", x: fixed(parseFloat(group.getAttribute("data-ex"))),
        y: fixed(parseFloat(group.getAttribute("data-ey"))), "text-anchor": "middle"
      }, "none"));
      return;
    }
    var level = data.levels.filter(function (l) { return l.value === cell.level; })[0];
    var count = cell.studies.length;
    var r = Math.min(data.marks.max, data.marks.min + data.marks.step * Math.sqrt(count - 1));
    var outline = shapePath(level.shape, cx, cy, r);
    var clip = svgElement("clipPath", { id: "clip-" + key });
    clip.appendChild(svgElement("path", { d: outline }));
    group.appendChild(clip);
    var pie = svgElement("g", { "clip-path": "url(#clip-" + key + ")" });
    var start = 0;
    cell.designs.forEach(function (pair) {
      var end = start + pair[1] / count;
      pie.appendChild(svgElement("path", {
        "class": "kb-gap__seg kb-gap__seg--" + pair[0], d: wedge(cx, cy, r * 1.6, start, end)
      }));
      start = end;
    });
    group.appendChild(pie);
    group.appendChild(svgElement("path", { "class": "kb-gap__outline", d: outline }));
    label["class"] = "kb-gap__label";
    group.appendChild(svgElement("text", label, count + " " + level.symbol));
  }

  function redraw(data, root, view) {
    root.querySelectorAll("a.kb-gap__cell").forEach(function (link) {
      var key = link.getAttribute("data-cell");
      var cell = view.cells[key];
      drawMark(data, link.querySelector(".kb-gap__mark"), cell);
      link.setAttribute("aria-label", cellName(data, key, cell));
      link.setAttribute("data-studies", cell ? String(cell.studies.length) : "0");
      link.setAttribute("data-level", cell ? cell.level : "");
    });
  }

  // --- Drill-down -------------------------------------------------------------------------

  function showDetail(data, view, key, detail, origin) {
    var cell = view.cells[key];
    while (detail.firstChild) { detail.removeChild(detail.firstChild); }
    var symbols = {};
    data.levels.forEach(function (l) { symbols[l.value] = l.symbol; });
    detail.appendChild(element("h2", { id: "kb-gap-detail-title" }, [cellName(data, key, cell)]));
    detail.setAttribute("aria-labelledby", "kb-gap-detail-title");
    if (!cell || !cell.studies.length) {
      detail.appendChild(element("p", {}, [
        "No study in the knowledge base speaks of this (with the filters chosen): a gap."
      ]));
    } else {
      var side = key.split("--")[2] === "benefit" ? "Benefits" : "Limitations";
      detail.appendChild(element("h3", {}, [side + " (" + cell.findings.length + ")"]));
      detail.appendChild(element("ul", {}, cell.findings.map(function (id) {
        var finding = data.findings[id];
        return element("li", {}, [
          element("a", { href: finding.href }, [finding.title]),
          " · confidence " + symbols[finding.level] + " " + finding.level
        ]);
      })));
      detail.appendChild(element("h3", {}, ["Independent studies (" + cell.studies.length + ")"]));
      detail.appendChild(element("ul", {}, cell.studies.map(function (sid) {
        var study = data.studies[sid];
        return element("li", {}, [
          element("a", { href: study.href }, [study.label]),
          " · " + data.designs[study.design] +
            (study.review === "yes" ? ", peer reviewed" : ", not peer reviewed")
        ]);
      })));
    }
    var back = element("button", { type: "button", "class": "kb-gap__button" }, ["Back to the map"]);
    back.addEventListener("click", function () { closeDetail(detail, origin); });
    detail.appendChild(element("p", {}, [back]));
    detail.setAttribute("data-cell", key);
    detail.hidden = false;
    detail.focus();
  }

  function closeDetail(detail, origin) {
    detail.hidden = true;
    detail.removeAttribute("data-cell");
    if (origin) { origin.focus(); }
  }

  // --- Downloads --------------------------------------------------------------------------

  function download(name, blob) {
    var link = element("a", { href: URL.createObjectURL(blob), download: name });
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  function visibleSvg(root) {
    return [].slice.call(root.querySelectorAll("svg.kb-gap__svg")).filter(function (svg) {
      return svg.getBoundingClientRect().width > 0;
    })[0] || root.querySelector("svg.kb-gap__svg");
  }

  var STYLED = ["fill", "stroke", "stroke-width", "stroke-dasharray", "font-family", "font-size",
    "font-weight", "opacity"];

  // The drawing with the colours of the current scheme written into it, standing alone.
  function standaloneSvg(root) {
    var source = visibleSvg(root);
    var copy = source.cloneNode(true);
    var originals = source.querySelectorAll("*");
    var copies = copy.querySelectorAll("*");
    for (var i = 0; i < originals.length; i += 1) {
      var computed = getComputedStyle(originals[i]);
      copies[i].setAttribute("style", STYLED.map(function (name) {
        return name + ":" + computed.getPropertyValue(name);
      }).join(";"));
    }
    var background = getComputedStyle(root).getPropertyValue("--md-default-bg-color") || "#fff";
    var rect = document.createElementNS(SVG, "rect");
    rect.setAttribute("width", "100%");
    rect.setAttribute("height", "100%");
    rect.setAttribute("fill", background.trim() || "#fff");
    copy.insertBefore(rect, copy.firstChild);
    return { text: new XMLSerializer().serializeToString(copy), source: source };
  }

  function downloadPng(root) {
    var svg = standaloneSvg(root);
    var box = svg.source.viewBox.baseVal;
    var image = new Image();
    var url = URL.createObjectURL(new Blob([svg.text], { type: "image/svg+xml" }));
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = box.width * 2;
      canvas.height = box.height * 2;
      var context = canvas.getContext("2d");
      context.scale(2, 2);
      context.drawImage(image, 0, 0, box.width, box.height);
      URL.revokeObjectURL(url);
      canvas.toBlob(function (blob) { download("evidence-gap-map.png", blob); }, "image/png");
    };
    image.src = url;
  }

  function csvText(data, view) {
    var lines = [["principle", "outcome_group", "side", "studies", "best_confidence",
      "study_designs", "findings", "study_ids"]];
    data.rows.forEach(function (row) {
      data.outcomes.forEach(function (outcome) {
        data.sides.forEach(function (side) {
          var cell = view.cells[cellKey(row.key, outcome.id, side)];
          lines.push([
            row.label, outcome.title, side, cell ? cell.studies.length : 0,
            cell ? cell.level : "",
            cell ? cell.designs.map(function (p) { return p[0] + ":" + p[1]; }).join(";") : "",
            cell ? cell.findings.map(function (id) { return data.findings[id].title; }).join("; ") : "",
            cell ? cell.studies.join(";") : ""
          ]);
        });
      });
    });
    return lines.map(function (line) { return line.map(csvCell).join(","); }).join("\n") + "\n";
  }

  // --- Keyboard: arrow keys move between the marks of the drawing on show -----------------

  function moveFocus(root, link, key) {
    var steps = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    var step = steps[key];
    if (!step) { return false; }
    var svg = link.ownerSVGElement;
    var r = parseInt(link.getAttribute("data-r"), 10) + step[0];
    var c = parseInt(link.getAttribute("data-c"), 10) + step[1];
    var next = svg.querySelector("a.kb-gap__cell[data-r='" + r + "'][data-c='" + c + "']");
    if (next) { next.focus(); }
    return true;
  }

  // One mark of each drawing is in the tab order (the last one focused): Tab passes the map
  // in one step, the arrow keys move inside it.
  function roveFocus(root) {
    root.querySelectorAll("svg.kb-gap__svg").forEach(function (svg) {
      svg.querySelectorAll("a.kb-gap__cell").forEach(function (mark, index) {
        mark.setAttribute("tabindex", index === 0 ? "0" : "-1");
      });
    });
    root.addEventListener("focusin", function (event) {
      var link = event.target.closest && event.target.closest("a.kb-gap__cell");
      if (!link) { return; }
      link.ownerSVGElement.querySelectorAll("a.kb-gap__cell[tabindex='0']").forEach(
        function (mark) { mark.setAttribute("tabindex", "-1"); }
      );
      link.setAttribute("tabindex", "0");
    });
  }

  // --- Start ------------------------------------------------------------------------------

  function start() {
    var root = document.getElementById("kb-gap");
    var source = document.getElementById("kb-gap-data");
    if (!root || !source || root.getAttribute("data-ready")) { return; }
    var data = JSON.parse(source.textContent);
    var form = document.getElementById("kb-gap-form");
    var status = document.getElementById("kb-gap-status");
    var detail = document.getElementById("kb-gap-detail");
    var total = Object.keys(data.findings).length;
    var view = null;
    var origin = null;

    // The build drew the map of all the evidence: it is redrawn only for another view.
    function update(write) {
      var state = stateFromForm(data, form);
      view = computeCells(data, state);
      if (write || window.location.search) { redraw(data, root, view); }
      if (write) { writeAddress(data, state); }
      status.textContent = "Showing " + view.findings + " of " + total + " findings, from " +
        view.studies + " of " + Object.keys(data.studies).length + " studies.";
      var open = detail.getAttribute("data-cell");
      if (open && !detail.hidden) { showDetail(data, view, open, detail, origin); }
    }

    showState(data, form, stateFromAddress(data));
    form.addEventListener("change", function () { update(true); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    document.getElementById("kb-gap-reset").addEventListener("click", function () {
      var all = allOptions(data);
      var state = {};
      CHECKS.forEach(function (key) { state[key] = all[key] || []; });
      data.filters.facets.forEach(function (facet) { state[facet.key] = ""; });
      showState(data, form, state);
      update(true);
    });
    document.getElementById("kb-gap-svg").addEventListener("click", function () {
      download("evidence-gap-map.svg",
        new Blob([standaloneSvg(root).text], { type: "image/svg+xml" }));
    });
    document.getElementById("kb-gap-png").addEventListener("click", function () {
      downloadPng(root);
    });
    document.getElementById("kb-gap-csv").addEventListener("click", function () {
      download("evidence-gap-map.csv", new Blob([csvText(data, view)], { type: "text/csv" }));
    });
    root.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.kb-gap__cell");
      if (!link) { return; }
      event.preventDefault();
      origin = link;
      showDetail(data, view, link.getAttribute("data-cell"), detail, origin);
    });
    root.addEventListener("keydown", function (event) {
      var link = event.target.closest && event.target.closest("a.kb-gap__cell");
      if (link && moveFocus(root, link, event.key)) { event.preventDefault(); return; }
      if (event.key === "Escape" && !detail.hidden) { closeDetail(detail, origin); }
    });
    roveFocus(root);
    root.setAttribute("data-ready", "true");
    update(false);
  }

  window.kbGapMap = { csvCell: csvCell, computeCells: computeCells };
  if (typeof document$ !== "undefined") {
    document$.subscribe(start);
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
