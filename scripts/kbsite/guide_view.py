"""What a guide page needs: the data its script evaluates, and the HTML of its form. Pure."""

from __future__ import annotations

from html import escape
from typing import Any

from kbsite import links
from kbsite.cite import export_bibtex
from kbsite.graph import Graph
from kbsite.markdown import script_json
from kbsite.model import Guide, Outcome


def _outcome(outcome: Outcome) -> dict[str, Any]:
    return {
        "level": outcome.level,
        "because": list(outcome.because),
        "judgement": outcome.judgement,
    }


def guide_data(guide: Guide, graph: Graph) -> dict[str, Any]:
    """Everything the page script needs, with links relative to the guide's page."""
    page = links.page_path(guide)
    entries = graph.entries
    findings = {
        f
        for s in guide.subjects
        for o in (s.default, *(r.outcome for r in s.rules))
        for f in o.because
    }
    citations = {c for f in findings for c in graph.findings[f].citation_ids}
    return {
        "id": guide.id,
        "subjectHeading": guide.subject_heading,
        "levels": [{"id": level.id, "label": level.label} for level in guide.levels],
        "questions": [{"id": q.id, "options": [o.id for o in q.options]} for q in guide.questions],
        "subjects": [
            {
                "subject": subject.subject,
                "label": getattr(entries[subject.subject], "label", None)
                or entries[subject.subject].title,
                "href": links.html_href(page, links.page_path(entries[subject.subject])),
                "default": _outcome(subject.default),
                "rules": [
                    {
                        "when": [
                            {"question": c.question, "options": list(c.options)} for c in rule.when
                        ],
                        "outcome": _outcome(rule.outcome),
                    }
                    for rule in subject.rules
                ],
            }
            for subject in guide.subjects
        ],
        "findings": {
            f: {
                "title": entries[f].title,
                "href": links.html_href(page, links.page_path(entries[f])),
                "citations": list(graph.findings[f].citation_ids),
            }
            for f in sorted(findings)
        },
        "citations": {
            c: {
                "label": graph.citations[c].short_label,
                "href": links.html_href(page, links.page_path(graph.citations[c])),
                "bibtex": export_bibtex([graph.citations[c]]),
            }
            for c in sorted(citations)
        },
    }


def guide_script_json(guide: Guide, graph: Graph) -> str:
    """The data as JSON that cannot end its <script> element early."""
    return script_json(guide_data(guide, graph))


def guide_form(guide: Guide) -> str:
    """The questions as an HTML form (shown by the script; hidden without JavaScript)."""
    parts = [
        f'<form class="kb-guide__form" id="kb-guide-form" data-guide="{escape(guide.id)}" hidden>'
    ]
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
