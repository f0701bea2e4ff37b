"""The knowledge base mapped onto the confidence engine's inputs, and every finding rated. Pure.

`confidence.py` knows nothing of entries; this module is the one place that says how a study
entry becomes `StudyFacts`, how an evidence item finds its study (through the study's
`reports`), and how tensions and overrides reach the engine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kbsite import confidence as c
from kbsite.model import Citation, Finding, KnowledgeBase, Study

RATED_FROM = ("principle", "benefit", "limitation", "citation", "study")
"""The entry types the ratings are computed from: a version of the knowledge base whose
entries of these types are valid can be rated, whatever its questions and guides hold."""


@dataclass(frozen=True)
class Evidence:
    """Studies, ratings and tensions of a knowledge base, computed once for pages and exports."""

    study_of_citation: dict[str, Study]
    studies: dict[str, Study]
    ratings: dict[str, c.Rating]
    tensions: dict[str, tuple[tuple[Finding, str], ...]]
    """Per finding, the other findings it is in tension with and the editors' note (both ways)."""
    findings_of_study: dict[str, tuple[Finding, ...]]
    overlaps: dict[str, tuple[tuple[Study, str], ...]]
    """Per study, the other studies it shares data, participants or authors with and the note
    (both ways: an overlap declared in one study's file shows on both studies' pages)."""

    def studies_of(self, finding: Finding) -> tuple[Study, ...]:
        """The independent studies behind a finding's evidence, sorted by id."""
        ids = sorted({self.study_of_citation[e.citation].id for e in finding.evidence})
        return tuple(self.studies[i] for i in ids)

    def study_count(self, findings: tuple[Finding, ...]) -> int:
        """How many independent studies support a set of findings."""
        return len({self.study_of_citation[e.citation].id for f in findings for e in f.evidence})

    def designs_of(self, findings: tuple[Finding, ...]) -> tuple[str, ...]:
        """The study designs behind a set of findings, sorted."""
        return tuple(
            sorted(
                {self.study_of_citation[e.citation].design for f in findings for e in f.evidence}
            )
        )

    def participants(self, findings: tuple[Finding, ...]) -> int:
        """Sample sizes of the independent primary (or mixed) studies behind a set of findings.

        Secondary studies are left out: their samples are other studies, not participants.
        """
        ids = {self.study_of_citation[e.citation].id for f in findings for e in f.evidence}
        return sum(
            self.studies[i].sample_size or 0 for i in ids if self.studies[i].kind != "secondary"
        )


def study_label(study: Study, citations: dict[str, Citation]) -> str:
    """How reasons name a study: the label of its first report, e.g. 'Araujo et al. (2024)'."""
    first = citations.get(study.reports[0])
    return first.short_label if first else study.id


def study_facts(study: Study, citations: dict[str, Citation]) -> c.StudyFacts:
    """The engine's view of a study."""
    return c.StudyFacts(
        id=study.id,
        design=study.design,
        kind=study.kind,
        peer_reviewed=study.peer_reviewed,
        sample_size=study.sample_size,
        sample_unit=study.sample_unit,
        label=study_label(study, citations),
    )


def finding_facts(
    finding: Finding,
    study_of: dict[str, Study],
    citations: dict[str, Citation],
    tensions: tuple[tuple[Finding, str], ...],
    principle_names: dict[str, str],
) -> c.FindingFacts:
    """The engine's view of a finding: evidence by study, its context, tensions, overrides."""
    evidence = tuple(
        c.EvidenceFacts(
            study=study_of[item.citation].id,
            citation=item.citation,
            link=item.link,
            abstract_only=c.is_abstract_locator(item.locator),
            background=item.stated_as == "background",
            citation_label=citations[item.citation].short_label,
        )
        for item in finding.evidence
    )
    context = c.ContextFacts(
        project_stages=finding.context.project_stages,
        deployment=finding.context.deployment,
        learning=finding.context.learning,
        sectors=finding.context.sectors,
    )
    return c.FindingFacts(
        id=finding.id,
        evidence=evidence,
        context=context,
        principles=tuple(principle_names[p] for p in finding.principles),
        tensions=tuple(
            c.TensionFacts(other=other.id, note=note, label=other.title) for other, note in tensions
        ),
        overrides=tuple(o.as_override() for o in finding.confidence.overrides),
    )


def _both_ways(links: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, str]]:
    """Links that one entry declares (its id, the other's, the note), as both entries see them.

    Tensions and overlaps are written in one file and shown on both pages. Where both sides
    declare the link, each page keeps the note its own file gives.
    """
    declared = list(links)
    seen: dict[str, dict[str, str]] = defaultdict(dict)
    for one, other, note in declared:
        seen[one].setdefault(other, note)
    for one, other, note in declared:
        seen[other].setdefault(one, note)
    return seen


def evaluate(kb: KnowledgeBase) -> Evidence:
    """Rate every finding of a checked knowledge base (`KnowledgeBase.evidence` keeps it)."""
    citations = {ci.id: ci for ci in kb.citations}
    studies = {s.id: s for s in kb.studies}
    study_of = {report: s for s in kb.studies for report in s.reports}
    findings = {f.id: f for f in kb.findings}
    pairs = _both_ways((f.id, t.finding, t.note) for f in kb.findings for t in f.tensions)
    tensions = {
        f.id: tuple((findings[o], note) for o, note in sorted(pairs[f.id].items()))
        for f in kb.findings
    }
    names = {p.id: p.label for p in kb.principles}
    facts = {s.id: study_facts(s, citations) for s in kb.studies}
    ratings = c.rate_all(
        (finding_facts(f, study_of, citations, tensions[f.id], names) for f in kb.findings), facts
    )
    shared = _both_ways((s.id, o.study, o.note) for s in kb.studies for o in s.overlaps)
    by_study: dict[str, list[Finding]] = defaultdict(list)
    for finding in kb.findings:
        for sid in sorted({study_of[e.citation].id for e in finding.evidence}):
            by_study[sid].append(finding)
    return Evidence(
        study_of_citation=study_of,
        studies=studies,
        ratings=ratings,
        tensions=tensions,
        findings_of_study={
            s: tuple(sorted(v, key=lambda f: f.title.lower())) for s, v in by_study.items()
        },
        overlaps={
            s.id: tuple((studies[o], note) for o, note in sorted(shared[s.id].items()))
            for s in kb.studies
        },
    )
