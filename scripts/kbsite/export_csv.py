"""findings.csv: one row per finding and independent study, for R, pandas or a spreadsheet. Pure.

The columns are declared once, with their meaning, in `COLUMNS`; the API page lists them from
here, so the documentation and the file cannot drift apart.
"""

from __future__ import annotations

import csv
import io

from kbsite.model import KnowledgeBase
from kbsite.ratings import Evidence

COLUMNS: tuple[tuple[str, str], ...] = (
    ("finding", "Id of the benefit or limitation."),
    ("finding_type", "`benefit` or `limitation`."),
    ("finding_title", "Title of the finding."),
    ("principles", "Ids of its principles, separated by `;` (empty: cross-cutting)."),
    ("outcomes", "Ids of its outcome groups (the map's columns), separated by `;`."),
    ("confidence", "Overall confidence: high, moderate, low or very low."),
    ("methodological_limitations", "Concern of that component: none, minor, moderate, serious."),
    ("coherence", "Concern of the coherence component."),
    ("adequacy", "Concern of the adequacy-of-data component."),
    ("relevance", "Concern of the relevance component."),
    ("study", "Id of one independent study behind the finding."),
    ("study_design", "That study's design."),
    ("study_kind", "`primary`, `secondary` or `mixed`."),
    ("sample_size", "Its sample size (empty when not stated)."),
    ("sample_unit", "What the sample counts."),
    ("peer_reviewed", "`true` or `false`."),
    ("citations", "Ids of the study's reports cited by this finding, separated by `;`."),
    (
        "links",
        "How the link to the principles is made in those items (stated, inferred, "
        "cross-cutting), separated by `;`.",
    ),
    (
        "stated_as",
        "Whether those items give a `result` of the study or only `background`, separated by `;`.",
    ),
    ("locators", "Where in the reports, separated by `;`."),
)
"""Column names and their meaning, in file order."""


def _cell(text: str) -> str:
    # A leading =, +, - or @ makes spreadsheets run the cell as a formula: neutralise it.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_findings_csv(kb: KnowledgeBase, evidence: Evidence) -> str:
    """The CSV text, rows sorted by finding id then study id (deterministic)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in COLUMNS])
    for finding in sorted(kb.findings, key=lambda f: f.id):
        rating = evidence.ratings[finding.id]
        concerns = [c.concern.value for c in rating.components]
        for study in evidence.studies_of(finding):
            items = [
                e for e in finding.evidence if evidence.study_of_citation[e.citation].id == study.id
            ]
            row = [
                finding.id,
                finding.type,
                finding.title,
                ";".join(finding.principles),
                ";".join(finding.outcomes),
                rating.level.value,
                *concerns,
                study.id,
                study.design,
                study.kind,
                "" if study.sample_size is None else str(study.sample_size),
                study.sample_unit,
                str(study.peer_reviewed).lower(),
                ";".join(dict.fromkeys(e.citation for e in items)),
                ";".join(e.link for e in items),
                ";".join(e.stated_as for e in items),
                ";".join(e.locator for e in items),
            ]
            writer.writerow([_cell(value) for value in row])
    return out.getvalue()
