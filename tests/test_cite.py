"""Citation exports checked against real parsers: bibtexparser, pybtex, rispy, citeproc."""

from __future__ import annotations

import logging
import re

import bibtexparser
import pybtex.database
import pytest
import rispy

from kbsite.cite import (
    bibtex_fields,
    export_bibtex,
    export_ris,
    format_reference,
    latex_escape,
    latex_unescape,
    protect_capitals,
)
from kbsite.graph import build_graph
from kbsite.model import Author, Citation, SourceFile
from kbsite.yamlio import parse_document

from conftest import real_kb, real_site

KB = real_kb()
GRAPH = build_graph(KB)
CITATIONS = {c.id: c for c in KB.citations}


def _citation(**fields) -> Citation:
    base = {
        "id": "x-2020",
        "role": "related",
        "entry_type": "misc",
        "title": "T",
        "authors": (Author(family="Doe", given="J"),),
        "summary": "S.",
        "source": SourceFile("kb/citations/x-2020.yaml", parse_document("id: x\n")),
    }
    return Citation(**{**base, **fields})


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Operations (MLOps): Overview", "Operations ({MLOps}): Overview"),
        ("ML DevOps Adoption in Practice", "{ML} {DevOps} Adoption in Practice"),
        ("Rio de Janeiro buses", "Rio de Janeiro buses"),
        ("50% of R&D {braces}", r"50\% of R\&D \textbraceleft{}braces\textbraceright{}"),
    ],
)
def test_titles_protect_capitals_and_escape_latex(title, expected):
    assert protect_capitals(title) == expected


@pytest.mark.parametrize(
    "text", ["a_b #1 $5 50% R&D {x} ~ ^ \\", "Pontifícia Universidade", "Nguyễn Tolenȧ ạ"]
)
def test_latex_escape_round_trips(text):
    assert latex_unescape(latex_escape(text)) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kühl Skogström", "Kühl Skogström"),  # Latin-1: pdflatex reads it as UTF-8
        ("Tolenȧ", "Tolen\\.{a}"),
        ("ạ", "\\d{a}"),
        ("Nguyễn", "Nguy\\~{\\^{e}}n"),  # two accents, nested
        ("Dvořák", "Dvo\\v{r}ák"),
        ("P\u0304", "\\={P}"),  # a lone combining mark
        ("π and Ω", "\\ensuremath{\\pi} and \\ensuremath{\\Omega}"),  # Greek as math
    ],
)
def test_letters_beyond_latin1_become_latex_accents(text, expected):
    assert latex_escape(text) == expected


@pytest.mark.parametrize("citation_id", sorted(CITATIONS))
def test_bibtex_round_trips_through_bibtexparser(citation_id):
    citation = CITATIONS[citation_id]
    library = bibtexparser.parse_string(export_bibtex([citation]))
    assert library.failed_blocks == []
    [entry] = library.entries
    assert entry.key == citation.id
    assert entry.entry_type == citation.entry_type
    parsed = {f.key.lower(): f.value for f in entry.fields}
    assert parsed == bibtex_fields(citation)
    assert latex_unescape(parsed["title"]) == citation.title
    if citation.pages:
        assert parsed["pages"] == citation.pages.replace("-", "--")
    if citation.arxiv_id:
        assert (parsed["eprint"], parsed["archiveprefix"]) == (citation.arxiv_id, "arXiv")


@pytest.mark.parametrize("citation_id", sorted(CITATIONS))
def test_bibtex_round_trips_through_pybtex(citation_id):
    citation = CITATIONS[citation_id]
    data = pybtex.database.parse_string(export_bibtex([citation]), "bibtex")
    entry = data.entries[citation.id]
    persons = entry.persons["author"]
    assert len(persons) == len(citation.authors)
    for person, author in zip(persons, citation.authors, strict=True):
        if author.literal:
            assert latex_unescape(str(person)) == author.literal
        else:
            assert " ".join(person.last_names).strip("{}") == author.family
    assert latex_unescape(entry.fields["title"]) == citation.title
    if citation.year:
        assert entry.fields["year"] == str(citation.year)


def test_names_with_accents_and_literal_names_come_out_right():
    bib = export_bibtex([CITATIONS["kreuzberger-2023"], CITATIONS["dileepkumar-2025"]])
    assert "Kreuzberger, Dominik and Kühl, Niklas and Hirschl, Sebastian" in bib
    assert "{Dileepkumar S R} and Mathew, Juby" in bib
    assert "pages = {31866--31879}" in bib
    assert "primaryClass = {cs.SE}" in bib


def test_bibliography_is_sorted_by_key_and_stable():
    bib = export_bibtex(KB.citations)
    keys = re.findall(r"^@\w+\{([^,]+),", bib, re.M)
    assert keys == sorted(CITATIONS)
    assert export_bibtex(reversed(KB.citations)) == bib


@pytest.mark.parametrize("citation_id", sorted(CITATIONS))
def test_ris_parses_back(citation_id):
    citation = CITATIONS[citation_id]
    [record] = rispy.loads(export_ris([citation]))
    assert record["title"] == citation.title
    assert record["authors"] == [a.sort_name for a in citation.authors]
    if citation.year:
        assert record["year"] == str(citation.year)
    if citation.doi:
        assert record["doi"] == citation.doi
    if citation.pages:
        assert "-".join(filter(None, (record["start_page"], record.get("end_page")))) == (
            citation.pages
        )


def test_formatted_references_follow_the_styles():
    araujo = CITATIONS["araujo-2024"]
    apa = format_reference(araujo, "apa")
    assert apa.startswith("Araujo, G., Kalinowski, M., Endler, M., & Calefato, F. (2024). ")
    assert apa.endswith("https://doi.org/10.5220/0012741100003690")
    harvard = format_reference(araujo, "harvard-cite-them-right")
    assert harvard.startswith("Araujo, G. et al. (2024) ")
    assert "pp. 305–312" in harvard


def test_each_page_offers_only_the_citations_it_relies_on():
    site = real_site()
    principle_bib = site.assets["principles/versioning.bib"]
    keys = set(re.findall(r"^@\w+\{([^,]+),", principle_bib, re.M))
    expected = {c.id for c in GRAPH.citations_of(GRAPH.principles["versioning"])}
    assert keys == expected
    assert "kreuzberger-2023" in keys
    assert "offerman-2022" not in keys
    assert set(re.findall(r"^@\w+\{([^,]+),", site.assets["references.bib"], re.M)) == set(
        CITATIONS
    )


def test_hostile_text_cannot_break_the_bib_file():
    hostile = _citation(title="} @misc{evil, title={x", note="50% & {unbalanced")
    library = bibtexparser.parse_string(export_bibtex([hostile]))
    assert [e.key for e in library.entries] == ["x-2020"]
    assert latex_unescape(library.entries[0]["title"]) == hostile.title


def test_bibtexparser_logs_nothing_for_our_output(caplog):
    with caplog.at_level(logging.WARNING):
        bibtexparser.parse_string(export_bibtex(KB.citations))
    assert caplog.records == []
