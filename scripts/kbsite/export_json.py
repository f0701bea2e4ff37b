"""The whole knowledge base as one JSON document, with resolved links, for other tools."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from kbsite import links
from kbsite.graph import Graph

FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in ("source", "type")
        }
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def _entry(entry: Any) -> dict[str, Any]:
    data = _plain(entry)
    data["url"] = links.url_of(links.page_path(entry))
    data["source_file"] = entry.source.path
    return data


def export_json(graph: Graph) -> str:
    """Serialise entries by type; each carries its page URL and its resolved links."""
    kb = graph.kb
    principles = []
    for principle in kb.principles:
        data = _entry(principle)
        data["related"] = list(graph.related_principles[principle.id])
        data["benefits"] = [f.id for f in graph.benefits_of(principle.id)]
        data["limitations"] = [f.id for f in graph.limitations_of(principle.id)]
        principles.append(data)
    citations = []
    for citation in kb.citations:
        data = _entry(citation)
        data["related"] = _plain(graph.related_citations[citation.id])
        data["cited_by"] = [
            {"type": links.type_of(e), "id": e.id} for e in graph.cited_by.get(citation.id, ())
        ]
        citations.append(data)
    document = {
        "format_version": FORMAT_VERSION,
        "counts": {
            "principles": len(kb.principles),
            "benefits": len(kb.benefits),
            "limitations": len(kb.limitations),
            "citations": len(kb.citations),
            "questions": len(kb.questions),
            "guides": len(kb.guides),
        },
        "principles": principles,
        "benefits": [_entry(f) for f in kb.benefits],
        "limitations": [_entry(f) for f in kb.limitations],
        "citations": citations,
        "questions": [_entry(q) for q in kb.questions],
        "guides": [_entry(g) for g in kb.guides],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
