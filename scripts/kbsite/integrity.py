"""Checks across entries: references resolve, ids are unique, every source is used, text is safe.

Each rule is a small function from the knowledge base to issues; `check_integrity` runs them all.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator

from kbsite.errors import Issue
from kbsite.guides import check_guide
from kbsite.model import Citation, Entry, Finding, Guide, KnowledgeBase, Principle, Question
from kbsite.yamlio import Path_

Reference = tuple[Entry, Path_, str, str]
"""(entry holding the reference, where in it, target type, target id)."""

SAFE_LINK_SCHEMES = ("https://", "http://", "mailto:")
# Each scan stops at the next `<` or line end, so unclosed input stays linear (no backtracking
# over the rest of the text from every `<` or `[`).
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)|^\s{0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s|$)",
                          re.M)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!--")
_IMAGE = re.compile(r"!\[")


def _issue(entry: Entry, where: Path_, message: str, hint: str = "", *, key: bool = False) -> Issue:
    position = entry.source.position(where, key=key)
    return Issue(entry.source.path, position.line, position.column, message, hint)


def _issue_in_text(entry: Entry, where: Path_, text: str, offset: int, message: str,
                   hint: str) -> Issue:
    """An issue at a character offset inside a (possibly multi-line) text value."""
    base = entry.source.position(where)
    line = base.line + text.count("\n", 0, offset)
    column = base.column + offset - (text.rfind("\n", 0, offset) + 1)
    return Issue(entry.source.path, line, column, message, hint)


def all_entries(kb: KnowledgeBase) -> Iterator[tuple[str, Entry]]:
    """Every entry with its type name."""
    for type_name in ("principle", "benefit", "limitation", "citation", "question", "guide"):
        for entry in kb.of_type(type_name):
            yield type_name, entry


def references(kb: KnowledgeBase) -> Iterator[Reference]:
    """Every reference from one entry to another, with where it is written."""
    for principle in kb.principles:
        yield principle, ("defined_in", "citation"), "citation", principle.defined_in.citation
        for index, target in enumerate(principle.related):
            yield principle, ("related", index), "principle", target
    for finding in kb.findings:
        for index, target in enumerate(finding.principles):
            yield finding, ("principles", index), "principle", target
        for index, item in enumerate(finding.evidence):
            yield finding, ("evidence", index, "citation"), "citation", item.citation
    for citation in kb.citations:
        for index, related in enumerate(citation.related):
            yield citation, ("related", index, "citation"), "citation", related.citation
    for question in kb.questions:
        for index, target in enumerate(question.principles):
            yield question, ("principles", index), "principle", target
        for index, target in enumerate(question.citations):
            yield question, ("citations", index), "citation", target


def check_duplicate_ids(kb: KnowledgeBase) -> Iterator[Issue]:
    """An id names one entry across all types, so links and the JSON export stay unambiguous."""
    first: dict[str, Entry] = {}
    for _, entry in all_entries(kb):
        if entry.id in first:
            other = first[entry.id]
            yield _issue(
                entry,
                ("id",),
                f"expected a unique id, found `{entry.id}` already used by {other.source.path}",
                "choose a more specific id for one of them",
            )
        else:
            first[entry.id] = entry


def check_references(
    kb: KnowledgeBase, file_ids: dict[str, frozenset[str]] | None = None
) -> Iterator[Issue]:
    """Every referenced id names an existing entry of the right type.

    file_ids, when given, also counts files that failed their own checks as existing.
    """
    ids = {
        type_name: {e.id for e in kb.of_type(type_name)} | set((file_ids or {}).get(type_name, ()))
        for type_name in ("principle", "citation")
    }
    for entry, where, target_type, target in references(kb):
        if target in ids[target_type]:
            continue
        close = difflib.get_close_matches(target, sorted(ids[target_type]), n=1, cutoff=0.6)
        folder = "principles" if target_type == "principle" else "citations"
        hint = (
            f"did you mean `{close[0]}`?"
            if close
            else f"add kb/{folder}/{target}.yaml or fix the id"
        )
        yield _issue(
            entry, where, f"expected the id of an existing {target_type}, found `{target}`", hint
        )


def check_self_references(kb: KnowledgeBase) -> Iterator[Issue]:
    """An entry does not list itself as related."""
    for entry, where, _, target in references(kb):
        if target == entry.id and isinstance(entry, Principle | Citation):
            yield _issue(
                entry,
                where,
                f"expected other entries, found `{target}` itself",
                "remove the entry's own id from the list",
            )


def check_citations_used(kb: KnowledgeBase) -> Iterator[Issue]:
    """A citation that nothing refers to is dead weight, or a forgotten reference."""
    used = {
        target
        for entry, _, target_type, target in references(kb)
        if target_type == "citation" and target != entry.id
    }
    for citation in kb.citations:
        if citation.id not in used:
            yield _issue(
                citation,
                ("id",),
                f"expected citation `{citation.id}` to be cited by "
                "some entry, found no entry that cites it",
                "cite it in an evidence item, a principle's `defined_in`, or another "
                "citation's `related`; otherwise delete the file",
            )


def check_link_kinds(kb: KnowledgeBase) -> Iterator[Issue]:
    """`cross-cutting` evidence goes with findings that name no principle, and only with those."""
    for finding in kb.findings:
        for index, item in enumerate(finding.evidence):
            where = ("evidence", index, "link")
            if not finding.principles and item.link != "cross-cutting":
                yield _issue(
                    finding,
                    where,
                    "expected `cross-cutting` for a finding with no "
                    f"principles, found `{item.link}`",
                    "list the principles the finding concerns, or set `link: cross-cutting`",
                )
            elif finding.principles and item.link == "cross-cutting":
                yield _issue(
                    finding,
                    where,
                    "expected `stated` or `inferred` for a finding "
                    "linked to principles, found `cross-cutting`",
                    "use `inferred` when the editors map the finding to the principles",
                )


def _markdown_fields(entry: Entry) -> Iterator[tuple[Path_, str]]:
    if isinstance(entry, Principle | Finding):
        yield ("description",), entry.description
    elif isinstance(entry, Question):
        yield ("details",), entry.details
    elif isinstance(entry, Guide):
        yield ("description",), entry.description


def check_markdown_safety(kb: KnowledgeBase) -> Iterator[Issue]:
    """Markdown may link only to web or mail addresses, and may not embed HTML or images.

    Entry text is shown to every visitor; raw HTML, `javascript:` links or remote images in it
    would run code in their browsers or make requests to outside hosts.
    """
    for _, entry in all_entries(kb):
        for where, text in _markdown_fields(entry):
            for match in _HTML_TAG.finditer(text):
                yield _issue_in_text(entry, where, text, match.start(),
                                     f"expected Markdown without HTML, found "
                                     f"`{match.group(0)[:40]}`",
                                     "use Markdown syntax instead of HTML")
            for match in _IMAGE.finditer(text):
                yield _issue_in_text(entry, where, text, match.start(),
                                     "expected Markdown without images, found `![`",
                                     "images are not supported in entry text; link instead")
            for match in _LINK_TARGET.finditer(text):
                group = 1 if match.group(1) is not None else 2
                target = match.group(group) or ""
                if target and not target.lower().startswith(SAFE_LINK_SCHEMES):
                    yield _issue_in_text(entry, where, text, match.start(group),
                                         "expected a link to an https:// address, "
                                         f"found `{target[:60]}`",
                                         "link to other entries through fields such as "
                                         "`related`")


RULES: tuple[Callable[[KnowledgeBase], Iterator[Issue]], ...] = (
    check_duplicate_ids,
    check_self_references,
    check_link_kinds,
    check_markdown_safety,
)
"""Rules that hold for each valid entry whatever the state of the others."""


def check_integrity(
    kb: KnowledgeBase, file_ids: dict[str, frozenset[str]], *, complete: bool
) -> list[Issue]:
    """Run every cross-entry rule.

    complete is False when some files failed their own checks; rules that need the whole
    knowledge base (unused citations) are then skipped, as they would report false problems.
    """
    issues = [issue for rule in RULES for issue in rule(kb)]
    issues += check_references(kb, file_ids)
    if complete:
        issues += check_citations_used(kb)
        issues += [issue for guide in kb.guides for issue in check_guide(guide, kb)]
    return issues
