"""Checks across entries: references resolve, ids are unique, every source is used, text is safe.

Each rule is a small function from the knowledge base to issues; `check_integrity` runs them all.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator

from kbsite.errors import Issue
from kbsite.fields import Text
from kbsite.guide_checks import check_guide
from kbsite.markdown import WrittenLink, written_links
from kbsite.model import Entry, KnowledgeBase
from kbsite.refs import Ref
from kbsite.registry import BY_NAME, ENTRY_TYPES
from kbsite.yamlio import Path_

# Each scan stops at the next `<` or line end, so unclosed input stays linear (no backtracking
# over the rest of the text from every `<`).
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!--")
_IMAGE = re.compile(r"!\[")


def _issue(entry: Entry, where: Path_, message: str, hint: str = "", *, key: bool = False) -> Issue:
    position = entry.source.position(where, key=key)
    return Issue(entry.source.path, position.line, position.column, message, hint)


def _issue_in_text(
    entry: Entry, where: Path_, text: str, offset: int, message: str, hint: str
) -> Issue:
    """An issue at a character offset inside a (possibly multi-line) text value."""
    base = entry.source.position(where)
    line = base.line + text.count("\n", 0, offset)
    column = base.column + offset - (text.rfind("\n", 0, offset) + 1)
    return Issue(entry.source.path, line, column, message, hint)


def all_references(kb: KnowledgeBase) -> Iterator[Ref]:
    """Every reference from one entry to another, with where it is written."""
    return iter(kb.references)


def check_duplicate_ids(kb: KnowledgeBase) -> Iterator[Issue]:
    """An id names one entry across all types, so links and the JSON export stay unambiguous."""
    first: dict[str, Entry] = {}
    for entry in kb.all_entries():
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
    kb: KnowledgeBase,
    file_ids: dict[str, frozenset[str]] | None = None,
    among: tuple[str, ...] | None = None,
) -> Iterator[Issue]:
    """Every referenced id names an existing entry of one of the types its field allows.

    file_ids, when given, also counts files that failed their own checks as existing; among,
    when given, limits the check to references to those entry types.
    """
    ids = {
        t.name: {e.id for e in kb.of_type(t.name)} | set((file_ids or {}).get(t.name, ()))
        for t in ENTRY_TYPES
    }
    for ref in all_references(kb):
        if any(ref.target in ids[target] for target in ref.targets):
            continue
        if among is not None and not set(ref.targets) <= set(among):
            continue
        known = sorted(set().union(*(ids[target] for target in ref.targets)))
        close = difflib.get_close_matches(ref.target, known, n=1, cutoff=0.6)
        folders = " or ".join(f"kb/{BY_NAME[t].folder}/{ref.target}.yaml" for t in ref.targets)
        hint = f"did you mean `{close[0]}`?" if close else f"add {folders} or fix the id"
        nouns = [BY_NAME[t].model.record_name for t in ref.targets]
        noun = nouns[0] if len(nouns) == 1 else (", ".join(nouns[:-1]) + " or " + nouns[-1])
        yield _issue(
            ref.entry,
            ref.path,
            f"expected the id of an existing {noun}, found `{ref.target}`",
            hint,
        )


def check_self_references(kb: KnowledgeBase) -> Iterator[Issue]:
    """An entry does not refer to itself."""
    for ref in all_references(kb):
        if ref.target == ref.entry.id and ref.entry.type in ref.targets:
            yield _issue(
                ref.entry,
                ref.path,
                f"expected other entries, found `{ref.target}` itself",
                "remove the entry's own id from the list",
            )


def check_citations_used(kb: KnowledgeBase) -> Iterator[Issue]:
    """A citation that nothing refers to is dead weight, or a forgotten reference."""
    used = {
        ref.target
        for ref in all_references(kb)
        if "citation" in ref.targets and ref.target != ref.entry.id
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
    """The Markdown fields of an entry (top level), from the model's field types."""
    for name, info in type(entry).model_fields.items():
        if any(isinstance(m, Text) and m.markdown for m in info.metadata):
            yield (name,), getattr(entry, name)


def check_markdown_safety(kb: KnowledgeBase) -> Iterator[Issue]:
    """Markdown may link only to web or mail addresses, and may not embed HTML or images.

    Every link the renderer would drop (and show as text) is reported where it is written:
    inline links, reference definitions and autolinks, as markdown-it-py reads them.

    Entry text is shown to every visitor; raw HTML, `javascript:` links or remote images in it
    would run code in their browsers or make requests to outside hosts.
    """
    for entry in kb.all_entries():
        for where, text in _markdown_fields(entry):
            # The links as the renderer's own parser finds them, in quotes and lists too.
            links = written_links(text)
            bracketed = {link.offset - 1 for link in links if text[link.offset - 1] == "<"}
            for match in _HTML_TAG.finditer(text):
                if match.start() in bracketed:
                    continue  # `<https://…>` is a link (or its address), checked below
                yield _issue_in_text(
                    entry,
                    where,
                    text,
                    match.start(),
                    f"expected Markdown without HTML, found `{match.group(0)[:40]}`",
                    "use Markdown syntax instead of HTML",
                )
            for match in _IMAGE.finditer(text):
                yield _issue_in_text(
                    entry,
                    where,
                    text,
                    match.start(),
                    "expected Markdown without images, found `![`",
                    "images are not supported in entry text; link instead",
                )
            for link in links:
                if link.allowed:
                    continue
                yield _issue_in_text(
                    entry,
                    where,
                    text,
                    link.offset,
                    _link_message(link),
                    _link_hint(link.url),
                )


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_CODE_SCHEMES = ("javascript", "data", "vbscript")


def _link_message(link: WrittenLink) -> str:
    found = f"`{link.written[:60]}`"
    if link.written.lower() != link.url.lower():
        found += f" (read as `{link.url[:60]}`)"  # entities or escapes hid the scheme
    what = {"reference": "a link definition", "autolink": "an autolink"}.get(link.kind, "a link")
    return f"expected {what} to an https:// address, found {found}"


def _link_hint(url: str) -> str:
    # As a browser reads it: leading spaces and controls, tabs and line breaks do not count.
    bare = re.sub(r"[\t\n\r]", "", url).lstrip("\x00- ")
    scheme = _SCHEME.match(bare)
    if scheme is None:
        return (
            "link to other entries through fields such as `related`, and to web pages by "
            "their full https:// address"
        )
    if scheme.group(1).lower() in _CODE_SCHEMES:
        return "links may not run code; link to an https:// address"
    return "only https://, http:// and mailto: links are allowed; link to the page over https"


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
        issues += check_reports(kb)
        # The guides' behaviour is checked by running them, which needs every finding rated:
        # only once nothing else is wrong.
        findings = {f.id: f for f in kb.findings}
        sound = not issues
        rated = kb.evidence.ratings if sound else None
        issues += [issue for guide in kb.guides for issue in check_guide(guide, findings, rated)]
    return issues


def check_reports(kb: KnowledgeBase) -> Iterator[Issue]:
    """Each cited report belongs to exactly one study, so evidence is counted by study.

    A report in no study could not be counted; a report in two would be counted twice.
    """
    owner: dict[str, Entry] = {}
    for study in kb.studies:
        for index, report in enumerate(study.reports):
            if report in owner:
                yield _issue(
                    study,
                    ("reports", index),
                    f"expected each citation in one study's `reports`, found "
                    f"`{report}` also in {owner[report].source.path}",
                    "a report belongs to one study; remove it from one of them",
                )
            else:
                owner[report] = study
    citations = {citation.id for citation in kb.citations}
    for finding in kb.findings:
        for index, item in enumerate(finding.evidence):
            # A citation that does not exist is reported once, by the reference check.
            if item.citation in citations and item.citation not in owner:
                yield _issue(
                    finding,
                    ("evidence", index, "citation"),
                    f"expected citation `{item.citation}` to be a report of a study, "
                    "found no study that lists it in `reports`",
                    f"add `{item.citation}` to `reports` of its study in kb/studies/, "
                    f"or add kb/studies/{item.citation}-study.yaml",
                )
