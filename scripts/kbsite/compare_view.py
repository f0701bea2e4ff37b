"""What the compare-studies page needs: the data its script tabulates, and preset selections.

The page script (`docs/javascripts/compare.js`) builds the side-by-side table in the browser
from this data, which is computed here at build time and embedded in the page; without
JavaScript the page shows the same facts for every study as static lists. Pure.
"""

from __future__ import annotations

from html import escape
from typing import Any

from kbsite import links, vocabulary
from kbsite.diagram import study_name
from kbsite.graph import Graph, principle_order
from kbsite.model import Finding, Study
from kbsite.ratings import Evidence

MIN_STUDIES = 2
MAX_STUDIES = 4
"""How many studies one comparison shows: beyond four, the columns no longer fit a screen."""
CROSS_CUTTING = "*"
"""The principle key of findings about MLOps as a whole."""
PRESET_LIMIT = 5

ASPECTS: tuple[tuple[str, str], ...] = (
    ("design", "Design"),
    ("kind", "Kind"),
    ("peerReviewed", "Peer review"),
    ("population", "Population"),
    ("sample", "Sample"),
    ("setting", "Setting"),
    ("dataCollected", "Data collected"),
    ("reports", "Reports"),
)
"""The rows that describe each study, in table order: (data key, row label)."""


def _study(study: Study, graph: Graph, page: str) -> dict[str, Any]:
    return {
        "id": study.id,
        "label": study_name(study, graph),
        "title": study.title,
        "href": links.html_href(page, links.page_path(study)),
        "design": vocabulary.STUDY_DESIGNS.label(study.design),
        "kind": vocabulary.STUDY_KINDS.label(study.kind),
        "peerReviewed": "Peer reviewed" if study.peer_reviewed else "Not peer reviewed",
        "population": study.population,
        "sample": study.sample or "Not stated in what was read",
        "setting": study.setting or "Not stated in what was read",
        "dataCollected": study.data_collected or "Not stated in what was read",
        "reports": "; ".join(graph.citations[c].short_label for c in study.reports),
    }


def study_links(finding: Finding, evidence: Evidence) -> dict[str, str]:
    """Per study behind a finding, how its sources link the finding to the principles.

    `stated` if any of them states the link, else `cross-cutting` or `inferred`.
    """
    found: dict[str, set[str]] = {}
    for item in finding.evidence:
        study = evidence.study_of_citation[item.citation].id
        found.setdefault(study, set()).add(item.link)
    order = ("stated", "cross-cutting", "inferred")
    return {
        study: next(kind for kind in order if kind in kinds)
        for study, kinds in sorted(found.items())
    }


def studies_in_order(graph: Graph) -> tuple[Study, ...]:
    """The studies as the page lists them: by the name of their first report."""
    return tuple(sorted(graph.kb.studies, key=lambda s: (study_name(s, graph).lower(), s.id)))


def compare_data(graph: Graph, evidence: Evidence, page: str) -> dict[str, Any]:
    """Everything the page script needs, with links relative to the page."""
    kb = graph.kb
    studies = studies_in_order(graph)
    groups = [
        {
            "id": p.id,
            "label": p.label,
            "href": links.html_href(page, links.page_path(p)),
            "findings": [f.id for f in graph.findings_of_principle[p.id]],
        }
        for p in sorted(kb.principles, key=principle_order)
    ]
    if graph.cross_cutting:
        groups.append(
            {
                "id": CROSS_CUTTING,
                "label": "MLOps as a whole",
                "href": links.html_href(page, links.CROSS_CUTTING_PAGE),
                "findings": [f.id for f in graph.cross_cutting],
            }
        )
    findings = {
        f.id: {
            "title": f.title,
            "type": f.type,
            "href": links.html_href(page, links.page_path(f)),
            "level": evidence.ratings[f.id].level.value,
            "symbol": evidence.ratings[f.id].symbol,
            "studies": study_links(f, evidence),
        }
        for f in kb.findings
    }
    return {
        "aspects": [{"key": key, "label": label} for key, label in ASPECTS],
        "studies": [_study(s, graph, page) for s in studies],
        "groups": groups,
        "findings": findings,
        "limits": {"min": MIN_STUDIES, "max": MAX_STUDIES},
        "linkLabels": {
            "stated": "Yes, stated by the source",
            "inferred": "Yes, editors' inference",
            "cross-cutting": "Yes",
        },
    }


def presets(graph: Graph, evidence: Evidence) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Ready-made comparisons, each a label and two to four study ids.

    First the studies behind the best-supported findings, then studies that overlap (share
    data, participants or authors).
    """
    found: list[tuple[str, tuple[str, ...]]] = []
    seen: set[tuple[str, ...]] = set()

    def add(label: str, ids: list[str]) -> None:
        chosen = tuple(sorted(ids)[:MAX_STUDIES])
        if len(chosen) >= MIN_STUDIES and chosen not in seen and len(found) < PRESET_LIMIT:
            seen.add(chosen)
            found.append((label, chosen))

    ranked = sorted(
        graph.kb.findings, key=lambda f: (-len(evidence.ratings[f.id].studies), f.title.lower())
    )
    for finding in ranked[:3]:
        add(f"The studies behind “{finding.title}”", list(evidence.ratings[finding.id].studies))
    for study in sorted(graph.kb.studies, key=lambda s: s.id):
        for overlap in study.overlaps:
            other = evidence.studies[overlap.study]
            add(
                f"{study_name(study, graph)} and {study_name(other, graph)}: overlapping studies",
                [study.id, other.id],
            )
    return tuple(found)


def compare_form(data: dict[str, Any], preset_list: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """The study picker as an HTML form, and the status line under it.

    Both are hidden by the stylesheet without JavaScript. They are laid out as the script
    leaves them when no study is chosen (the picker open, the status and the count written),
    so that the page does not move when the script starts (Lighthouse measured a layout shift
    of 0.13 when the script showed them).
    """
    limits = data["limits"]
    parts = ['<form class="kb-compare__form" id="kb-compare-form">']
    if preset_list:
        parts.append('<p class="kb-compare__presets">Start from a ready-made comparison:</p><ul>')
        parts += [
            f'<li><a href="{escape(query(ids))}">{escape(label)}</a></li>'
            for label, ids in preset_list
        ]
        parts.append("</ul>")
    parts += [
        '<details class="kb-compare__picker" id="kb-compare-picker" open>',
        f"<summary>Or choose {limits['min']} to {limits['max']} studies "
        '<span id="kb-compare-count">(0 chosen)</span></summary>',
        '<fieldset class="kb-compare__choices">',
        '<legend class="kb-compare__hidden">Studies to compare</legend>',
    ]
    for study in data["studies"]:
        input_id = f"compare-{study['id']}"
        parts.append(
            f'<label for="{escape(input_id)}"><input type="checkbox" name="study" '
            f'id="{escape(input_id)}" value="{escape(study["id"])}"> '
            f"<strong>{escape(study['label'])}</strong> · {escape(study['design'])}"
            f'<span class="kb-compare__title">{escape(study["title"])}</span></label>'
        )
    parts.append("</fieldset></details></form>")
    parts.append(
        '<p class="kb-compare__status" id="kb-compare-status" role="status" aria-live="polite">'
        f"Choose at least {limits['min']} studies to compare (0 chosen).</p>"
    )
    return "".join(parts)


def finding_groups(graph: Graph) -> tuple[dict[str, Any], ...]:
    """The principles (then MLOps as a whole) with their findings, for the static lists."""
    groups: list[dict[str, Any]] = [
        {
            "label": p.label,
            "page": links.page_path(p),
            "findings": graph.findings_of_principle[p.id],
        }
        for p in sorted(graph.kb.principles, key=principle_order)
    ]
    if graph.cross_cutting:
        groups.append(
            {
                "label": "MLOps as a whole",
                "page": links.CROSS_CUTTING_PAGE,
                "findings": graph.cross_cutting,
            }
        )
    return tuple(groups)


def query(study_ids: tuple[str, ...]) -> str:
    """The page address's query for a selection, as the script reads and writes it."""
    return "?studies=" + ",".join(study_ids)
