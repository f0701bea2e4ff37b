"""The link graph: every relation and backlink, computed once before any page is rendered."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kbsite.model import Citation, Entry, Finding, KnowledgeBase, Principle, Question, Related

INVERSE_RELATIONS = {
    "similar-study": "similar-study",
    "thesis": "study-of-thesis",
    "study-of-thesis": "thesis",
    "artifacts": "study-of-artifacts",
    "study-of-artifacts": "artifacts",
}


@dataclass(frozen=True)
class Graph:
    """Lookups and reverse links over a validated knowledge base."""

    kb: KnowledgeBase
    principles: dict[str, Principle]
    citations: dict[str, Citation]
    entries: dict[str, Principle | Finding]
    """Principles and findings by id (what guides and links refer to)."""
    findings: dict[str, Finding]
    """Benefits and limitations by id."""
    by_id: dict[str, Entry]
    """Every entry by id (ids are unique across types)."""
    findings_of_principle: dict[str, tuple[Finding, ...]]
    cross_cutting: tuple[Finding, ...]
    related_principles: dict[str, tuple[str, ...]]
    related_citations: dict[str, tuple[Related, ...]]
    cited_by: dict[str, tuple[Entry, ...]]
    questions_of_principle: dict[str, tuple[Question, ...]]
    questions_of_citation: dict[str, tuple[Question, ...]]
    tags: dict[str, tuple[Principle | Finding, ...]]

    def benefits_of(self, principle_id: str) -> tuple[Finding, ...]:
        """Benefits linked to a principle."""
        return tuple(f for f in self.findings_of_principle[principle_id] if f.type == "benefit")

    def citations_of(self, entry: Principle | Finding) -> tuple[Citation, ...]:
        """The sources a principle's or finding's page relies on, sorted by id."""
        if isinstance(entry, Finding):
            ids = set(entry.citation_ids)
        else:
            ids = {entry.defined_in.citation}
            ids.update(c for f in self.findings_of_principle[entry.id] for c in f.citation_ids)
        return tuple(self.citations[i] for i in sorted(ids))

    def limitations_of(self, principle_id: str) -> tuple[Finding, ...]:
        """Limitations linked to a principle."""
        return tuple(f for f in self.findings_of_principle[principle_id] if f.type == "limitation")


def principle_order(principle: Principle) -> tuple[int, str]:
    """Numbered principles first, in their source's order, then the rest by title."""
    return (principle.number or 10_000, principle.title.lower())


def build_graph(kb: KnowledgeBase) -> Graph:
    """Index the knowledge base; assumes integrity checks passed."""
    findings_of_principle: dict[str, list[Finding]] = {p.id: [] for p in kb.principles}
    for finding in kb.findings:
        for principle_id in finding.principles:
            findings_of_principle[principle_id].append(finding)

    related: dict[str, set[str]] = {p.id: set(p.related) for p in kb.principles}
    for principle in kb.principles:
        for other in principle.related:
            related[other].add(principle.id)

    related_citations: dict[str, dict[str, str]] = {c.id: {} for c in kb.citations}
    for citation in kb.citations:
        for link in citation.related:
            related_citations[citation.id].setdefault(link.citation, link.relation)
            related_citations[link.citation].setdefault(
                citation.id, INVERSE_RELATIONS[link.relation]
            )

    # Backlinks come from the reference-typed fields of the models (refs.py): a new reference
    # field shows up here without being listed again.
    cited_by: dict[str, list[Entry]] = defaultdict(list)
    questions_of_principle: dict[str, list[Question]] = defaultdict(list)
    questions_of_citation: dict[str, list[Question]] = defaultdict(list)
    seen: set[tuple[str, int]] = set()
    for ref in kb.references:
        entry = ref.entry
        if ref.targets == ("citation",) and not isinstance(entry, Citation):
            if (ref.target, id(entry)) not in seen:
                seen.add((ref.target, id(entry)))
                cited_by[ref.target].append(entry)
            if isinstance(entry, Question):
                questions_of_citation[ref.target].append(entry)
        elif ref.targets == ("principle",) and isinstance(entry, Question):
            questions_of_principle[ref.target].append(entry)

    tags: dict[str, list[Principle | Finding]] = defaultdict(list)
    for entry in kb.principles_and_findings:
        for tag in entry.tags:
            tags[tag].append(entry)

    def by_title(entries: list[Finding]) -> tuple[Finding, ...]:
        return tuple(sorted(entries, key=lambda f: (f.type, f.title.lower(), f.id)))

    principles = {p.id: p for p in kb.principles}
    return Graph(
        kb=kb,
        principles=principles,
        entries={**principles, **{f.id: f for f in kb.findings}},
        findings={f.id: f for f in kb.findings},
        by_id={e.id: e for e in kb.all_entries()},
        citations={c.id: c for c in kb.citations},
        findings_of_principle={k: by_title(v) for k, v in findings_of_principle.items()},
        cross_cutting=by_title([f for f in kb.findings if not f.principles]),
        related_principles={
            k: tuple(sorted(v, key=lambda pid: principle_order(principles[pid])))
            for k, v in related.items()
        },
        related_citations={
            k: tuple(Related(citation=c, relation=r) for c, r in sorted(v.items()))
            for k, v in related_citations.items()
        },
        cited_by={k: tuple(v) for k, v in sorted(cited_by.items())},
        questions_of_principle={k: tuple(v) for k, v in questions_of_principle.items()},
        questions_of_citation={k: tuple(v) for k, v in questions_of_citation.items()},
        tags={k: tuple(v) for k, v in sorted(tags.items())},
    )
