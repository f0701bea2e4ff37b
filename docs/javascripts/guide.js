// Decision guides: evaluates the answers exactly as scripts/kbsite/guides.py does (a browser
// test compares both on every combination of answers) and shows the result with its evidence.
// Answers live in the page address (?question=option&...), so a result can be shared.
// The page is built with DOM methods only: no entry text is ever parsed as HTML.
(function () {
  "use strict";

  function ruleApplies(rule, answers) {
    return rule.when.every(function (condition) {
      return condition.options.indexOf(answers[condition.question]) !== -1;
    });
  }

  function evaluateSubject(subject, answers) {
    var applying = subject.rules
      .filter(function (rule) { return ruleApplies(rule, answers); })
      .map(function (rule) { return rule.outcome; });
    if (applying.length === 0) {
      return subject["default"];
    }
    var because = [];
    applying.forEach(function (outcome) {
      outcome.because.forEach(function (finding) {
        if (because.indexOf(finding) === -1) { because.push(finding); }
      });
    });
    var judgement = applying
      .filter(function (outcome) { return outcome.judgement; })
      .map(function (outcome) { return outcome.judgement; })
      .join(" ");
    return { level: applying[0].level, because: because, judgement: judgement };
  }

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

  function readAnswers(form, data) {
    var answers = {};
    data.questions.forEach(function (question) {
      var checked = form.querySelector('input[name="' + question.id + '"]:checked');
      if (checked) { answers[question.id] = checked.value; }
    });
    return answers;
  }

  function answersFromAddress(data) {
    var params = new URLSearchParams(window.location.search);
    var answers = {};
    data.questions.forEach(function (question) {
      var value = params.get(question.id);
      if (value !== null && question.options.indexOf(value) !== -1) {
        answers[question.id] = value;
      }
    });
    return answers;
  }

  function writeAddress(data, answers) {
    var params = new URLSearchParams();
    data.questions.forEach(function (question) {
      if (answers[question.id]) { params.set(question.id, answers[question.id]); }
    });
    var query = params.toString();
    var address = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    window.history.replaceState(null, "", address);
  }

  function levelLabel(data, id) {
    var level = data.levels.filter(function (candidate) { return candidate.id === id; })[0];
    return level ? level.label : id;
  }

  function bibtexLink(data, citations) {
    var text = citations.slice().sort().map(function (id) {
      return data.citations[id].bibtex;
    }).join("\n");
    var link = element("a", {
      href: URL.createObjectURL(new Blob([text], { type: "application/x-bibtex" })),
      download: data.id + "-sources.bib",
      id: "kb-guide-bibtex"
    }, ["Download the BibTeX of the " + citations.length + " sources behind this result"]);
    return link;
  }

  function renderResult(data, answers, result, status) {
    while (result.firstChild) { result.removeChild(result.firstChild); }
    var missing = data.questions.filter(function (q) { return !answers[q.id]; }).length;
    if (missing > 0) {
      status.textContent = "Answer " + missing + " more question" + (missing === 1 ? "" : "s") +
        " to see the recommendations.";
      return;
    }
    var counts = {};
    var citations = [];
    var body = element("tbody");
    data.subjects.forEach(function (subject) {
      var outcome = evaluateSubject(subject, answers);
      counts[outcome.level] = (counts[outcome.level] || 0) + 1;
      var basis = element("ul", { "class": "kb-guide__basis" });
      outcome.because.forEach(function (id) {
        var finding = data.findings[id];
        var sources = [];
        finding.citations.forEach(function (citationId, index) {
          var citation = data.citations[citationId];
          if (citations.indexOf(citationId) === -1) { citations.push(citationId); }
          if (index > 0) { sources.push(", "); }
          sources.push(element("a", { href: citation.href }, [citation.label]));
        });
        basis.appendChild(element("li", {}, [
          element("a", { href: finding.href }, [finding.title]), " ("
        ].concat(sources, [")"])));
      });
      if (outcome.judgement) {
        basis.appendChild(element("li", {}, [
          element("em", {}, ["Editors' judgement: "]), outcome.judgement
        ]));
      }
      body.appendChild(element("tr", {
        "data-subject": subject.subject,
        "data-level": outcome.level,
        "data-because": outcome.because.join(","),
        "data-judgement": outcome.judgement
      }, [
        element("th", { scope: "row" }, [element("a", { href: subject.href }, [subject.label])]),
        element("td", {}, [element("strong", {}, [levelLabel(data, outcome.level)])]),
        element("td", {}, [basis])
      ]));
    });
    var table = element("table", {}, [
      element("caption", {}, ["Recommendations for your answers"]),
      element("thead", {}, [element("tr", {}, [
        element("th", { scope: "col" }, [data.subjectHeading]),
        element("th", { scope: "col" }, ["Recommendation"]),
        element("th", { scope: "col" }, ["Why"])
      ])]),
      body
    ]);
    result.appendChild(element("h2", { id: "your-result" }, ["Your result"]));
    result.appendChild(table);
    if (citations.length) {
      result.appendChild(element("p", {}, [bibtexLink(data, citations)]));
    }
    result.appendChild(element("p", {}, [
      "Link to this result: ",
      element("a", { href: window.location.href, id: "kb-guide-permalink" },
        [window.location.href])
    ]));
    var summary = data.levels
      .filter(function (level) { return counts[level.id]; })
      .map(function (level) { return counts[level.id] + " " + level.label.toLowerCase(); })
      .join(", ");
    status.textContent = "Recommendations updated: " + summary + ".";
  }

  function start() {
    var holder = document.getElementById("kb-guide-data");
    var form = document.getElementById("kb-guide-form");
    if (!holder || !form || form.getAttribute("data-ready")) { return; }
    var data = JSON.parse(holder.textContent);
    var result = document.getElementById("kb-guide-result");
    var status = document.getElementById("kb-guide-status");
    var initial = answersFromAddress(data);
    Object.keys(initial).forEach(function (question) {
      var input = document.getElementById("answer-" + question + "-" + initial[question]);
      if (input) { input.checked = true; }
    });
    form.hidden = false;
    form.setAttribute("data-ready", "true");
    form.addEventListener("change", function () {
      var answers = readAnswers(form, data);
      writeAddress(data, answers);
      renderResult(data, answers, result, status);
    });
    renderResult(data, readAnswers(form, data), result, status);
  }

  window.kbGuide = { evaluateSubject: evaluateSubject };
  if (typeof document$ !== "undefined") {
    document$.subscribe(start);
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
