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
from bibtexparser.model import DuplicateBlockKeyBlock, Entry

from kbsite.errors import Issue
from kbsite.fields import ID_PATTERN
from kbsite.model import Citation, KnowledgeBase
from kbsite.validation import check

ENTRY_TYPES = {
    "article": ("article", ""),
    "inproceedings": ("inproceedings", ""),
    "conference": ("inproceedings", ""),
    "incollection": ("incollection", ""),
    "inbook": ("incollection", ""),
    "book": ("book", ""),
    "mvbook": ("book", ""),
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
"""BibTeX and biblatex entry types: (the knowledge base's entry type, kind)."""

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
}
_ACCENT = re.compile(
    r"""\\([`'^"~=.])\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))"""
    r"""|\\([uvHckr])(?:\s*\{\s*(\\?[A-Za-z])\s*\}|\s+(\\?[A-Za-z]))"""
)
_COMMAND = re.compile(r"\\([A-Za-z]+)\s*(?:\{\})?|\\([&%$#_{} ,@])")
_FORMATTING = re.compile(
    r"\\(?:emph|textit|textbf|textsc|texttt|textrm|mbox|url|ensuremath)"
    r"\s*\{([^{}]*)\}"
)


def _accent(match: re.Match[str]) -> str:
    mark = match.group(1) or match.group(4)
    letter = (
        (match.group(2) or match.group(3)) if match.group(1) else (match.group(5) or match.group(6))
    )
    base = {"\\i": "i", "\\j": "j"}.get(letter, letter)
    return unicodedata.normalize("NFC", base + _ACCENTS[mark])


def latex_to_text(value: str) -> str:
    """LaTeX in a BibTeX value as plain Unicode: accents, escapes, dashes; braces dropped.

    A small table covers what reference managers write; anything else keeps its name so
    nothing is lost silently (the schema then refuses a stray backslash-free form).
    """
    if "\\" in value:
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


def entry_data(
    entry_type: str, key: str, fields: dict[str, str], *, role: str, summary: str
) -> tuple[dict[str, Any], list[str], list[str]]:
    """One entry's citation data, the notes for the contributor, and problems found."""
    kb_type, kind = ENTRY_TYPES.get(entry_type, ("", ""))
    problems: list[str] = []
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
    data: dict[str, Any] = {"id": key, "role": role, "entry_type": kb_type or entry_type}
    if kind:
        data["kind"] = kind
    data["title"] = text.get("title", "")
    authors, truncated, name_problems = _authors(
        fields.get("author", "") or fields.get("editor", "")
    )
    problems += name_problems
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
    if text.get("pages"):
        data["pages"] = _DASHES.sub("-", text["pages"])
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
    notes = []
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
    candidate, letter = base, ord("b")
    while candidate in taken:
        candidate = f"{base}-{chr(letter)}"
        letter += 1
    return candidate


def _line(block: Any) -> int:
    """The 1-based line a parsed block starts on (bibtexparser counts from 0)."""
    return int(block.start_line or 0) + 1


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
    """Map every entry of a .bib file; valid ones become files, invalid ones are listed."""
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
    macros: dict[str, str] = {}
    for string in library.strings:
        value, undefined = expand(string.value, macros)
        for name in undefined:
            problems.add(
                _line(string),
                0,
                f"expected a defined @string macro, found `{name}`",
                "define it with @string before its first use",
            )
        macros[string.key.lower()] = value
    duplicates: dict[str, list[int]] = {}
    unparsed = 0
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            duplicates.setdefault(block.key, [_line(block.previous_block)]).append(_line(block))
        else:
            unparsed += 1
            problems.add(
                _line(block),
                0,
                "expected a complete BibTeX entry, found one that does not parse",
                "check this entry for an unbalanced brace, quote, or a missing comma",
            )
    for key, lines in duplicates.items():
        for line in lines:
            others = ", ".join(str(other) for other in lines if other != line)
            problems.add(
                line,
                0,
                f"expected each key once, found `{key}` again on line {others}",
                "keep one entry per key; neither was imported",
            )
    known_dois = {c.doi.lower(): c.id for c in kb.citations if c.doi}
    taken = {c.id for c in kb.citations} | set(existing_ids)
    refused_keys = set(duplicates)
    entries: list[tuple[Entry, int]] = []
    for entry in library.entries:
        line = _line(entry)
        last = line + (entry.raw or "").count("\n")
        if entry.key in refused_keys:
            continue
        if any(line <= bad <= last for bad in bad_lines):
            refused_keys.add(entry.key)
            continue  # already reported at its line and column
        entries.append((entry, line))
    kebab = {e.key for e, _ in entries if re.fullmatch(ID_PATTERN, e.key)}
    files: dict[str, str] = {}
    renamed: list[tuple[str, str]] = []
    refused = (
        unparsed
        + sum(len(lines) for lines in duplicates.values())
        + len(refused_keys - set(duplicates))
    )
    reserved = taken | kebab
    for entry, line in entries:
        fields: dict[str, str] = {}
        failed = False
        for item in entry.fields:
            value, undefined = expand(str(item.value), macros)
            for name in undefined:
                problems.add(
                    line,
                    0,
                    f"{entry.key}: expected a defined @string macro in "
                    f"`{item.key}`, found `{name}`",
                    "define it with @string, or put the value in braces",
                )
                failed = True
            name = item.key.lower()
            if name in fields:
                problems.add(
                    line,
                    0,
                    f"{entry.key}: expected `{name}` once, found it twice "
                    "(field names are case-insensitive)",
                    "delete one of them",
                )
                failed = True
            fields[name] = value
        record, entry_notes, entry_problems = entry_data(
            entry.entry_type.lower(), entry.key, fields, role=role, summary=summary
        )
        for problem in entry_problems:
            problems.add(
                line,
                0,
                f"{entry.key}: {problem}",
                "use @misc for preprints, data sets and web pages"
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
        notes += [f"{record['id']}: {note}" for note in entry_notes]
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


def _scalar(value: Any) -> str:
    """A YAML scalar: plain when it cannot be misread, else a JSON string (valid YAML)."""
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if (
        _PLAIN.fullmatch(text)
        and _RESOLVER.resolve(  # type: ignore[no-untyped-call]
            yaml.ScalarNode, text, (True, False)
        )
        == "tag:yaml.org,2002:str"
    ):
        return text  # YAML reads it back as this very string
    return json.dumps(text, ensure_ascii=False)


def _flow(mapping: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{key}: {_scalar(value)}" for key, value in mapping.items()) + "}"


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
