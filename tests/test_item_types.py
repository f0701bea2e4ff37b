"""Each item type in each format, against references written by hand from the style guides.

APA 7 (Publication Manual, 7th ed., ch. 10) and Harvard as Cite Them Right describes it; the
RIS, BibTeX, CSL and COinS types are the ones Zotero's translators and BibTeX styles read.
The fixtures are tests/fixtures/item_types.yaml.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import bibtexparser
import pytest
import rispy
import yaml

from kbsite.cite import coins, csl_item, export_bibtex, export_ris, format_reference, plain_text
from kbsite.model import Citation, SourceFile
from kbsite.validation import check
from kbsite.yamlio import parse_document

from conftest import REPO


def _fixtures() -> dict[str, Citation]:
    found = {}
    for data in yaml.safe_load(
        (REPO / "tests" / "fixtures" / "item_types.yaml").read_text(encoding="utf-8")
    ):
        assert list(check(Citation, data)) == [], data["id"]
        entry = Citation.model_validate(data).with_source(
            SourceFile("x.yaml", parse_document("id: x\n"))
        )
        assert isinstance(entry, Citation)
        found[entry.id] = entry
    return found


ITEMS = _fixtures()

APA = {
    "conference-2024": "Araujo, G., & Kalinowski, M. (2024). Professional insights into MLOps. "
    "In *Proceedings of ICEIS 2024* (pp. 305–312). SciTePress. "
    "https://doi.org/10.5220/0000000001",
    "journal-2023": "Kreuzberger, D., Kühl, N., & Hirschl, S. (2023). Machine learning "
    "operations (MLOps): Overview, definition, and architecture. *IEEE Access*, "
    "*11*, 31866–31879. https://doi.org/10.1109/ACCESS.2023.3262138",
    "preprint-2025": "Mathew, J. (2025). *ML DevOps adoption in practice* (arXiv:2502.05634). "
    "arXiv. https://doi.org/10.48550/arXiv.2502.05634",
    "published-preprint-2022": "Zhou, X., & Huang, H. (2022). *A cross-company ethnographic "
    "study* (arXiv:2205.01446). arXiv. "
    "https://doi.org/10.48550/arXiv.2205.01446",
    "thesis-2021": "Carvalho, G. de A. (2021). *Assessing the benefits of MLOps* [Master's "
    "dissertation]. Pontifícia Universidade Católica do Rio de Janeiro.",
    "dataset-2023": "Araujo, G. (2023). *Focus group artifacts* [Data set]. Zenodo. "
    "https://doi.org/10.5281/zenodo.10685254",
    "chapter-2020": "Smith, A. (2020). Testing machine learning systems. In *Handbook of "
    "software quality* (pp. 1–20). Springer.",
    "report-2019": "Research and Development Group. (2019). *State of MLOps practice* (Report "
    "No. 42). National Institute of Testing.",
    "webpage-2021": "Doe, J. (2021). *What is MLOps?* MLOps Guide. "
    "https://example.org/what-is-mlops",
}

HARVARD = {
    "conference-2024": "Araujo, G. and Kalinowski, M. (2024) ‘Professional Insights into "
    "MLOps’, in *Proceedings of ICEIS 2024*. Setúbal, Portugal: SciTePress, "
    "pp. 305–312. Available at: https://doi.org/10.5220/0000000001.",
    "journal-2023": "Kreuzberger, D., Kühl, N. and Hirschl, S. (2023) ‘Machine Learning "
    "Operations (MLOps): Overview, Definition, and Architecture’, *IEEE Access*, "
    "11, pp. 31866–31879. Available at: "
    "https://doi.org/10.1109/ACCESS.2023.3262138.",
    "preprint-2025": "Mathew, J. (2025) ‘ML DevOps Adoption in Practice’. arXiv. Available at: "
    "https://doi.org/10.48550/arXiv.2502.05634.",
    "published-preprint-2022": "Zhou, X. and Huang, H. (2022) ‘A Cross-Company Ethnographic "
    "Study’. arXiv. Available at: "
    "https://doi.org/10.48550/arXiv.2205.01446.",
    "thesis-2021": "Carvalho, G. de A. (2021) *Assessing the Benefits of MLOps*. Master's "
    "dissertation. Pontifícia Universidade Católica do Rio de Janeiro.",
    "dataset-2023": "Araujo, G. (2023) *Focus Group Artifacts*. Zenodo. Available at: "
    "https://doi.org/10.5281/zenodo.10685254.",
    "chapter-2020": "Smith, A. (2020) ‘Testing Machine Learning Systems’, in *Handbook of "
    "Software Quality*. Cham: Springer, pp. 1–20.",
    "report-2019": "Research and Development Group (2019) *State of MLOps Practice*. Report 42. "
    "National Institute of Testing.",
    "webpage-2021": "Doe, J. (2021) *What Is MLOps?* Available at: "
    "https://example.org/what-is-mlops (Accessed: 8 February 2025).",
}

#            RIS   BibTeX          CSL                 Zotero (from COinS)
TYPES = {
    "conference-2024": ("CONF", "inproceedings", "paper-conference", "conferencePaper"),
    "journal-2023": ("JOUR", "article", "article-journal", "journalArticle"),
    "preprint-2025": ("GEN", "misc", "article", "preprint"),
    "published-preprint-2022": ("GEN", "misc", "article", "preprint"),
    "thesis-2021": ("THES", "mastersthesis", "thesis", "thesis"),
    "dataset-2023": ("DATA", "misc", "dataset", "dataset"),
    "chapter-2020": ("CHAP", "incollection", "chapter", "bookSection"),
    "report-2019": ("RPRT", "techreport", "report", "report"),
    "webpage-2021": ("ELEC", "misc", "webpage", "webpage"),
}


def _html(markdown_like: str) -> str:
    return re.sub(r"\*([^*]+)\*", r"<i>\1</i>", markdown_like.replace("&", "&amp;"))


def test_every_item_type_has_a_fixture_and_expectations():
    assert set(ITEMS) == set(APA) == set(HARVARD) == set(TYPES)


@pytest.mark.parametrize("item_id", sorted(APA))
def test_apa_7(item_id):
    html = format_reference(ITEMS[item_id], "apa", html=True)
    assert html == _html(APA[item_id])
    assert plain_text(html) == APA[item_id].replace("*", "")
    assert format_reference(ITEMS[item_id], "apa") == APA[item_id].replace("*", "")


@pytest.mark.parametrize("item_id", sorted(HARVARD))
def test_harvard_cite_them_right(item_id):
    html = format_reference(ITEMS[item_id], "harvard-cite-them-right", html=True)
    assert html == _html(HARVARD[item_id])
    assert format_reference(ITEMS[item_id], "harvard-cite-them-right") == (
        HARVARD[item_id].replace("*", "")
    )


def _zotero_type(context_object: str) -> str:
    """The item type Zotero's parseContextObject (zotero/utilities openurl.js) would pick."""
    pairs = parse_qsl(context_object)
    keys = dict(pairs)
    fmt = keys["rft_val_fmt"]
    if fmt.endswith(":journal"):
        return "journalArticle"
    if fmt.endswith(":book"):
        return {
            "bookitem": "bookSection",
            "proceeding": "conferencePaper",
            "conference": "conferencePaper",
            "report": "report",
            "document": "document",
        }.get(keys.get("rft.genre", ""), "book")
    if fmt.endswith(":dissertation"):
        return "thesis"
    assert fmt.endswith(":dc")
    return keys.get("rft.type", "webpage")


@pytest.mark.parametrize("item_id", sorted(TYPES))
def test_types_in_ris_bibtex_csl_and_zotero(item_id):
    citation = ITEMS[item_id]
    ris, bibtex, csl, zotero = TYPES[item_id]
    [record] = rispy.loads(export_ris([citation]))
    assert record["type_of_reference"] == ris
    [entry] = bibtexparser.parse_string(export_bibtex([citation])).entries
    assert entry.entry_type == bibtex
    assert csl_item(citation)["type"] == csl
    context_object = coins(citation)
    assert _zotero_type(context_object) == zotero
    assert "rft.description" not in context_object  # never an invented abstract


def test_conference_paper_puts_the_proceedings_title_where_zotero_reads_it():
    ris = export_ris([ITEMS["conference-2024"]])
    assert "C3  - Proceedings of ICEIS 2024" in ris  # Zotero: proceedingsTitle
    assert "T2  - " not in ris  # Zotero would read T2 as the conference name
    assert "C1  - Setúbal, Portugal" in ris  # conference place
    assert "PB  - SciTePress" in ris


def test_thesis_names_its_university_and_type_in_every_format():
    thesis = ITEMS["thesis-2021"]
    ris = export_ris([thesis])
    assert "PB  - Pontifícia Universidade Católica do Rio de Janeiro" in ris
    assert "M3  - Master's dissertation" in ris
    [entry] = bibtexparser.parse_string(export_bibtex([thesis])).entries
    assert entry["type"] == "Master's dissertation"
    assert "Pontif" in entry["school"]
    assert dict(parse_qsl(coins(thesis)))["rft.degree"] == "Master's dissertation"


def test_a_published_preprint_keeps_both_identities_apart():
    preprint = ITEMS["published-preprint-2022"]
    item = csl_item(preprint)
    assert item["DOI"] == "10.48550/arXiv.2205.01446"  # the preprint's own DOI
    [record] = rispy.loads(export_ris([preprint]))
    assert record["doi"] == "10.48550/arXiv.2205.01446"
    assert record["urls"] == ["https://arxiv.org/abs/2205.01446"]
    assert any("10.1145/3510457.3513054" in note for note in record["notes"])
    [entry] = bibtexparser.parse_string(export_bibtex([preprint])).entries
    assert "doi" not in entry.fields_dict
    assert "10.1145/3510457.3513054" in entry["note"]
    assert entry["eprint"] == "2205.01446"


def test_a_published_article_with_a_preprint_points_to_the_article():
    article = ITEMS["journal-2023"]
    [record] = rispy.loads(export_ris([article]))
    assert record["urls"] == ["https://doi.org/10.1109/ACCESS.2023.3262138"]
    assert record["volume"] == "11"
    assert [v for k, v in parse_qsl(coins(article)) if k == "rft_id"] == [
        "info:doi/10.1109/ACCESS.2023.3262138",
        "https://doi.org/10.1109/ACCESS.2023.3262138",
    ]


def test_data_set_is_labelled_as_one():
    data = ITEMS["dataset-2023"]
    assert "M3  - Data set" in export_ris([data])
    [entry] = bibtexparser.parse_string(export_bibtex([data])).entries
    assert entry["type"] == "Data set"
