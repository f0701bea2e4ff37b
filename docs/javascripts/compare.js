// Compare studies: two to four studies side by side, tabulated from the data the build embeds
// in the page (scripts/kbsite/compare_view.py). The selection lives in the page address
// (?studies=a,b), so a comparison can be shared; the table downloads as CSV. The page is
// built with DOM methods only: no entry text is ever parsed as HTML.
(function () {
  "use strict";

  var element = window.kbDom.element;
  var csvCell = window.kbDom.csvCell;

  function byId(data) {
    var studies = {};
    data.studies.forEach(function (study) { studies[study.id] = study; });
    return studies;
  }

  // The selection in the address, in its order: known ids only, each once, at most the limit.
  function selectionFromAddress(data) {
    var known = byId(data);
    var value = new URLSearchParams(window.location.search).get("studies") || "";
    var chosen = [];
    value.split(",").forEach(function (id) {
      id = id.trim();
      if (known[id] && chosen.indexOf(id) === -1 && chosen.length < data.limits.max) {
        chosen.push(id);
      }
    });
    return chosen;
  }

  function writeAddress(chosen) {
    var params = new URLSearchParams(window.location.search);
    if (chosen.length) {
      params.set("studies", chosen.join(","));
    } else {
      params.delete("studies");
    }
    var query = params.toString().replace(/%2C/g, ",");
    window.history.replaceState(
      null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash
    );
  }

  // The table as rows of cells: [{kind, label, href, confidence, cells: [text...]}].
  function comparison(data, chosen) {
    var studies = byId(data);
    var rows = data.aspects.map(function (aspect) {
      return {
        kind: "aspect",
        section: "Study",
        label: aspect.label,
        cells: chosen.map(function (id) { return studies[id][aspect.key]; })
      };
    });
    data.groups.forEach(function (group) {
      var findings = group.findings.filter(function (id) {
        return chosen.some(function (study) { return data.findings[id].studies[study]; });
      });
      if (!findings.length) { return; }
      rows.push({ kind: "group", section: group.label, label: group.label, href: group.href });
      findings.forEach(function (id) {
        var finding = data.findings[id];
        rows.push({
          kind: "finding",
          id: id,
          section: group.label,
          label: finding.title,
          href: finding.href,
          type: finding.type,
          symbol: finding.symbol,
          confidence: finding.level,
          cells: chosen.map(function (study) {
            var link = finding.studies[study];
            return link ? data.linkLabels[link] : "";
          })
        });
      });
    });
    return rows;
  }

  function capitalised(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function table(data, chosen, rows) {
    var studies = byId(data);
    var head = element("tr", {}, [element("th", { scope: "col" }, ["Aspect or finding"])]);
    chosen.forEach(function (id) {
      head.appendChild(element("th", { scope: "col" }, [
        element("a", { href: studies[id].href }, [studies[id].label])
      ]));
    });
    var body = element("tbody");
    rows.forEach(function (row) {
      if (row.kind === "group") {
        body.appendChild(element("tr", { "class": "kb-compare__group" }, [
          element("th", { scope: "colgroup", colspan: String(chosen.length + 1) }, [
            element("a", { href: row.href }, [row.label])
          ])
        ]));
        return;
      }
      var header;
      if (row.kind === "finding") {
        header = element("th", { scope: "row", "data-finding": row.id }, [
          element("a", { href: row.href }, [row.label]),
          element("br"),
          element("span", { "class": "kb-compare__confidence" }, [
            capitalised(row.type) + " · confidence ",
            element("span", { "aria-hidden": "true" }, [row.symbol]),
            " " + capitalised(row.confidence)
          ])
        ]);
      } else {
        header = element("th", { scope: "row" }, [row.label]);
      }
      var tr = element("tr", { "class": "kb-compare__" + row.kind }, [header]);
      row.cells.forEach(function (text) {
        tr.appendChild(text
          ? element("td", {}, [text])
          : element("td", { "class": "kb-compare__none" }, [
            element("span", { "aria-hidden": "true" }, ["—"]),
            element("span", { "class": "kb-compare__hidden" }, ["Not reported"])
          ]));
      });
      body.appendChild(tr);
    });
    return element("table", { id: "kb-compare-table", "class": "kb-compare__table" }, [
      element("caption", {}, ["The " + chosen.length + " studies side by side"]),
      element("thead", {}, [head]),
      body
    ]);
  }

  function csv(data, chosen, rows) {
    var studies = byId(data);
    var lines = [["section", "row", "confidence"].concat(chosen.map(function (id) {
      return studies[id].label;
    }))];
    lines.push(["Study", "Id", ""].concat(chosen));
    rows.forEach(function (row) {
      if (row.kind === "group") { return; }
      lines.push([row.section, row.label, row.confidence || ""].concat(row.cells));
    });
    return lines.map(function (line) { return line.map(csvCell).join(","); }).join("\n") + "\n";
  }

  function render(data, chosen, result, status) {
    while (result.firstChild) { result.removeChild(result.firstChild); }
    if (chosen.length < data.limits.min) {
      status.textContent = "Choose at least " + data.limits.min + " studies to compare (" +
        chosen.length + " chosen).";
      return;
    }
    var rows = comparison(data, chosen);
    // A finding of two principles is a row under each: count findings, not rows.
    var findings = {};
    var shared = {};
    rows.forEach(function (row) {
      if (row.kind !== "finding") { return; }
      findings[row.id] = true;
      if (row.cells.filter(Boolean).length > 1) { shared[row.id] = true; }
    });
    findings = Object.keys(findings).length;
    shared = Object.keys(shared).length;
    var wrap = element("div", {
      "class": "kb-compare__scroll", tabindex: "0", role: "region",
      "aria-label": "Comparison table, scrolls sideways"
    }, [table(data, chosen, rows)]);
    result.appendChild(wrap);
    var file = URL.createObjectURL(new Blob([csv(data, chosen, rows)], { type: "text/csv" }));
    result.appendChild(element("p", {}, [
      element("a", { href: file, download: "study-comparison.csv", id: "kb-compare-csv" },
        ["Download this comparison as CSV"]),
      " · ",
      element("a", { href: window.location.href, id: "kb-compare-permalink" },
        ["Link to this comparison"])
    ]));
    status.textContent = "Comparing " + chosen.length + " studies: " + findings + " finding" +
      (findings === 1 ? "" : "s") + ", " + shared + " supported by more than one of them.";
  }

  function start() {
    var holder = document.getElementById("kb-compare-data");
    var form = document.getElementById("kb-compare-form");
    if (!holder || !form || form.getAttribute("data-ready")) { return; }
    var data = JSON.parse(holder.textContent);
    var result = document.getElementById("kb-compare-result");
    var status = document.getElementById("kb-compare-status");
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=study]"));
    var chosen = selectionFromAddress(data);

    var count = document.getElementById("kb-compare-count");
    var picker = document.getElementById("kb-compare-picker");

    function sync() {
      boxes.forEach(function (box) {
        box.checked = chosen.indexOf(box.value) !== -1;
        box.disabled = !box.checked && chosen.length >= data.limits.max;
      });
      count.textContent = "(" + chosen.length + " chosen)";
    }

    form.setAttribute("data-ready", "true");
    form.addEventListener("change", function (event) {
      var box = event.target;
      var at = chosen.indexOf(box.value);
      if (box.checked && at === -1 && chosen.length < data.limits.max) {
        chosen.push(box.value);
      } else if (!box.checked && at !== -1) {
        chosen.splice(at, 1);
      }
      sync();
      writeAddress(chosen);
      render(data, chosen, result, status);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    picker.open = chosen.length < data.limits.min;
    sync();
    render(data, chosen, result, status);
  }

  window.kbCompare = { csvCell: csvCell };
  if (typeof document$ !== "undefined") {
    document$.subscribe(start);
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
