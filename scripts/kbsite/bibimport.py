"""Turning a contributor's BibTeX into citation entries: parse, map, check, never overwrite.

Pure: takes the BibTeX text and the existing knowledge base, returns the new files' text or the
problems found. The command line writes the files.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import bibtexparser
import bibtexparser.middlewares as mw
import yaml

from kbsite.errors import Issue
from kbsite.fields import ID_PATTERN
from kbsite.model import Citation, KnowledgeBase
from kbsite.validation import check
from kbsite.vocabulary import BIBTEX_TYPES

SCALAR_FIELDS = ("journal", "booktitle", "volume", "number", "publisher", "organization",
                 "school", "institution", "howpublished", "isbn", "issn", "url", "note")
IGNORED_FIELDS = ("abstract", "file", "annote", "annotation", "urldate", "month", "language",
                  "address", "editor", "series", "keywords", "doi", "pages", "eprint",
                  "archiveprefix", "primaryclass", "eprinttype", "title", "author", "year")


@dataclass(frozen=True)
class ImportResult:
    """Files to create (path relative to the repository: YAML text) and the problems found."""

    files: dict[str, str]
    issues: tuple[Issue, ...]
    notes: tuple[str, ...]


def _text(value: str) -> str:
    return " ".join(value.replace("{", "").replace("}", "").split())


def import_bibtex(text: str, shown: str, kb: KnowledgeBase, *, role: str, summary: str,
                  kb_folder: str = "kb", existing_ids: frozenset[str] = frozenset()
                  ) -> ImportResult:
    """Map every entry of a .bib text to a citation entry; nothing is returned if any fails."""
    parser_log = logging.getLogger("bibtexparser")
    level = parser_log.level
    parser_log.setLevel(logging.CRITICAL)  # failed blocks are reported below, with a hint
    try:
        library = bibtexparser.parse_string(
            text, append_middleware=[mw.LatexDecodingMiddleware(), mw.SeparateCoAuthors(),
                                     mw.SplitNameParts()])
    finally:
        parser_log.setLevel(level)
    issues: list[Issue] = [
        Issue(shown, (block.start_line or 0) + 1, 0,
              "expected a complete BibTeX entry, found one that does not parse",
              "check this entry for an unbalanced brace, quote, or a missing comma")
        for block in library.failed_blocks
    ]
    if not library.entries and not issues:
        issues.append(Issue(shown, 0, 0, "expected at least one BibTeX entry, found none"))
    files: dict[str, str] = {}
    notes: list[str] = []
    known_dois = {c.doi.lower(): c.id for c in kb.citations if c.doi}
    known_ids = {c.id for c in kb.citations} | set(existing_ids)
    for entry in library.entries:
        line = (entry.start_line or 0) + 1
        key = entry.key
        path = f"{kb_folder}/citations/{key}.yaml"
        if not re.fullmatch(ID_PATTERN, key):
            suggestion = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
            issues.append(Issue(shown, line, 0, f"expected a kebab-case citation key, found "
                                f"`{key}`", f"rename the key to `{suggestion}`"))
            continue
        if key in known_ids or path in files:
            issues.append(Issue(shown, line, 0, f"expected a new citation key, found `{key}`, "
                                f"which {kb_folder}/citations/{key}.yaml already uses",
                                "choose another key, or edit the existing entry"))
            continue
        data, entry_notes = _entry_data(entry, role=role, summary=summary)
        doi = str(data.get("doi", "")).lower()
        if doi and doi in known_dois:
            issues.append(Issue(shown, line, 0, f"expected a source not yet in the knowledge "
                                f"base, found DOI {data['doi']} already in "
                                f"{kb_folder}/citations/{known_dois[doi]}.yaml",
                                "cite the existing entry instead of importing it again"))
            continue
        if data["entry_type"] not in BIBTEX_TYPES.names:
            allowed = ", ".join(BIBTEX_TYPES.names)
            issues.append(Issue(shown, line, 0, f"expected one of the entry types {allowed}, "
                                f"found @{entry.entry_type}",
                                "use @misc for preprints, data sets and web pages"))
            continue
        for violation in check(Citation, data):
            where = ".".join(str(part) for part in violation.path) or "entry"
            issues.append(Issue(shown, line, 0, f"{key}: {where}: {violation.message}",
                                violation.hint))
        files[path] = _to_yaml(data)
        notes += [f"{key}: {note}" for note in entry_notes]
        if doi:
            known_dois[doi] = key
    if issues:
        return ImportResult({}, tuple(issues), ())
    return ImportResult(files, (), tuple(notes))


def _entry_data(entry: bibtexparser.model.Entry, *, role: str, summary: str
                ) -> tuple[dict[str, Any], list[str]]:
    fields = {f.key.lower(): f.value for f in entry.fields}
    data: dict[str, Any] = {"id": entry.key, "role": role, "entry_type": entry.entry_type.lower(),
                  "title": _text(str(fields.get("title", "")))}
    authors = []
    for name in fields.get("author", []) or []:
        if isinstance(name, str):
            authors.append({"literal": _text(name)})
            continue
        family = _text(" ".join(name.von + name.last))
        given = _text(" ".join(name.first + name.jr))
        if not family:
            authors.append({"literal": given})
        else:
            authors.append({"family": family, **({"given": given} if given else {})})
    data["authors"] = authors
    year = str(fields.get("year", "")).strip()
    if year.isdigit():
        data["year"] = int(year)
    for name in SCALAR_FIELDS:
        if fields.get(name):
            data[name] = _text(str(fields[name]))
    if fields.get("pages"):
        data["pages"] = re.sub(r"\s*[-–—]+\s*", "-", _text(str(fields["pages"])))
    if fields.get("doi"):
        data["doi"] = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", _text(str(fields["doi"])))
    eprint = _text(str(fields.get("eprint", "")))
    if eprint and _text(str(fields.get("archiveprefix", "arxiv"))).lower() == "arxiv":
        data["arxiv"] = {"id": eprint}
        if fields.get("primaryclass"):
            data["arxiv"]["primary_class"] = _text(str(fields["primaryclass"]))
    data["summary"] = summary
    if fields.get("keywords"):
        data["keywords"] = [_text(k) for k in str(fields["keywords"]).split(",") if k.strip()]
    notes = []
    if "abstract" in fields:
        notes.append("the abstract was not imported: write `summary` in your own words")
    skipped = sorted(set(fields) - set(SCALAR_FIELDS) - set(IGNORED_FIELDS))
    skipped += sorted(name for name in ("month", "address", "editor", "series") if name in fields)
    if skipped:
        notes.append(f"fields not kept: {', '.join(skipped)}")
    return data, notes


def _to_yaml(data: dict[str, Any]) -> str:
    header = "# yaml-language-server: $schema=../schema/citation.schema.json\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
