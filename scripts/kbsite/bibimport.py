"""Turning real BibTeX and biblatex libraries into citation entries: parse, map, check.

Built for bulk use on libraries exported by reference managers: every valid entry is imported,
every invalid one is listed with its line and the reason, and nothing already in the knowledge
base is overwritten. Pure: takes the file's bytes and the existing knowledge base, returns the
new files' text and the problems found. The command line writes the files.

BibTeX is read with bibtexparser's splitter only (no middleware): macros, `#` concatenation,
names and LaTeX are handled here, because the middleware lower-cases nothing, leaves `#`
unexpanded, and decodes URLs as LaTeX (a `%` there starts a comment and cuts the URL).
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import bibtexparser
import yaml
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
    String,
)

from kbsite.errors import Issue
from kbsite.fields import ID_PATTERN
from kbsite.model import Citation, KnowledgeBase
from kbsite.validation import check
from kbsite.vocabulary import BIBTEX_TYPES

ENTRY_TYPES = {
    "article": ("article", ""),
    "inproceedings": ("inproceedings", ""),
    "conference": ("inproceedings", ""),
    "incollection": ("incollection", ""),
    "inbook": ("incollection", ""),
    "inreference": ("incollection", ""),
    "book": ("book", ""),
    "mvbook": ("book", ""),
    "proceedings": ("book", ""),
    "mvproceedings": ("book", ""),
    "collection": ("book", ""),
    "mvcollection": ("book", ""),
    "reference": ("book", ""),
    "mastersthesis": ("mastersthesis", ""),
    "phdthesis": ("phdthesis", ""),
    "techreport": ("techreport", ""),
    "report": ("techreport", ""),
    "manual": ("techreport", ""),
    "misc": ("misc", ""),
    "unpublished": ("misc", ""),
    "booklet": ("misc", ""),
    "online": ("misc", "webpage"),
    "electronic": ("misc", "webpage"),
    "www": ("misc", "webpage"),
    "dataset": ("misc", "dataset"),
    "data": ("misc", "dataset"),
    "software": ("misc", "software"),
    "preprint": ("misc", "preprint"),
}
"""BibTeX and biblatex entry types: (the knowledge base's entry type, kind). A whole volume
(@proceedings, @collection) is a book, as Zotero imports it; its editors stand as authors."""
VOLUMES = {"proceedings", "mvproceedings", "collection", "mvcollection", "book", "mvbook"}
"""Parents whose title a cross-referencing entry takes as its `booktitle` (biblatex's rule)."""

SCALAR_FIELDS = {
    "journal": "journal",
    "journaltitle": "journal",
    "booktitle": "booktitle",
    "volume": "volume",
    "number": "number",
    "issue": "number",
    "publisher": "publisher",
    "organization": "organization",
    "school": "school",
    "institution": "institution",
    "howpublished": "howpublished",
    "isbn": "isbn",
    "issn": "issn",
    "note": "note",
    "type": "genre",
    "address": "address",
    "location": "address",
}
VERBATIM_FIELDS = (
    "url",
    "doi",
    "eprint",
    "eprinttype",
    "archiveprefix",
    "primaryclass",
    "eprintclass",
    "isbn",
    "issn",
)
"""Fields copied as written: never LaTeX-decoded, so `%`, `~` and `_` survive."""
USED_FIELDS = {
    *SCALAR_FIELDS,
    *VERBATIM_FIELDS,
    "title",
    "author",
    "editor",
    "crossref",
    "year",
    "date",
    "pages",
    "keywords",
    "abstract",
}
MONTHS = {
    m: m.capitalize()
    for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
}
_BAD_TEXT = re.compile("[\udc80-\udcff\u0080-\u009f]")
_DASHES = re.compile(r"\s*[-–—]+\s*")
_DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_YEAR = re.compile(r"\s*(\d{4})")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.", re.IGNORECASE)
_UNKNOWN = re.compile(r"[?\s–-]*\?[?\s–-]*")
"""A value of only question marks (`??`, `??--??`): how some libraries mark it as unknown."""
_PAGE_COUNT = re.compile(r"[ivxlcdm]+\s*\+\s*\d+(\s*\+\s*\S+)*", re.IGNORECASE)
"""`xiv + 169`: a book's length (front matter + body), not the pages cited."""
_ONE_OF = {
    "isbn": re.compile(r"(?<![\dXx-])(?:97[89]-?)?\d[\d-]{8,13}[\dXx](?![\dXx-])"),
    "issn": re.compile(r"(?<![\dXx-])\d{4}-\d{3}[\dXx](?![\dXx-])"),
}
"""Identifiers of which a field may list several, each with a qualifier: `0-262-01077-1
(MIT Press), 0-07-000422-6 (McGraw-Hill)`. The first is kept."""
_ADDRESS = re.compile(r"(https?|ftp)://\S")
"""A URL field may list several addresses separated by `; `: the first https one is kept."""


@dataclass(frozen=True)
class ImportResult:
    """Files to create (path: YAML text), refused entries and file problems, and notes."""

    files: dict[str, str]
    issues: tuple[Issue, ...]
    notes: tuple[str, ...]
    renamed: tuple[tuple[str, str], ...] = ()
    """(BibTeX key, derived id) for keys that were not kebab-case."""
    refused: int = 0


@dataclass
class _Problems:
    shown: str
    issues: list[Issue] = field(default_factory=list)

    def add(self, line: int, column: int, message: str, hint: str = "") -> None:
        self.issues.append(Issue(self.shown, line, column, message, hint))


# ---------------------------------------------------------------------------------------------
# Bytes to text: bad bytes and C1 controls are repaired or refused, never imported silently


def _cp1252(raw: bytes) -> str | None:
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return None


def decode_bibtex(
    data: bytes, shown: str, *, repair: bool = False
) -> tuple[str, list[Issue], list[str], set[int]]:
    """The file's text, the problems, the repairs made, and the lines still holding bad text.

    Bytes that are not UTF-8, and C1 control characters (U+0080 to U+009F, what Windows-1252
    text becomes when it is read as Latin-1), stop pdflatex later. With `repair` they are
    converted from Windows-1252 and each repair is noted; without it, the entries holding
    them are refused, with line and column.
    """
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    issues: list[Issue] = []
    notes: list[str] = []
    bad_lines: set[int] = set()
    if not _BAD_TEXT.search(text):
        return text, issues, notes, bad_lines
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not _BAD_TEXT.search(line):
            continue
        out = []
        for column, character in enumerate(line, start=1):
            if "\udc80" <= character <= "\udcff":
                raw = bytes([ord(character) - 0xDC00])
                what = f"byte 0x{raw[0]:02X}, which is not UTF-8"
            elif "\u0080" <= character <= "\u009f":
                raw = bytes([ord(character)])
                what = f"the control character U+{ord(character):04X}"
            else:
                out.append(character)
                continue
            fixed = _cp1252(raw)
            if repair and fixed is not None:
                notes.append(
                    f"{shown}:{number}:{column}: {what} repaired as Windows-1252 `{fixed}`"
                )
                out.append(fixed)
                continue
            bad_lines.add(number)
            guess = f" (in Windows-1252 it is `{fixed}`)" if fixed else ""
            issues.append(
                Issue(
                    shown,
                    number,
                    column,
                    f"expected UTF-8 text, found {what}{guess}",
                    "save the file as UTF-8, or pass --repair to convert Windows-1252 characters"
                    if fixed
                    else "delete the character",
                )
            )
            out.append(character)
        lines[number - 1] = "".join(out)
    return "\n".join(lines), issues, notes, bad_lines


# ---------------------------------------------------------------------------------------------
# Values: macros, concatenation, LaTeX


def _split_concatenation(raw: str) -> list[str] | None:
    """Top-level `#`-separated pieces of a raw value, or None if its delimiters do not close."""
    pieces, depth, quoted, start = [], 0, False, 0
    for index, character in enumerate(raw):
        if character == "{":
            depth += 1
        elif character == "}":
            depth -= 1
            if depth < 0:
                return None
        elif character == '"' and depth == 0:
            quoted = not quoted
        elif character == "#" and depth == 0 and not quoted:
            pieces.append(raw[start:index].strip())
            start = index + 1
    if depth or quoted:
        return None
    pieces.append(raw[start:].strip())
    return pieces


def expand(raw: str, macros: dict[str, str]) -> tuple[str, list[str]]:
    """A raw field value with delimiters removed, macros expanded and `#` concatenated.

    Returns the value and the names of undefined macros.
    """
    pieces = _split_concatenation(raw)
    if pieces is None:
        return raw, []
    out, undefined = [], []
    for piece in pieces:
        if (len(piece) >= 2 and piece[0] == "{" and piece[-1] == "}") or (
            len(piece) >= 2 and piece[0] == '"' and piece[-1] == '"'
        ):
            out.append(piece[1:-1])
        elif piece.isdigit():
            out.append(piece)
        elif piece.lower() in macros:
            out.append(macros[piece.lower()])
        elif piece.lower() in MONTHS:
            out.append(MONTHS[piece.lower()])
        else:
            undefined.append(piece)
            out.append(piece)
    return "".join(out), undefined


_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "&": "&",
    "%": "%",
    "$": "$",
    "#": "#",
    "_": "_",
    "{": "{",
    "}": "}",
    "textendash": "–",
    "textemdash": "—",
    "textquoteright": "’",
    "textquoteleft": "‘",
    "ldots": "…",
    "dots": "…",
    "textbackslash": "\\",
    " ": " ",
    ",": " ",
    "@": "",
    "-": "",  # a discretionary hyphen
    "/": "",  # italic correction
    "\\": " ",  # a line break
    "emdash": "—",
    "endash": "–",
    "Dash": "—",
    "slash": "/",
    "thinspace": " ",
    "enspace": " ",
    "quad": " ",
    "qquad": " ",
    "par": " ",
    "pounds": "£",
    "S": "§",
    "P": "¶",
    "copyright": "©",
    "dag": "†",
    "ddag": "‡",
    "textregistered": "®",
    "texttrademark": "™",
    "textdegree": "°",
    "textellipsis": "…",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "guillemotleft": "«",
    "guillemotright": "»",
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "lambda": "λ",
    "mu": "μ",
    "pi": "π",
    "sigma": "σ",
    "Omega": "Ω",
    "LaTeXe": "LaTeX2e",
    "AmSTeX": "AMS-TeX",
    "AMSTeX": "AMS-TeX",
    "MF": "Metafont",
    "MP": "MetaPost",
    "PS": "PostScript",
    "POSTSCRIPT": "PostScript",
    "TUB": "TUGboat",
    **dict.fromkeys(
        [
            "it",
            "bf",
            "sl",
            "tt",
            "sf",
            "rm",
            "sc",
            "em",
            "normalfont",
            "bfseries",
            "itshape",
            "slshape",
            "scshape",
            "upshape",
            "mdseries",
            "ttfamily",
            "sffamily",
            "rmfamily",
            "tiny",
            "scriptsize",
            "footnotesize",
            "small",
            "normalsize",
            "large",
            "Large",
            "LARGE",
            "huge",
            "Huge",
            "relax",
            "unskip",
            "ignorespaces",
            "noindent",
            "nobreak",
            "allowbreak",
            "toenglish",
            "endtoenglish",
        ],
        "",
    ),  # font switches and spacing, which plain text does without
}
_ACCENT = re.compile(
    r"""\\([`'^"~=.])\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))"""
    r"""|\\([uvHckrdb])(?:\s*\{\s*(\\?[A-Za-z])\s*\}|\s+(\\?[A-Za-z]))"""
)
_COMMAND = re.compile(r"\\([A-Za-z]+)\s*(?:\{\})?|\\([&%$#_{} ,@/\\-])")
_FORMATTING = re.compile(
    r"\\(?:emph|textit|textbf|textsc|texttt|textrm|textsl|textsf|textup|textmd|textnormal"
    r"|underline|mbox|hbox|url|ensuremath|acro|pkg|booktitle|file)"
    r"\s*\{([^{}]*)\}"
)
_DROPPED = re.compile(
    r"\\(?:noopsort|SortNoop|sortnoop|hphantom|vphantom|phantom|index|label)"
    r"\s*\{[^{}]*\}"
)
"""Commands whose argument is not printed (sort keys, spacing)."""


def _accent(match: re.Match[str]) -> str:
    mark = match.group(1) or match.group(4)
    letter = (
        (match.group(2) or match.group(3)) if match.group(1) else (match.group(5) or match.group(6))
    )
    base = {"\\i": "i", "\\j": "j"}.get(letter, letter)
    return unicodedata.normalize("NFC", base + _ACCENTS[mark])


def latex_to_text(value: str) -> str:
    """LaTeX in a BibTeX value as plain Unicode: accents, escapes, dashes; braces dropped.

    A table covers what reference managers and TeX libraries write (accents, dashes,
    logos, font switches, which plain text does without); anything else keeps its name so
    nothing is lost silently.
    """
    if "\\" in value:
        value = _DROPPED.sub("", value)
        for _ in range(3):  # nested formatting such as \emph{\textbf{x}}
            value = _FORMATTING.sub(r"\1", value)
        value = _ACCENT.sub(_accent, value)
        value = _COMMAND.sub(
            lambda m: _LETTERS.get(m.group(1) or m.group(2), m.group(1) or m.group(2)), value
        )
    value = value.replace("---", "—").replace("--", "–").replace("~", " ")
    return " ".join(value.replace("{", "").replace("}", "").split())


# ---------------------------------------------------------------------------------------------
# Entries


def _authors(value: str) -> tuple[list[dict[str, str]], bool, list[str]]:
    """Authors as citation data, whether the list ends in `and others`, and problems."""
    people: list[dict[str, str]] = []
    truncated = False
    problems = []
    names = split_multiple_persons_names(" ".join(value.split()))
    for index, name in enumerate(names):
        if name.strip().lower() == "others":
            if index == len(names) - 1:
                truncated = True
            continue
        stripped = name.strip()
        if stripped.startswith("{") and stripped.endswith("}") and stripped.count("{") == 1:
            people.append({"literal": latex_to_text(stripped)})  # {Research and Development}
            continue
        try:
            parts = parse_single_name_into_parts(stripped, strict=False)
        except InvalidNameError as error:
            problems.append(f"the author `{stripped}` cannot be read as a name ({error})")
            continue
        family = latex_to_text(" ".join(parts.von + parts.last))
        given = latex_to_text(" ".join(parts.first))
        if parts.jr:
            family = f"{family}, {latex_to_text(' '.join(parts.jr))}"
        if not family:
            people.append({"literal": given})
        else:
            people.append({"family": family, **({"given": given} if given else {})})
    return people, truncated, problems


def _year(fields: dict[str, str]) -> int | None:
    for name in ("year", "date"):
        found = _YEAR.match(fields.get(name, ""))
        if found:
            return int(found.group(1))
    return None


WHOLE_WORKS = {"book", "mastersthesis", "phdthesis", "techreport"}
"""Entry types whose BibTeX `pages` is the work's length (`xvi + 169`, `312 (est.)`), which
BibTeX's standard styles never print, rather than the pages of a part."""


def _fits(pages: str) -> bool:
    """Whether the model accepts this as a citation's `pages`."""
    return not any(v.path[:1] == ("pages",) for v in check(Citation, {"pages": pages}))


def entry_data(
    entry_type: str, key: str, fields: dict[str, str], *, role: str, summary: str
) -> tuple[dict[str, Any], list[str], list[str]]:
    """One entry's citation data, the notes for the contributor, and problems found."""
    kb_type, kind = ENTRY_TYPES.get(entry_type, ("", ""))
    problems: list[str] = []
    notes: list[str] = []
    unknown = sorted(name for name, value in fields.items() if _UNKNOWN.fullmatch(value))
    if unknown:
        fields = {name: value for name, value in fields.items() if name not in unknown}
        notes.append(f"marked unknown (`??`), not kept: {', '.join(unknown)}")
    if not kb_type:
        problems.append(f"expected a known entry type, found @{entry_type}")
    if entry_type == "thesis":
        genre = fields.get("type", "").lower()
        kb_type = "mastersthesis" if "master" in genre or "mathesis" in genre else "phdthesis"
    text = {
        name: latex_to_text(value) for name, value in fields.items() if name not in VERBATIM_FIELDS
    }
    verbatim = {
        name: " ".join(value.split()) for name, value in fields.items() if name in VERBATIM_FIELDS
    }
    for name, identifier in _ONE_OF.items():
        found = identifier.findall(verbatim.get(name, ""))
        if found and found[0] != verbatim[name]:
            notes.append(f"{name}: kept `{found[0]}` of `{verbatim[name]}`")
            verbatim[name] = found[0]
    addresses = re.split(r";?\s+", verbatim.get("url", ""))
    if len(addresses) > 1 and all(_ADDRESS.match(a) for a in addresses):
        kept = next((a for a in addresses if a.startswith("https://")), addresses[0])
        notes.append(f"url: kept `{kept}` of `{verbatim['url']}`")
        verbatim["url"] = kept
    data: dict[str, Any] = {"id": key, "role": role, "entry_type": kb_type or entry_type}
    if kind:
        data["kind"] = kind
    data["title"] = text.get("title", "")
    authors, truncated, name_problems = _authors(
        fields.get("author", "") or fields.get("editor", "")
    )
    problems += name_problems
    group = next((name for name in ("organization", "institution") if text.get(name)), "")
    if not authors and not name_problems and group:  # a group author, as APA cites it
        authors = [{"literal": text[group]}]
        notes.append(f"no author or editor: `{group}` is the author")
    data["authors"] = authors
    if truncated:
        data["author_list"] = "truncated"
    year = _year(fields)
    if year is not None:
        data["year"] = year
    for name, target in SCALAR_FIELDS.items():
        value = verbatim.get(name) if name in VERBATIM_FIELDS else text.get(name)
        if value and target not in data:
            data[target] = value
    if entry_type == "manual" and "institution" not in data and data.get("organization"):
        data["institution"] = data.pop("organization")
    if data.get("genre", "").lower() in ("mathesis", "phdthesis"):
        del data["genre"]  # biblatex keys, the entry type says it
    pages = _DASHES.sub("-", text.get("pages", ""))
    if pages and (
        _PAGE_COUNT.fullmatch(pages) or (data["entry_type"] in WHOLE_WORKS and not _fits(pages))
    ):
        notes.append(f"pages `{text['pages']}` is the length of the work, not kept")
    elif pages:
        data["pages"] = pages
    doi = _DOI_PREFIX.sub("", verbatim.get("doi", ""))
    eprint = verbatim.get("eprint", "")
    archive = (verbatim.get("archiveprefix") or verbatim.get("eprinttype") or "").lower()
    if eprint and (archive == "arxiv" or (not archive and re.fullmatch(r"\d{4}\.\d{4,5}", eprint))):
        eprint = re.sub(r"^arxiv:", "", eprint, flags=re.IGNORECASE)
        data["arxiv"] = {"id": re.sub(r"v\d+$", "", eprint)}
        primary = verbatim.get("primaryclass") or verbatim.get("eprintclass")
        if primary:
            data["arxiv"]["primary_class"] = primary
        if kb_type == "misc" and not kind:
            data["kind"] = "preprint"
    if doi:
        data["doi"] = doi
        if _ARXIV_DOI.match(doi) and kb_type == "misc":
            data.setdefault("kind", "preprint")
    if verbatim.get("url"):
        data["url"] = verbatim["url"]
    if summary:
        data["summary"] = summary
    if text.get("keywords"):
        data["keywords"] = sorted(
            {k.strip() for k in re.split(r"[,;]", text["keywords"]) if k.strip()}
        )
    if "abstract" in fields:
        notes.append("the abstract was not imported: write `summary` in your own words")
    if not summary:
        notes.append("no summary yet: the page shows 'summary to be written'")
    skipped = sorted(set(fields) - USED_FIELDS)
    if skipped:
        notes.append(f"fields not kept: {', '.join(skipped)}")
    return data, notes, problems


def derive_id(data: dict[str, Any], taken: set[str]) -> str:
    """`surname-year`, then `-b`, `-c`…: an id for an entry whose key is not kebab-case."""
    first = (data.get("authors") or [{}])[0]
    name = first.get("family") or first.get("literal") or data.get("title", "") or "source"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.lower())
    base = "-".join(words[-1:] if first.get("family") else words[:3]) or "source"
    if not base[0].isalpha():
        base = "source-" + base
    base += f"-{data['year']}" if data.get("year") else "-nd"
    candidate, number = base, 1
    while candidate in taken:
        candidate = f"{base}-{letters(number)}"
        number += 1
    return candidate


def letters(number: int) -> str:
    """The suffix of the number-th id of a name and year: 1 `b` ... 25 `z`, 26 `aa`, 27 `ab`.

    Bijective base 26 past `z`, so a library with hundreds of anonymous entries of one year
    still gets kebab-case ids.
    """
    if number < 26:
        return chr(ord("a") + number)
    number -= 26
    width, block = 2, 26 * 26
    while number >= block:
        number -= block
        width, block = width + 1, block * 26
    out = ""
    for _ in range(width):
        number, digit = divmod(number, 26)
        out = chr(ord("a") + digit) + out
    return out


def _line(block: Any) -> int:
    """The 1-based line a parsed block starts on, as bibtexparser counts it."""
    return int(block.start_line or 0) + 1


def block_lines(text: str, blocks: list[Block]) -> dict[int, int]:
    r"""The 1-based line each block starts on (by the block's id), found from its own text.

    bibtexparser's count skips the line break after a backslash (a `\\` ending a line of a
    long note), so its line numbers drift further with every such line in a real library.
    """
    lines: dict[int, int] = {}
    cursor, line = 0, 1
    for block in blocks:
        raw = block.raw or ""
        found = text.find(raw, cursor) if raw else -1
        if found < 0:
            lines[id(block)] = _line(block)
            continue
        line += text.count("\n", cursor, found)
        lines[id(block)] = line
        line += raw.count("\n")
        cursor = found + len(raw)
    return lines


NOT_INHERITED = {
    "crossref",
    "title",
    "author",
    "editor",
    "doi",
    "url",
    "eprint",
    "eprinttype",
    "archiveprefix",
    "primaryclass",
    "eprintclass",
    "abstract",
    "keywords",
    "note",
}
"""Fields a cross-referencing entry never takes from its parent: they describe the volume as
a work of its own (its editors, its DOI), not the paper in it."""


@dataclass
class _Read:
    """One entry as read, its fields expanded, before it is mapped."""

    entry: Entry
    line: int
    fields: dict[str, str]
    failed: bool
    notes: list[str] = field(default_factory=list)


def _read_entry(entry: Entry, line: int, macros: dict[str, str], problems: _Problems) -> _Read:
    """An entry's fields with macros expanded (as defined so far) and names lower-cased.

    A field given twice is refused when it is one the import keeps; of a field it drops
    anyway, the first is used, as BibTeX does. Undefined macros count the same way.
    """
    fields: dict[str, str] = {}
    spelled: dict[str, str] = {}
    failed = False
    for item in entry.fields:
        name = item.key.lower()
        kept = name in USED_FIELDS
        value, undefined = expand(str(item.value), macros)
        for macro in undefined if kept else ():
            problems.add(
                line,
                0,
                f"{entry.key}: expected a defined @string macro in `{item.key}`, found `{macro}`",
                "define it with @string, or put the value in braces",
            )
            failed = True
        if name in fields:
            if kept:
                spelling = (
                    " (field names are case-insensitive)" if spelled[name] != item.key else ""
                )
                problems.add(
                    line,
                    0,
                    f"{entry.key}: expected `{name}` once, found it twice{spelling}",
                    "delete one of them",
                )
                failed = True
            continue
        spelled[name] = item.key
        fields[name] = value
    return _Read(entry, line, fields, failed)


def _inherit(read: list[_Read]) -> None:
    """Fill each cross-referencing entry's missing fields from its parent (BibTeX's rule).

    A parent that is a whole volume also gives its title as the entry's `booktitle`
    (biblatex's rule, which BibTeX libraries rely on by giving both).
    """
    by_key = {r.entry.key.lower(): r for r in read}
    for child in read:
        target = child.fields.get("crossref", "").strip()
        if not target:
            continue
        parent = by_key.get(target.lower())
        if parent is None:
            child.notes.append(f"crossref `{target}` is not in the file: nothing inherited")
            continue
        inherited = {
            name: value
            for name, value in parent.fields.items()
            if name in USED_FIELDS and name not in NOT_INHERITED and name not in child.fields
        }
        if (
            parent.entry.entry_type.lower() in VOLUMES
            and "booktitle" not in child.fields
            and parent.fields.get("title")
        ):
            inherited.setdefault("booktitle", parent.fields["title"])
        child.fields.update(inherited)
        if inherited:
            child.notes.append(f"from crossref `{target}`: {', '.join(sorted(inherited))}")


def import_bibtex(
    data: bytes | str,
    shown: str,
    kb: KnowledgeBase,
    *,
    role: str,
    summary: str = "",
    kb_folder: str = "kb",
    existing_ids: frozenset[str] = frozenset(),
    repair: bool = False,
) -> ImportResult:
    """Map every entry of a .bib file; valid ones become files, invalid ones are listed.

    The file is read in order, as BibTeX reads it: a macro applies from its @string on,
    and one defined again applies, with its new value, to the entries after it.
    """
    raw = data.encode("utf-8", errors="surrogateescape") if isinstance(data, str) else data
    text, decode_issues, notes, bad_lines = decode_bibtex(raw, shown, repair=repair)
    problems = _Problems(shown, list(decode_issues))
    parser_log = logging.getLogger("bibtexparser")
    level = parser_log.level
    parser_log.setLevel(logging.CRITICAL)  # failed blocks are reported below, with a hint
    try:
        library = bibtexparser.parse_string(text, parse_stack=[])
    finally:
        parser_log.setLevel(level)
    lines = block_lines(text, library.blocks)
    macros: dict[str, str] = {}
    macro_lines: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    unparsed = 0
    read: list[_Read] = []
    for block in library.blocks:
        line = lines[id(block)]
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(
            block.ignore_error_block, String
        ):
            block = block.ignore_error_block  # a macro defined again: BibTeX allows it
        if isinstance(block, String):
            value, undefined = expand(block.value, macros)
            for name in undefined:
                problems.add(
                    line,
                    0,
                    f"expected a defined @string macro, found `{name}`",
                    "define it with @string before its first use",
                )
            name = block.key.lower()
            if name in macros and macros[name] != value:
                notes.append(
                    f"{shown}:{line}: @string `{block.key}` is defined again (first on line "
                    f"{macro_lines[name]}); the entries after it use the new value"
                )
            macros[name] = value
            macro_lines.setdefault(name, line)
        elif isinstance(block, DuplicateBlockKeyBlock):
            first = lines.get(id(block.previous_block), _line(block.previous_block))
            duplicates.setdefault(block.key, [first]).append(line)
        elif isinstance(block, DuplicateFieldKeyBlock) and isinstance(
            block.ignore_error_block, Entry
        ):
            read.append(_read_entry(block.ignore_error_block, line, macros, problems))
        elif isinstance(block, ParsingFailedBlock):
            unparsed += 1
            problems.add(
                line,
                0,
                "expected a complete BibTeX entry, found one that does not parse",
                "check this entry for an unbalanced brace, quote, or a missing comma",
            )
        elif isinstance(block, Entry):
            read.append(_read_entry(block, line, macros, problems))
    for key, key_lines in duplicates.items():
        for line in key_lines:
            others = ", ".join(str(other) for other in key_lines if other != line)
            problems.add(
                line,
                0,
                f"expected each key once, found `{key}` again on line {others}",
                "keep one entry per key; neither was imported",
            )
    _inherit(read)
    known_dois = {c.doi.lower(): c.id for c in kb.citations if c.doi}
    taken = {c.id for c in kb.citations} | set(existing_ids)
    refused_keys = set(duplicates)
    entries: list[_Read] = []
    for item in read:
        last = item.line + (item.entry.raw or "").count("\n")
        if item.entry.key in refused_keys:
            continue
        if any(item.line <= bad <= last for bad in bad_lines):
            refused_keys.add(item.entry.key)
            continue  # already reported at its line and column
        entries.append(item)
    kebab = {r.entry.key for r in entries if re.fullmatch(ID_PATTERN, r.entry.key)}
    files: dict[str, str] = {}
    renamed: list[tuple[str, str]] = []
    refused = (
        unparsed
        + sum(len(key_lines) for key_lines in duplicates.values())
        + len(refused_keys - set(duplicates))
    )
    reserved = taken | kebab
    for item in entries:
        entry, line, failed = item.entry, item.line, item.failed
        record, entry_notes, entry_problems = entry_data(
            entry.entry_type.lower(), entry.key, item.fields, role=role, summary=summary
        )
        for problem in entry_problems:
            problems.add(
                line,
                0,
                f"{entry.key}: {problem}",
                f"use {', '.join(f'@{name}' for name in BIBTEX_TYPES.names)}, or a biblatex "
                "type that stands for one; @misc for other works"
                if "entry type" in problem
                else "",
            )
            failed = True
        key = entry.key
        if key in taken:
            problems.add(
                line,
                0,
                f"expected a new citation key, found `{key}`, which "
                f"{kb_folder}/citations/{key}.yaml already uses",
                "choose another key, or edit the existing entry",
            )
            failed = True
        doi = str(record.get("doi", "")).lower()
        if doi and doi in known_dois:
            problems.add(
                line,
                0,
                f"expected a source not yet in the knowledge base, found "
                f"DOI {record['doi']} already in "
                f"{kb_folder}/citations/{known_dois[doi]}.yaml",
                "cite the existing entry instead of importing it again",
            )
            failed = True
        if not failed and key not in kebab:
            record["id"] = derive_id(record, reserved)
            reserved.add(record["id"])
        for violation in () if failed else check(Citation, record):
            where = ".".join(str(part) for part in violation.path) or "entry"
            problems.add(line, 0, f"{key}: {where}: {violation.message}", violation.hint)
            failed = True
        if failed:
            refused += 1
            continue
        if key not in kebab:
            renamed.append((key, record["id"]))
        files[f"{kb_folder}/citations/{record['id']}.yaml"] = to_yaml(record)
        taken.add(record["id"])
        notes += [f"{record['id']}: {note}" for note in item.notes + entry_notes]
        if doi:
            known_dois[doi] = record["id"]
    if not library.entries and not library.failed_blocks:
        problems.add(0, 0, "expected at least one BibTeX entry, found none")
    return ImportResult(
        files,
        tuple(sorted(problems.issues, key=lambda i: (i.line, i.column))),
        tuple(notes),
        tuple(renamed),
        refused,
    )


_PLAIN = re.compile(r"\w[\w .,()/'&+-]*[\w.)]|\w")
_RESOLVER = yaml.resolver.Resolver()


def _scalar(value: Any, *, flow: bool = False) -> str:
    """A YAML scalar: plain when it cannot be misread, else a JSON string (valid YAML).

    In a flow mapping (`{family: …, given: …}`) a comma ends a plain value, so a name such
    as `Steele, Jr.` is quoted there.
    """
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if (
        _PLAIN.fullmatch(text)
        and not (flow and "," in text)
        and _RESOLVER.resolve(  # type: ignore[no-untyped-call]
            yaml.ScalarNode, text, (True, False)
        )
        == "tag:yaml.org,2002:str"
    ):
        return text  # YAML reads it back as this very string
    return json.dumps(text, ensure_ascii=False)


def _flow(mapping: dict[str, Any]) -> str:
    return (
        "{"
        + ", ".join(f"{key}: {_scalar(value, flow=True)}" for key, value in mapping.items())
        + "}"
    )


def to_yaml(data: dict[str, Any]) -> str:
    """A citation file: the schema header, then the fields in the order they were built.

    Written directly rather than with yaml.dump, which took most of a bulk import's time;
    every string that could be misread is a JSON string, which YAML reads back unchanged.
    """
    lines = ["# yaml-language-server: $schema=../schema/citation.schema.json"]
    for key, value in data.items():
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines += [
                f"  - {_flow(item) if isinstance(item, dict) else _scalar(item)}" for item in value
            ]
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {name}: {_scalar(item)}" for name, item in value.items()]
        else:
            lines.append(f"{key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"
