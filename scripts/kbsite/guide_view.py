"""What a guide page shows, in words, computed from the evaluator's table. Pure.

The page script only looks the reader's answers up in the table this module ships (indices
into lists, never object keys built from answer ids) and assembles the texts prepared here;
it decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from kbsite import confidence, links, vocabulary
from kbsite.cite import export_bibtex
from kbsite.graph import Graph
from kbsite.guides import FACETS, Evaluator, GuideTable, View, side_of
from kbsite.markdown import script_json
from kbsite.model import Citation, Condition, Finding, Guide, GuideSubject, SubjectEvidence
from kbsite.ratings import Evidence

SIDE_NAMES = {"for": "For", "against": "Against", "cost": "Cost or challenge"}
KIND_NAMES = {"": "Benefit", **dict(vocabulary.LIMITATION_KINDS.values)}


def conditions_words(guide: Guide, conditions: tuple[Condition, ...]) -> str:
    """Conditions in words: `Retraining: “Regularly” or “Continuously”`."""
    questions = {q.id: q for q in guide.questions}
    parts = []
    for condition in conditions:
        question = questions[condition.question]
        labels = [f"\u201c{o.label}\u201d" for o in question.options if o.id in condition.options]
        parts.append(f"{question.short}: {' or '.join(labels)}")
    return "; ".join(parts)


def setting_words(evaluator: Evaluator, finding_id: str) -> str:
    """The setting a finding's context requires, in the facets the guide asks about."""
    labels = {
        "project_stages": vocabulary.PROJECT_STAGES,
        "deployment": vocabulary.DEPLOYMENT_MODES,
        "learning": vocabulary.LEARNING_MODES,
    }
    parts = []
    for facet, values in evaluator.restricted(finding_id).items():
        choice = labels.get(facet)
        words = [choice.label(v) if choice else v for v in sorted(values)]
        parts.append(" or ".join(words).lower() if choice else ", ".join(words))
    return "; ".join(parts)


def unasked_setting(evaluator: Evaluator, finding: Finding) -> str:
    """The part of a finding's setting no question asks about, as a caveat; empty if none."""
    labels = {
        "project_stages": vocabulary.PROJECT_STAGES,
        "deployment": vocabulary.DEPLOYMENT_MODES,
    }
    labels["learning"] = vocabulary.LEARNING_MODES
    parts = []
    for facet in FACETS:
        values = sorted(set(getattr(finding.context, facet)) - {"any"})
        if values and facet not in evaluator.asked:
            choice = labels.get(facet)
            parts.append(", ".join(choice.label(v).lower() if choice else v for v in values))
    if not parts:
        return ""
    return (
        f"The finding's setting also names {'; '.join(parts)}, which the guide does not ask about."
    )


def applies_when(guide: Guide, evaluator: Evaluator, item: SubjectEvidence) -> str:
    """When an evidence item counts, in words that follow "Counts when"; empty if always."""
    parts = []
    if item.when:
        parts.append(f"you answered {conditions_words(guide, item.when)}")
    setting = setting_words(evaluator, item.finding)
    if setting:
        parts.append(f"your answers place you in the finding's setting ({setting})")
    return " and ".join(parts)


def link_words(finding: Finding, subject_id: str) -> str:
    """Who links the finding to this subject: the source, the editors, or nobody (general)."""
    if finding.id == subject_id:
        return ""
    if subject_id in finding.principles:
        stated = any(e.link == "stated" for e in finding.evidence)
        return vocabulary.LINK_KINDS.label("stated" if stated else "inferred")
    if not finding.principles:
        return vocabulary.LINK_KINDS.label("cross-cutting")
    return "Editors' inference (applied here by the editors)"


def is_preprint(citations: list[Citation]) -> bool:
    """Whether a study's reports are preprints only."""
    return bool(citations) and all(
        c.kind == "preprint" or c.venue == "arXiv preprint" for c in citations
    )


def study_words(finding: Finding, evidence: Evidence, graph: Graph) -> list[str]:
    """The studies behind a finding by design and review status, e.g. `Interviews (2 studies)`."""
    counts: dict[str, int] = {}
    for study in evidence.studies_of(finding):
        reports = [graph.citations[c] for c in study.reports if c in graph.citations]
        label = vocabulary.STUDY_DESIGNS.label(study.design)
        if study.kind == "secondary":
            label += ", secondary study"
        if not study.peer_reviewed:
            label += ", preprint" if is_preprint(reports) else ", not peer reviewed"
        counts[label] = counts.get(label, 0) + 1
    return [label + (f" ({n} studies)" if n > 1 else "") for label, n in counts.items()]


BALANCE_WORDS = (
    ("for", "The benefits that fit outweigh the drawbacks and the costs together"),
    (
        "costly",
        "The benefits that fit outweigh the drawbacks, but not the drawbacks and costs together",
    ),
    ("even", "The benefits and the drawbacks that fit weigh the same"),
    ("against", "The drawbacks that fit outweigh the benefits"),
    ("costs", "Only costs fit these answers: they say what it takes, not whether it pays off"),
    ("silent", "No finding fits these answers"),
)
"""How each balance reads on the page, in the order the page data lists them."""
BALANCE_INDEX = {name: index for index, (name, _) in enumerate(BALANCE_WORDS)}


@dataclass(frozen=True)
class Lookup:
    """Index maps shared by the page data: findings and citations by id."""

    findings: dict[str, int]
    citations: dict[str, int]


def _findings_used(guide: Guide) -> list[str]:
    ids = [item.finding for s in guide.subjects for item in s.evidence]
    ids += [
        f
        for s in guide.subjects
        for d in (s.default, *(r.decision for r in s.rules))
        for f in d.about
    ]
    return sorted(set(ids))


def _view_data(view: View, level_index: dict[str, int], decisions: int) -> dict[str, Any]:
    rec = view.recommendation
    data: dict[str, Any] = {
        "level": level_index[rec.level],
        "byEvidence": rec.by_evidence,
        "balance": BALANCE_INDEX[rec.balance],
        "points": [rec.points_for, rec.points_against, rec.points_cost],
        "for": [w.item for w in rec.side("for")],
        "against": [w.item for w in rec.side("against")],
        "costs": [w.item for w in rec.side("cost")],
        "changes": [[c.question, c.option, level_index[c.level]] for c in view.changes],
    }
    if rec.confidence is not None:
        data["confidence"] = rec.confidence.value.capitalize()
        data["symbol"] = confidence.LEVEL_SYMBOLS[rec.confidence]
    else:
        data["decision"] = rec.rule if rec.rule is not None else decisions - 1
    return data


def _decisions(guide: Guide, subject: GuideSubject, lookup: Lookup) -> list[dict[str, Any]]:
    """The subject's rules, then its default, as the page shows the one that decided."""
    rows = [
        (f"rule {i + 1} ({conditions_words(guide, rule.when)})", rule.decision)
        for i, rule in enumerate(subject.rules)
    ]
    rows.append(("the default", subject.default))
    return [
        {
            "rule": name,
            "judgement": decision.judgement,
            "about": [lookup.findings[f] for f in decision.about],
        }
        for name, decision in rows
    ]


def guide_data(table: GuideTable, graph: Graph, evidence: Evidence) -> dict[str, Any]:
    """Everything the page script needs, with links relative to the guide's page."""
    guide = table.guide
    page = links.page_path(guide)
    evaluator = Evaluator(guide, graph.findings, evidence.ratings)
    finding_ids = _findings_used(guide)
    citation_ids = sorted({c for f in finding_ids for c in graph.findings[f].citation_ids})
    lookup = Lookup(
        {f: i for i, f in enumerate(finding_ids)}, {c: i for i, c in enumerate(citation_ids)}
    )
    level_index = {level.id: i for i, level in enumerate(guide.levels)}
    entries = graph.entries
    plans: dict[tuple[int, ...], int] = {}
    cells: list[int] = []
    for combination in table.combinations():
        cells += [s.view_index(combination) for s in table.subjects]
        cells.append(plans.setdefault(table.plan(combination), len(plans)))
    return {
        "id": guide.id,
        "subjectHeading": guide.subject_heading,
        "levels": [{"id": v.id, "label": v.label, "needs": v.needs} for v in guide.levels],
        "questions": [
            {
                "id": q.id,
                "short": q.short,
                "options": [{"id": o.id, "label": o.label} for o in q.options],
            }
            for q in guide.questions
        ],
        "subjects": [
            {
                "id": s.subject,
                "label": getattr(entries[s.subject], "label", None) or entries[s.subject].title,
                "href": links.html_href(page, links.page_path(entries[s.subject])),
                "firstStep": s.first_step,
                "evidence": [
                    {
                        "finding": lookup.findings[item.finding],
                        "link": link_words(graph.findings[item.finding], s.subject),
                        "when": applies_when(guide, evaluator, item),
                        "caveat": unasked_setting(evaluator, graph.findings[item.finding]),
                    }
                    for item in s.evidence
                ],
                "decisions": _decisions(guide, s, lookup),
                "views": [
                    _view_data(view, level_index, len(s.rules) + 1) for view in subject_table.views
                ],
            }
            for s, subject_table in zip(guide.subjects, table.subjects, strict=True)
        ],
        "findings": [
            {
                "id": f,
                "title": graph.findings[f].title,
                "href": links.html_href(page, links.page_path(graph.findings[f])),
                "kind": KIND_NAMES[graph.findings[f].limitation_kind],
                "confidence": evidence.ratings[f].level.value.capitalize(),
                "symbol": evidence.ratings[f].symbol,
                "studies": study_words(graph.findings[f], evidence, graph),
                "citations": [lookup.citations[c] for c in graph.findings[f].citation_ids],
            }
            for f in finding_ids
        ],
        "citations": [
            {
                "label": graph.citations[c].short_label,
                "href": links.html_href(page, links.page_path(graph.citations[c])),
                "bibtex": export_bibtex([graph.citations[c]]),
            }
            for c in citation_ids
        ],
        "balances": [words for _, words in BALANCE_WORDS],
        "plans": [list(plan) for plan in plans],
        "table": cells,
    }


def guide_script_json(table: GuideTable, graph: Graph, evidence: Evidence) -> str:
    """The data as JSON that cannot end its <script> element early."""
    return script_json(guide_data(table, graph, evidence))


def guide_form(guide: Guide) -> str:
    """The questions as an HTML form: printed once, read with or without JavaScript."""
    parts = [f'<form class="kb-guide__form" id="kb-guide-form" data-guide="{escape(guide.id)}">']
    for question in guide.questions:
        parts.append(
            f'<fieldset class="kb-guide__question" id="question-{escape(question.id)}">'
            f"<legend>{escape(question.text)}</legend>"
        )
        if question.help:
            parts.append(f'<p class="kb-guide__help">{escape(question.help)}</p>')
        for option in question.options:
            input_id = f"answer-{question.id}-{option.id}"
            parts.append(
                f'<label for="{escape(input_id)}"><input type="radio" id="{escape(input_id)}" '
                f'name="{escape(question.id)}" value="{escape(option.id)}"> '
                f"{escape(option.label)}</label>"
            )
        parts.append("</fieldset>")
    parts.append("</form>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# The whole guide in words: what the page shows without JavaScript (and to anyone who asks how)


@dataclass(frozen=True)
class ItemOutline:
    """One evidence item of a subject, as the outline lists it."""

    finding: Finding
    side: str
    kind: str
    rating: confidence.Rating
    link: str
    studies: tuple[str, ...]
    when: str
    caveat: str


@dataclass(frozen=True)
class DecisionOutline:
    """A rule (or the default) as the outline lists it."""

    when: str
    level: str
    judgement: str
    about: tuple[Finding, ...]


@dataclass(frozen=True)
class SubjectOutline:
    """A subject's evidence, rules and default, in words."""

    subject: GuideSubject
    items: tuple[ItemOutline, ...]
    decisions: tuple[DecisionOutline, ...]
    depends_on: tuple[str, ...]


def cases_words(guide: Guide) -> list[tuple[str, str]]:
    """Each level with the balances of evidence that give it, in words."""
    rows = []
    for level in guide.levels:
        cases = []
        for case in level.from_evidence:
            text = vocabulary.BALANCES.label(case.balance).lower()
            if case.confidence:
                levels = " or ".join(
                    vocabulary.CONFIDENCE_LEVELS.label(c).lower() for c in case.confidence
                )
                text += f", with {levels} confidence"
            cases.append(text)
        rows.append((level.label, "; ".join(cases)))
    return rows


def guide_outline(table: GuideTable, graph: Graph, evidence: Evidence) -> list[SubjectOutline]:
    """Every subject of the guide in words, for the page's complete description."""
    guide = table.guide
    evaluator = Evaluator(guide, graph.findings, evidence.ratings)
    labels = {level.id: level.label for level in guide.levels}
    outline = []
    for subject, subject_table in zip(guide.subjects, table.subjects, strict=True):
        items = []
        for item in subject.evidence:
            finding = graph.findings[item.finding]
            items.append(
                ItemOutline(
                    finding,
                    SIDE_NAMES[side_of(item.counts, finding)],
                    KIND_NAMES[finding.limitation_kind],
                    evidence.ratings[finding.id],
                    link_words(finding, subject.subject),
                    tuple(study_words(finding, evidence, graph)),
                    applies_when(guide, evaluator, item),
                    unasked_setting(evaluator, finding),
                )
            )
        decisions = [
            DecisionOutline(
                conditions_words(guide, rule.when),
                labels[rule.decision.level],
                rule.decision.judgement,
                tuple(graph.findings[f] for f in rule.decision.about),
            )
            for rule in subject.rules
        ]
        decisions.append(
            DecisionOutline(
                "",
                labels[subject.default.level],
                subject.default.judgement,
                tuple(graph.findings[f] for f in subject.default.about),
            )
        )
        outline.append(
            SubjectOutline(
                subject,
                tuple(items),
                tuple(decisions),
                tuple(guide.questions[q].short for q in subject_table.questions),
            )
        )
    return outline
