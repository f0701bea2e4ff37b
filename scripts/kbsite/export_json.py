"""The whole knowledge base as one JSON document (api/kb.json), derived from the models.

Each entry carries its fields under the names contributors write in YAML (defaults left out),
plus where its page is, which file it comes from, when it last changed, and its resolved links.
The document's own JSON Schema (api/kb.schema.json) is generated from the same models.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from kbsite import confidence, links, ratings
from kbsite.changelog import Changelog
from kbsite.graph import Graph
from kbsite.guides import GuideTable, Recommendation
from kbsite.history import History
from kbsite.model import Citation, Entry, Principle
from kbsite.published import JSON_SCHEMA_DIALECT, json_schema
from kbsite.registry import ENTRY_TYPES

SCHEMA_VERSION = 3
"""Raised whenever a field is renamed or removed (adding a field keeps it)."""
SCHEMA_FILE = "kb.schema.json"

_IDS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
COMMON_EXTRAS: dict[str, Any] = {
    "page": {
        "type": "string",
        "description": "Address of the entry's page, relative to the site root.",
    },
    "source_file": {"type": "string", "description": "The YAML file the entry comes from."},
    "last_changed": {
        "type": ["string", "null"],
        "description": "Date (YYYY-MM-DD) of the "
        "last commit that changed the entry's file; null outside a git checkout.",
    },
}
EXTRAS: dict[str, dict[str, Any]] = {
    "principle": {
        "related_principles": {**_IDS, "description": "Related principles, in both directions."},
        "benefits": {**_IDS, "description": "Benefits linked to the principle."},
        "limitations": {**_IDS, "description": "Limitations linked to the principle."},
    },
    "citation": {
        "related_sources": {
            "type": "array",
            "description": "Related sources, in both "
            "directions, with the relation seen from this source.",
            "items": {
                "type": "object",
                "required": ["citation", "relation"],
                "properties": {"citation": {"type": "string"}, "relation": {"type": "string"}},
            },
        },
        "cited_by": {
            "type": "array",
            "description": "Entries that cite this source.",
            "items": {
                "type": "object",
                "required": ["type", "id"],
                "properties": {"type": {"type": "string"}, "id": {"type": "string"}},
            },
        },
    },
}


def _principle_links(graph: Graph, principle: Principle) -> dict[str, Any]:
    return {
        "related_principles": list(graph.related_principles[principle.id]),
        "benefits": [f.id for f in graph.benefits_of(principle.id)],
        "limitations": [f.id for f in graph.limitations_of(principle.id)],
    }


def _citation_links(graph: Graph, citation: Citation) -> dict[str, Any]:
    return {
        "related_sources": [r.model_dump() for r in graph.related_citations[citation.id]],
        "cited_by": [{"type": e.type, "id": e.id} for e in graph.cited_by.get(citation.id, ())],
    }


def _links(graph: Graph, entry: Entry) -> dict[str, Any]:
    resolvers: dict[type, Callable[[Graph, Any], dict[str, Any]]] = {
        Principle: _principle_links,
        Citation: _citation_links,
    }
    resolver = resolvers.get(type(entry))
    return resolver(graph, entry) if resolver else {}


def entry_data(graph: Graph, entry: Entry, history: History) -> dict[str, Any]:
    """One entry as exported: its YAML fields, page, file, last change and resolved links."""
    data: dict[str, Any] = entry.model_dump(mode="json", exclude_defaults=True)
    data["page"] = links.url_of(links.page_path(entry))
    data["source_file"] = entry.source.path
    data["last_changed"] = history.last_changed.get(entry.source.path)
    data.update(_links(graph, entry))
    return data


def export_json(
    graph: Graph, history: History | None = None, changelog: Changelog | None = None
) -> str:
    """Serialise every entry by type, in registry order, with the ratings and their history."""
    history = history or History()
    kb = graph.kb
    document: dict[str, Any] = {
        "$schema": SCHEMA_FILE,
        "schema_version": SCHEMA_VERSION,
        "counts": {t.export_name: len(kb.of_type(t.name)) for t in ENTRY_TYPES},
    }
    for entry_type in ENTRY_TYPES:
        document[entry_type.export_name] = [
            entry_data(graph, entry, history) for entry in kb.of_type(entry_type.name)
        ]
    document["confidence"] = confidence_data(kb.evidence, changelog or Changelog())
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def rating_history(changelog: Changelog) -> list[dict[str, Any]]:
    """Every re-rating the changelog records, newest first, as plain data."""
    return [
        {
            "date": day.date,
            "finding": rerating.finding.entry_id,
            "old": rerating.change.old.value if rerating.change.old else None,
            "new": rerating.change.new.value if rerating.change.new else None,
            "reasons": list(rerating.change.reasons),
            "studies_added": list(rerating.change.studies_added),
            "studies_removed": list(rerating.change.studies_removed),
        }
        for month in changelog.months
        for day in month.days
        for rerating in day.reratings
    ]


def confidence_data(evidence: ratings.Evidence, changelog: Changelog) -> dict[str, Any]:
    """Ratings with their components and reasons, tensions (both ways), and the rules.

    With them, how the ratings changed over the repository's history (the changelog's
    re-ratings).
    """
    return {
        "rules": confidence.rules_page_context(),
        "ratings": [rating.to_dict() for rating in evidence.ratings.values()],
        "tensions": [
            {"finding": finding, "other": other.id, "note": note}
            for finding, pairs in sorted(evidence.tensions.items())
            for other, note in pairs
        ],
        "study_of_citation": {c: s.id for c, s in sorted(evidence.study_of_citation.items())},
        "history": rating_history(changelog),
    }


CONFIDENCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Confidence ratings computed by the published rules (page "
    "evidence/confidence/), tensions between findings, and which study each citation reports.",
    "required": ["rules", "ratings", "tensions", "study_of_citation", "history"],
    "additionalProperties": False,
    "properties": {
        "rules": {"type": "object"},
        "ratings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["finding", "level", "components", "studies", "raise_by"],
                "properties": {
                    "finding": {"type": "string"},
                    "level": {"enum": [level.value for level in confidence.LEVELS]},
                    "components": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["component", "concern", "reason", "overridden"],
                            "properties": {
                                "component": {"enum": [c.value for c in confidence.COMPONENTS]},
                                "concern": {"enum": [c.value for c in confidence.CONCERNS]},
                                "reason": {"type": "string"},
                                "overridden": {"type": "boolean"},
                            },
                        },
                    },
                    "studies": {"type": "array", "items": {"type": "string"}},
                    "raise_by": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "tensions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["finding", "other", "note"],
                "additionalProperties": False,
                "properties": {
                    "finding": {"type": "string"},
                    "other": {"type": "string"},
                    "note": {"type": "string"},
                },
            },
        },
        "study_of_citation": {"type": "object", "additionalProperties": {"type": "string"}},
        "history": {
            "type": "array",
            "description": "Re-ratings from the git history of kb/ (the changelog), newest "
            "first; empty outside a git checkout.",
            "items": {
                "type": "object",
                "required": ["date", "finding", "old", "new", "reasons"],
                "additionalProperties": False,
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "finding": {"type": "string"},
                    "old": {"enum": [level.value for level in confidence.LEVELS]},
                    "new": {"enum": [level.value for level in confidence.LEVELS]},
                    "reasons": {"type": "array", "items": {"type": "string"}},
                    "studies_added": {"type": "array", "items": {"type": "string"}},
                    "studies_removed": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


def export_schema() -> str:
    """JSON Schema of api/kb.json, from the entry models and the extras above."""
    definitions: dict[str, Any] = {}
    properties: dict[str, Any] = {
        "$schema": {"type": "string"},
        "schema_version": {"const": SCHEMA_VERSION},
        "counts": {
            "type": "object",
            "additionalProperties": False,
            "properties": {t.export_name: {"type": "integer", "minimum": 0} for t in ENTRY_TYPES},
        },
    }
    for entry_type in ENTRY_TYPES:
        schema = json_schema(entry_type)
        definitions.update(schema.pop("$defs", {}))
        for key in ("$schema", "$id", "title"):
            schema.pop(key, None)
        schema["properties"] = {
            **schema["properties"],
            **COMMON_EXTRAS,
            **EXTRAS.get(entry_type.name, {}),
        }
        schema["required"] = [*schema.get("required", []), *COMMON_EXTRAS]
        name = entry_type.model.__name__
        definitions[name] = schema
        properties[entry_type.export_name] = {"type": "array", "items": {"$ref": f"#/$defs/{name}"}}
    properties["confidence"] = CONFIDENCE_SCHEMA
    document = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": SCHEMA_FILE,
        "title": "MLOps knowledge base: the JSON export (api/kb.json)",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "schema_version",
            "counts",
            *(t.export_name for t in ENTRY_TYPES),
            "confidence",
        ],
        "properties": properties,
        "$defs": dict(sorted(definitions.items())),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


GUIDE_TABLE_VERSION = 1
"""Version of the api/guides/<id>.json layout; raised whenever a field is renamed or removed."""


def _outcome(table: GuideTable, subject_index: int, view_index: int) -> dict[str, Any]:
    subject_table = table.subjects[subject_index]
    view = subject_table.views[view_index]
    rec: Recommendation = view.recommendation
    guide = table.guide
    outcome: dict[str, Any] = {
        "level": rec.level,
        "basis": "evidence" if rec.by_evidence else "editors-judgement",
        "balance": rec.balance,
        "confidence": rec.confidence.value if rec.confidence else None,
        "points": {"for": rec.points_for, "against": rec.points_against, "cost": rec.points_cost},
        "for": [w.finding for w in rec.side("for")],
        "against": [w.finding for w in rec.side("against")],
        "costs": [w.finding for w in rec.side("cost")],
    }
    if not rec.by_evidence:
        outcome["rule"] = rec.rule + 1 if rec.rule is not None else "default"
        outcome["judgement"] = rec.judgement
        outcome["about"] = list(rec.about)
    outcome["would_change"] = [
        {
            "question": guide.questions[c.question].id,
            "answer": guide.questions[c.question].options[c.option].id,
            "level": c.level,
        }
        for c in view.changes
    ]
    return outcome


def export_guide_table(table: GuideTable) -> str:
    """A guide's outcome for every combination of answers, for anyone to audit.

    `outcomes` lists each subject's distinct outcomes once; each row gives the answers (option
    ids in question order), the index of each subject's outcome, and the plan.
    """
    guide = table.guide
    subjects = [s.subject.subject for s in table.subjects]
    rows = []
    for combination in table.combinations():
        rows.append(
            {
                "answers": [
                    q.options[o].id for q, o in zip(guide.questions, combination, strict=True)
                ],
                "outcomes": [s.view_index(combination) for s in table.subjects],
                "plan": [subjects[i] for i in table.plan(combination)],
            }
        )
    document = {
        "guide": guide.id,
        "version": GUIDE_TABLE_VERSION,
        "page": links.url_of(links.page_path(guide)),
        "source_file": guide.source.path,
        "method": "Computed at build time by scripts/kbsite/guides.py; the guide's page looks "
        "answers up in this table and decides nothing itself.",
        "questions": [
            {"id": q.id, "short": q.short, "options": [o.id for o in q.options]}
            for q in guide.questions
        ],
        "levels": [level.id for level in guide.levels],
        "subjects": subjects,
        "depends_on": {
            s.subject.subject: [guide.questions[q].id for q in s.questions] for s in table.subjects
        },
        "combinations": table.combination_count,
        "distinct_recommendation_sets": len(table.level_sets()),
        "outcomes": {
            s.subject.subject: [_outcome(table, i, v) for v in range(len(s.views))]
            for i, s in enumerate(table.subjects)
        },
        "rows": rows,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
