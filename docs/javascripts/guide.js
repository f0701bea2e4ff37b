// Decision guides: looks the reader's answers up in the table that scripts/kbsite/guides.py
// computed at build time, and shows the result. It decides nothing: every outcome, every
// "what would change it" and the plan's order come from the table.
// Answers live in the page address (?question=option&...), so a result can be shared.
// Answers, questions and entries are found by position in arrays, never used as object keys,
// so an id such as `constructor` or `__proto__` is just an id. The page is built with DOM
// methods only: no entry text is ever parsed as HTML.
(function () {
  "use strict";

  var ORDINALS = ["First", "Second", "Third"];

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    (attributes || []).forEach(function (pair) {
      node.setAttribute(pair[0], pair[1]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function link(href, text) {
    return element("a", [["href", href]], [text]);
  }

  function optionIndex(question, id) {
    for (var i = 0; i < question.options.length; i += 1) {
      if (question.options[i].id === id) { return i; }
    }
    return -1;
  }

  // The row of the table for a complete set of answers (option index per question): the
  // first question varies slowest, as Python's itertools.product orders the combinations.
  function lookup(data, chosen) {
    var index = 0;
    data.questions.forEach(function (question, q) {
      index = index * question.options.length + chosen[q];
    });
    var width = data.subjects.length + 1;
    var row = data.table.slice(index * width, (index + 1) * width);
    return {
      views: data.subjects.map(function (subject, s) { return subject.views[row[s]]; }),
      plan: data.plans[row[width - 1]]
    };
  }

  function readAnswers(form, data) {
    var inputs = form.querySelectorAll("input[type=radio]");
    return data.questions.map(function (question) {
      for (var i = 0; i < inputs.length; i += 1) {
        if (inputs[i].name === question.id && inputs[i].checked) {
          return optionIndex(question, inputs[i].value);
        }
      }
      return -1;
    });
  }

  function answersFromAddress(data) {
    var params = new URLSearchParams(window.location.search);
    return data.questions.map(function (question) {
      var value = params.get(question.id);
      return value === null ? -1 : optionIndex(question, value);
    });
  }

  function writeAddress(data, chosen) {
    var params = new URLSearchParams();
    data.questions.forEach(function (question, q) {
      if (chosen[q] >= 0) { params.set(question.id, question.options[chosen[q]].id); }
    });
    var query = params.toString();
    var address = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    window.history.replaceState(null, "", address);
  }

  function findingIds(data, subject, items) {
    return items.map(function (item) { return data.findings[subject.evidence[item].finding].id; });
  }

  function evidenceItem(data, subject, item, cited) {
    var piece = subject.evidence[item];
    var finding = data.findings[piece.finding];
    var labels = [finding.kind, "confidence " + finding.symbol + " " + finding.confidence];
    if (piece.link) { labels.push(piece.link); }
    labels = labels.concat(finding.studies);
    var sources = [];
    finding.citations.forEach(function (c, index) {
      var citation = data.citations[c];
      if (cited.indexOf(c) === -1) { cited.push(c); }
      if (index > 0) { sources.push(", "); }
      sources.push(link(citation.href, citation.label));
    });
    var children = [link(finding.href, finding.title), " (" + labels.join(" · ") + "). Sources: "];
    children = children.concat(sources, ["."]);
    if (piece.when) {
      children.push(element("br"), "Counts here because " + piece.when + ".");
    }
    if (piece.caveat) {
      children.push(element("br"), piece.caveat);
    }
    return element("li", [], children);
  }

  function evidenceList(data, subject, items, title, cited) {
    if (!items.length) { return []; }
    return [
      element("p", [["class", "kb-rec__side"]], [element("strong", [], [title])]),
      element("ul", [["class", "kb-guide__basis"]], items.map(function (item) {
        return evidenceItem(data, subject, item, cited);
      }))
    ];
  }

  function weighing(data, view) {
    var text = data.balances[view.balance];
    if (view.points.some(function (points) { return points > 0; })) {
      text += " (points: benefits " + view.points[0] + ", drawbacks " + view.points[1] +
        ", costs " + view.points[2] + ")";
    }
    return text + ".";
  }

  function changeText(data, change) {
    var question = data.questions[change[0]];
    return "If you answered \u201c" + question.options[change[1]].label + "\u201d to \u201c" +
      question.short + "\u201d, this would be: " + data.levels[change[2]].label + ".";
  }

  function recommendation(data, subject, view, cited) {
    var level = data.levels[view.level];
    var basis = view.byEvidence
      ? [element("span", [["aria-hidden", "true"]], [view.symbol]), " Confidence: " + view.confidence]
      : [element("em", [], ["Editors' judgement"]), " (no benefit or drawback decides it)"];
    var children = [
      element("h3", [], [link(subject.href, subject.label)]),
      element("p", [["class", "kb-rec__level"]], [
        "Recommendation: ", element("strong", [], [level.label]), " \u00b7 "
      ].concat(basis)),
      element("p", [], [weighing(data, view)])
    ];
    children = children.concat(
      evidenceList(data, subject, view["for"], "Evidence for, that fits your answers", cited),
      evidenceList(data, subject, view.against, "Evidence against, that fits your answers", cited),
      evidenceList(data, subject, view.costs, "Costs and challenges that fit your answers", cited)
    );
    if (!view.byEvidence) {
      var decision = subject.decisions[view.decision];
      var judgement = [element("em", [], ["Editors' judgement: "]), decision.judgement];
      if (decision.about.length) {
        judgement.push(" Drawing on: ");
        decision.about.forEach(function (f, index) {
          if (index > 0) { judgement.push(", "); }
          judgement.push(link(data.findings[f].href, data.findings[f].title));
        });
        judgement.push(".");
      }
      judgement.push(element("br"), "Decided by the editors' " + decision.rule + ".");
      children.push(element("p", [["class", "kb-rec__judgement"]], judgement));
    }
    children.push(element("p", [], [
      element("strong", [], ["First step"]), " (the editors' suggestion): " + subject.firstStep
    ]));
    children.push(element("p", [], [element("strong", [], ["What would change it"])]));
    children.push(view.changes.length
      ? element("ul", [["class", "kb-rec__changes"]], view.changes.map(function (change) {
        return element("li", [], [changeText(data, change)]);
      }))
      : element("p", [], ["No single other answer changes this recommendation."]));
    return element("article", [
      ["class", "kb-rec"],
      ["data-subject", subject.id],
      ["data-level", level.id],
      ["data-basis", view.byEvidence ? "evidence" : "judgement"],
      ["data-for", findingIds(data, subject, view["for"]).join(",")],
      ["data-against", findingIds(data, subject, view.against).join(",")],
      ["data-costs", findingIds(data, subject, view.costs).join(",")],
      ["data-judgement", view.byEvidence ? "" : subject.decisions[view.decision].judgement],
      ["data-changes", view.changes.map(function (change) {
        var question = data.questions[change[0]];
        return question.id + "=" + question.options[change[1]].id + ":" + data.levels[change[2]].id;
      }).join(";")]
    ], children);
  }

  function plan(data, result) {
    if (!result.plan.length) {
      return element("p", [["id", "kb-guide-plan"]], [
        "None of the recommendations calls for action now; the list below says what would " +
        "change that."
      ]);
    }
    return element("ol", [["class", "kb-guide__plan"], ["id", "kb-guide-plan"]],
      result.plan.map(function (s, position) {
        var subject = data.subjects[s];
        var level = result.views[s].level;
        var previous = position > 0 ? result.views[result.plan[position - 1]].level : -1;
        var item = [
          element("strong", [], [(ORDINALS[position] || "Next") + ": "]),
          link("#rec-" + s, subject.label), " \u2014 " + data.levels[level].label + ". ",
          "First step: " + subject.firstStep
        ];
        if (level !== previous) {  // what the level calls for, once per level
          item.push(" ", element("em", [], [data.levels[level].needs]));
        }
        return element("li", [["data-subject", subject.id]], item);
      }));
  }

  function bibtexLink(data, cited) {
    var text = cited.slice().sort(function (a, b) { return a - b; }).map(function (c) {
      return data.citations[c].bibtex;
    }).join("\n");
    return element("a", [
      ["href", URL.createObjectURL(new Blob([text], { type: "application/x-bibtex" }))],
      ["download", data.id + "-sources.bib"],
      ["id", "kb-guide-bibtex"]
    ], ["Download the BibTeX of the " + cited.length + " sources behind this result"]);
  }

  function renderResult(data, chosen, holder, status) {
    while (holder.firstChild) { holder.removeChild(holder.firstChild); }
    var missing = chosen.filter(function (option) { return option < 0; }).length;
    if (missing > 0) {
      status.textContent = "Answer " + missing + " more question" + (missing === 1 ? "" : "s") +
        " to see the recommendations.";
      return;
    }
    var result = lookup(data, chosen);
    var cited = [];
    holder.appendChild(element("h2", [["id", "your-plan"]], ["Your plan"]));
    holder.appendChild(plan(data, result));
    holder.appendChild(element("h2", [["id", "your-result"]], ["Your recommendations"]));
    data.subjects.forEach(function (subject, s) {
      var article = recommendation(data, subject, result.views[s], cited);
      article.id = "rec-" + s;
      holder.appendChild(article);
    });
    if (cited.length) {
      holder.appendChild(element("p", [], [bibtexLink(data, cited)]));
    }
    holder.appendChild(element("p", [], [
      "Link to this result: ",
      element("a", [["href", window.location.href], ["id", "kb-guide-permalink"]],
        [window.location.href])
    ]));
    var counts = data.levels.map(function () { return 0; });
    result.views.forEach(function (view) { counts[view.level] += 1; });
    var summary = data.levels
      .map(function (level, l) { return counts[l] ? counts[l] + " " + level.label.toLowerCase() : ""; })
      .filter(Boolean)
      .join(", ");
    status.textContent = "Recommendations updated: " + summary + ".";
  }

  // For tests and for anyone checking the page: the outcome the page shows for answers given
  // by id, as [subject id, level id, basis] rows in subject order (null if incomplete).
  function outcome(data, answers) {
    var chosen = data.questions.map(function (question) {
      var given = Object.prototype.hasOwnProperty.call(answers, question.id)
        ? answers[question.id] : null;
      return given === null ? -1 : optionIndex(question, given);
    });
    if (chosen.indexOf(-1) !== -1) { return null; }
    var result = lookup(data, chosen);
    return {
      subjects: data.subjects.map(function (subject, s) {
        var view = result.views[s];
        return [subject.id, data.levels[view.level].id, view.byEvidence ? "evidence" : "judgement"];
      }),
      plan: result.plan.map(function (s) { return data.subjects[s].id; })
    };
  }

  function start() {
    var holder = document.getElementById("kb-guide-data");
    var form = document.getElementById("kb-guide-form");
    if (!holder || !form || form.getAttribute("data-ready")) { return; }
    var data = JSON.parse(holder.textContent);
    var result = document.getElementById("kb-guide-result");
    var status = document.getElementById("kb-guide-status");
    var initial = answersFromAddress(data);
    data.questions.forEach(function (question, q) {
      if (initial[q] < 0) { return; }
      var input = document.getElementById("answer-" + question.id + "-" + question.options[initial[q]].id);
      if (input) { input.checked = true; }
    });
    form.setAttribute("data-ready", "true");
    form.addEventListener("change", function () {
      var chosen = readAnswers(form, data);
      writeAddress(data, chosen);
      renderResult(data, chosen, result, status);
    });
    renderResult(data, readAnswers(form, data), result, status);
    window.kbGuide = { outcome: function (answers) { return outcome(data, answers); } };
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(start);
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
