"""Content rules checked over the real kb/: one test case per entry, named by its id."""

from __future__ import annotations

import pytest

from fingerprint_sources import copied_runs, read_fingerprints
from kbsite.graph import build_graph
from kbsite.model import Citation, Finding, Principle, Question

from conftest import SOURCE_FINGERPRINTS, real_kb

KB = real_kb()
GRAPH = build_graph(KB)


def _ids(entries):
    return [e.id for e in entries]


@pytest.mark.parametrize("finding", KB.findings, ids=_ids(KB.findings))
def test_every_finding_has_located_evidence(finding: Finding):
    assert finding.evidence
    for item in finding.evidence:
        assert item.locator.strip()
        assert item.citation in GRAPH.citations


@pytest.mark.parametrize("finding", KB.findings, ids=_ids(KB.findings))
def test_mapping_to_principles_is_marked_stated_or_inferred(finding: Finding):
    links = {item.link for item in finding.evidence}
    if finding.principles:
        assert links <= {"stated", "inferred"}
    else:
        assert links == {"cross-cutting"}


@pytest.mark.parametrize("citation", KB.citations, ids=_ids(KB.citations))
def test_every_citation_is_cited(citation: Citation):
    assert GRAPH.cited_by.get(citation.id) or any(
        link.citation == citation.id for other in KB.citations for link in other.related
    )


def test_the_nine_principles_of_kreuzberger_are_all_there_in_order():
    numbers = sorted(p.number for p in KB.principles)
    assert numbers == list(range(1, 10))
    assert all(p.defined_in.citation == "kreuzberger-2023" for p in KB.principles)


@pytest.mark.parametrize("principle", KB.principles, ids=_ids(KB.principles))
def test_every_principle_has_a_finding_or_is_an_evidence_gap(principle: Principle):
    has_findings = bool(GRAPH.findings_of_principle[principle.id])
    in_a_question = any(principle.id in q.principles for q in KB.questions)
    assert has_findings or in_a_question


def test_gaps_page_lists_every_principle_without_findings():
    from kbsite.render import render_site

    gaps = render_site(GRAPH).pages["evidence/gaps.md"]
    missing = [p for p in KB.principles if not GRAPH.findings_of_principle[p.id]]
    for principle in missing:
        assert f"(../principles/{principle.id}.md)" in gaps


# Facts the fact sheet marks UNCERTAIN (or AI-summary only). They may appear only inside
# open questions, which present them as unverified.
UNCERTAIN = [
    "68%",
    "78%",
    "85%",
    "pilot",
    "Angers",
    "Miro",
    "three organisations",
    "ICSE-SEIP",
    "ICE/ITMC",
    "IAMOT",
    "10.1109/ICE",
    "10.48550/arXiv.2502.05634",
    "cs.LG",
    "Kerala",
    "Amal Jyothi",
    "Straussian",
    "eight experts",
    "8 interviewees",
    "standardis",
    "set-up cost",
    "setup cost",
    "Likert",
    "GQM",
    "wav2vec",
]


# Terms that are uncertain for one source but verified for another (studies.bib): Amershi et al.'s
# venue is ICSE-SEIP 2019 by its publisher record; Paleyes et al.'s and Kreuzberger et al.'s arXiv
# preprints are filed under cs.LG on arXiv itself.
VERIFIED_FOR = {"ICSE-SEIP": {"amershi-2019"}, "cs.LG": {"paleyes-2022", "kreuzberger-2023"}}


def _presented_as_fact(entry) -> list[str]:
    """Every text an entry shows as fact (open questions excluded)."""
    if isinstance(entry, Question):
        return []
    texts = []
    for name, value in vars(entry).items():
        if name in ("open_questions", "source"):
            continue
        texts.append(repr(value))
    return texts


ALL_ENTRIES = [*KB.principles, *KB.findings, *KB.citations]


@pytest.mark.parametrize("entry", ALL_ENTRIES, ids=_ids(ALL_ENTRIES))
def test_nothing_uncertain_is_presented_as_fact(entry):
    text = "\n".join(_presented_as_fact(entry))
    found = [
        term
        for term in UNCERTAIN
        if term.lower() in text.lower() and entry.id not in VERIFIED_FOR.get(term, set())
    ]
    assert found == [], f"{entry.source.path} states unverified facts: {found}"


VERIFIED_RECORDS = {
    "araujo-2024": {
        "doi": "10.5220/0012741100003690",
        "pages": "305-312",
        "isbn": "978-989-758-692-7",
        "arxiv_id": "2403.13115",
        "year": 2024,
        "publisher": "SciTePress",
    },
    "kreuzberger-2023": {
        "doi": "10.1109/ACCESS.2023.3262138",
        "pages": "31866-31879",
        "volume": "11",
        "issn": "2169-3536",
        "arxiv_id": "2205.02302",
        "journal": "IEEE Access",
        "year": 2023,
    },
    "dileepkumar-2025": {"arxiv_id": "2502.05634", "arxiv_class": "cs.SE", "year": 2025, "doi": ""},
    "araujo-2023-artifacts": {"doi": "10.5281/zenodo.10685254", "year": 2023},
    "offerman-2022": {"arxiv_id": "2211.09390", "doi": "", "year": 2022},
    "zhou-2022": {
        "published_doi": "10.1145/3510457.3513054",
        "doi": "",
        "arxiv_id": "2205.01446",
        "year": 2022,
    },
    "carvalho-masters-dissertation": {"year": None},
}


@pytest.mark.parametrize("citation_id", sorted(VERIFIED_RECORDS))
def test_bibliographic_fields_are_exactly_as_verified(citation_id):
    citation = GRAPH.citations[citation_id]
    for field, expected in VERIFIED_RECORDS[citation_id].items():
        assert getattr(citation, field) == expected, field


def test_study_designs_match_the_fact_sheet():
    araujo = GRAPH.citations["araujo-2024"].study
    assert [(s.method, s.size) for s in araujo.samples] == [("focus-group", 6)]
    survey = GRAPH.citations["dileepkumar-2025"].study
    assert [(s.method, s.size) for s in survey.samples] == [("survey", 150), ("interviews", 20)]


# ---- paraphrase: no run of eight words copied from a source text ----
# The texts stay out of the repository; tests/fixtures/source-fingerprints.txt holds hashes of
# their 8-word runs, written by scripts/fingerprint_sources.py (see its docstring).

SOURCES = read_fingerprints(SOURCE_FINGERPRINTS)


def _prose(entry) -> str:
    """Prose an editor wrote; titles, keywords and bibliographic fields are data."""
    if isinstance(entry, Citation):
        return entry.summary + " " + " ".join(entry.open_questions)
    if isinstance(entry, Principle):
        return " ".join([entry.summary, entry.description])
    if isinstance(entry, Finding):
        return " ".join([entry.summary, entry.description, *(e.finding for e in entry.evidence)])
    return " ".join([entry.details, entry.would_settle])


PROSE_ENTRIES = [*KB.principles, *KB.findings, *KB.citations, *KB.questions]


@pytest.mark.parametrize("entry", PROSE_ENTRIES, ids=_ids(PROSE_ENTRIES))
def test_no_sentence_is_copied_from_a_source(entry):
    copied = copied_runs(_prose(entry), SOURCES)
    assert copied == [], f"{entry.source.path} copies: {copied}"


def test_every_fingerprinted_source_is_a_citation_of_the_kb():
    assert SOURCES, f"{SOURCE_FINGERPRINTS} holds no source"
    assert sorted(SOURCES) == sorted(set(SOURCES) & set(GRAPH.citations))
    assert all(SOURCES.values())


def test_the_check_catches_a_copied_sentence_in_real_prose():
    """A sentence lifted from a fingerprinted text, inside an entry's prose, is caught."""
    entry = KB.findings[0]
    # A title is data, and the first page of a paper carries it: the copied "sentence".
    titled = [
        (c.id, c.title)
        for c in KB.citations
        if c.id in SOURCES and copied_runs(c.title, {c.id: SOURCES[c.id]})
    ]
    assert titled, "no fingerprinted source contains its own title"
    source, title = titled[0]
    lifted = f"{_prose(entry)} {title.upper()}, as they say."
    assert {name for name, _ in copied_runs(lifted, SOURCES)} >= {source}
    assert copied_runs(_prose(entry), SOURCES) == []
