"""The changelog readers see: entries added, changed and removed, and findings re-rated. Pure.

`history.py` reads the versions of kb/ from git; this module turns them into what a reader
wants to know, by day and month, newest first. Each version is read as a file of kb/ is read
today (`load.read_earlier_file`) and, when it is valid under today's model, rated by today's
rules (`ratings.evaluate`), so a re-rating always reflects a change in the data, never in the
code. Versions that do not validate (most were written for an earlier data model) are not
rated: the page says how many there are, and a change across them is compared with the nearest
earlier version that does validate.

Each commit that changed kb/ is compared with its parent; a merge only where it differs from
every parent (what it merged is reported at the commits that made it). Within a day, the
changes to one entry are summed up: added then changed is "added", and a rating is compared
from its first level that day to its last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kbsite import confidence, ratings
from kbsite.confidence import Level, Rating, RatingChange
from kbsite.errors import Issue
from kbsite.history import Commit, History
from kbsite.integrity import (
    check_duplicate_ids,
    check_link_kinds,
    check_references,
    check_reports,
    check_self_references,
)
from kbsite.load import EarlierFile, earlier_kb, read_earlier_file
from kbsite.model import Entry, KnowledgeBase, Principle
from kbsite.registry import ENTRY_TYPES, EntryType
from kbsite.sources import shown_name
from kbsite.validation import without_retired
from kbsite.yamlio import visible_text

ACTIONS = ("added", "changed", "removed")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_BY_FOLDER = {t.folder: t for t in ENTRY_TYPES}
_NOUNS = {
    "question": ("open question", "open questions"),
    "guide": ("decision guide", "decision guides"),
    "outcome": ("outcome group", "outcome groups"),
}


def type_noun(type_name: str, count: int) -> str:
    """How the changelog names `count` entries of a type: '1 benefit', '3 studies'."""
    entry_type = next((t for t in ENTRY_TYPES if t.name == type_name), None)
    plural = entry_type.folder if entry_type else f"{type_name}s"
    one, many = _NOUNS.get(type_name, (type_name, plural))
    return one if count == 1 else many


_TITLE_LIMIT = 150


@dataclass(frozen=True)
class EntryRef:
    """An entry named in the changelog."""

    type_name: str
    entry_id: str
    title: str
    current: Entry | None
    """The entry in today's knowledge base, which the page links to; None once removed."""


@dataclass(frozen=True)
class EntryChange:
    """An entry added, changed or removed on one day."""

    action: str
    entry: EntryRef
    fields: tuple[str, ...] = ()
    """The fields that changed (for `changed`), as the YAML names them."""
    level: Level | None = None
    """A finding's confidence when it was added, if that version could be rated."""


@dataclass(frozen=True)
class Rerating:
    """A finding whose confidence level changed on one day."""

    finding: EntryRef
    change: RatingChange


@dataclass(frozen=True)
class Group:
    """Entries of one type with the same action on one day, e.g. three studies added."""

    action: str
    type_name: str
    changes: tuple[EntryChange, ...]


@dataclass(frozen=True)
class Day:
    """What changed on one date."""

    date: str
    reratings: tuple[Rerating, ...]
    groups: tuple[Group, ...]

    @property
    def label(self) -> str:
        """'1 December 2026'."""
        year, month, day = self.date.split("-")
        return f"{int(day)} {MONTHS[int(month) - 1]} {year}"


@dataclass(frozen=True)
class Month:
    """The days of one month that have changes, newest first."""

    label: str
    days: tuple[Day, ...]


@dataclass(frozen=True)
class Changelog:
    """The whole changelog, newest month first."""

    months: tuple[Month, ...] = ()
    rated_from: str = ""
    """Label of the date of the earliest version that was rated; "" when none was."""
    unrated: tuple[str, ...] = ()
    """Dates of the changes whose version of kb/ does not validate under today's model."""
    unrated_example: str = ""
    """The first problem of the latest such version."""
    notes: tuple[str, ...] = ()
    """Where the history was cut short (see `History.notes`)."""
    unavailable: str = ""

    @property
    def unrated_span(self) -> str:
        """'from 22 November 2026 to 1 December 2026' (or 'on 1 December 2026')."""
        dates = sorted(set(self.unrated))
        if not dates:
            return ""
        first, last = (_day_label(d) for d in (dates[0], dates[-1]))
        return f"on {first}" if first == last else f"from {first} to {last}"


@dataclass
class _State:
    """One version of kb/, read and (when valid) rated."""

    files: Mapping[str, str]
    valid: bool = False
    problem: str = ""
    ratings: dict[str, Rating] = field(default_factory=dict)
    kb: KnowledgeBase = field(default_factory=KnowledgeBase)
    data: dict[str, Any] = field(default_factory=dict)
    """Each file's YAML as plain values without retired fields, by path inside kb/."""


class _Versions:
    """Versions of kb/ by tree id, each read once; files read once per path and contents."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.states: dict[str, _State] = {}
        self.files: dict[tuple[str, str], EarlierFile] = {}
        self.rated: dict[frozenset[tuple[str, str]], _Rated] = {}

    def state(self, tree: str) -> _State | None:
        """The version of kb/ with this tree id; None when history did not read it."""
        if tree in self.states:
            return self.states[tree]
        if tree not in self.history.trees:
            return None
        files = self.history.trees[tree]
        state = _State(files)
        read = []
        rated: set[tuple[str, str]] = set()
        for path, object_id in sorted(files.items()):
            located = _locate(path)
            if located is None:
                continue
            entry_type, stem = located
            key = (path, object_id)
            if key not in self.files:
                shown = f"{self.history.shown_as}/{shown_name(path)}"
                self.files[key] = _read_file(entry_type, object_id, self.history, shown, stem)
            data = self.files[key].data
            if isinstance(data, dict):  # compared without retired fields: they moved elsewhere
                state.data[path] = without_retired(entry_type.model, data)
            if entry_type.name in ratings.RATED_FROM:
                read.append((entry_type, stem, self.files[key]))
                rated.add(key)
        same = frozenset(rated)  # the same files as another version that changed other types
        if same not in self.rated:
            self.rated[same] = _rate(read)
        state.valid, state.problem, state.kb, state.ratings = self.rated[same]
        self.states[tree] = state
        return state


_Rated = tuple[bool, str, KnowledgeBase, dict[str, Rating]]


def _rate(read: list[tuple[EntryType, str, EarlierFile]]) -> _Rated:
    """Whether the files the ratings read are valid (else the first problem), and the ratings."""
    loaded = earlier_kb(read)
    issues = list(loaded.issues)
    if not issues:
        issues += _rating_problems(loaded.kb, loaded.file_ids)
    if issues:
        return False, f"{issues[0].path}: {issues[0].message}", loaded.kb, {}
    return True, "", loaded.kb, ratings.evaluate(loaded.kb).ratings


def _locate(path: str) -> tuple[EntryType, str] | None:
    """The entry type and file stem of an entry path inside kb/ (None outside entry folders)."""
    folder, _, name = path.partition("/")
    entry_type = _BY_FOLDER.get(folder)
    if entry_type is None or "/" in name or not name.endswith(".yaml"):
        return None
    return entry_type, name.removesuffix(".yaml")


def _read_file(
    entry_type: EntryType, object_id: str, history: History, shown: str, stem: str
) -> EarlierFile:
    if not object_id:
        message = "expected a regular file, found a symbolic link or a submodule"
        return EarlierFile(None, (Issue(shown, 0, 0, message),), None)
    raw = history.blobs.get(object_id)
    rated = entry_type.name in ratings.RATED_FROM
    return read_earlier_file(entry_type, raw, shown, stem, validate=rated)


def _rating_problems(kb: KnowledgeBase, file_ids: dict[str, frozenset[str]]) -> list[Issue]:
    """What keeps an earlier version from being rated.

    The cross-entry rules the ratings rely on: ids, references among the types they read,
    link kinds, every cited report in one study. Whether every citation is used, whether
    Markdown is safe to render, and the guides' rules do not change a rating, so they are not
    checked here (the changelog shows no text of earlier versions beyond a title).
    """
    issues = [*check_duplicate_ids(kb), *check_self_references(kb), *check_link_kinds(kb)]
    issues += check_references(kb, file_ids, among=ratings.RATED_FROM)
    issues += check_reports(kb)
    return issues


# ---------------------------------------------------------------------------------------------


@dataclass
class _Day:
    """What one day's commits did, in the order they did it."""

    actions: dict[str, list[tuple[str, tuple[str, ...]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """By path inside kb/: (action, fields changed) per commit."""
    levels: dict[str, Level] = field(default_factory=dict)
    """Findings' levels when added, by id."""
    ratings: dict[str, list[Rating]] = field(default_factory=dict)
    """By finding id: the first level of the day and the latest."""


def build_changelog(history: History, kb: KnowledgeBase) -> Changelog:
    """The changelog of the versions `history` read; `kb` (today's) gives links and titles."""
    if history.unavailable:
        return Changelog(unavailable=history.unavailable)
    versions = _Versions(history)
    days: dict[str, _Day] = defaultdict(_Day)
    unrated: list[str] = []
    example = ""
    rated_from = ""
    latest: dict[str, _State] = {}  # where each path last existed: titles of removed entries
    for commit_id in reversed(history.changes):  # oldest first
        commit = history.commits[commit_id]
        if commit_id in history.shallow:
            continue  # a shallow clone's oldest commit: what it changed is not known
        after = versions.state(commit.tree)
        if after is None:
            continue
        befores = [versions.state(history.commits[p].tree) for p in commit.parents]
        parents = [b for b in befores if b is not None] or [_State({})]
        day = days[commit.date]
        for path in sorted(set(after.files) | set(parents[0].files)):
            if _locate(path) is None:
                continue
            new = after.files.get(path)
            if any(p.files.get(path) == new for p in parents):
                continue
            old = parents[0].files.get(path)
            action = "added" if old is None else "removed" if new is None else "changed"
            before_data, after_data = parents[0].data.get(path), after.data.get(path)
            if action == "changed" and before_data is not None and before_data == after_data:
                continue  # only layout, comments or retired fields changed: the same entry
            fields = _changed_fields(path, before_data, after_data)
            day.actions[path].append((action, fields))
            latest[path] = after if new is not None else parents[0]
        if not after.valid:
            unrated.append(commit.date)
            example = after.problem
            continue
        prior = _prior_valid(commit, history, versions)
        if prior is None:
            rated_from = rated_from or commit.date
            for finding, rating in after.ratings.items():
                day.levels.setdefault(finding, rating.level)
            continue
        valid_parents = [b for b in befores if b is not None and b.valid]
        for finding, rating in after.ratings.items():
            before = prior.ratings.get(finding)
            if before is None:
                day.levels[finding] = rating.level
                continue
            if before.level is rating.level:
                continue
            if len(commit.parents) > 1 and any(
                p.ratings.get(finding) is not None and p.ratings[finding].level is rating.level
                for p in valid_parents
            ):
                continue  # merged from a parent that has this level already
            day.ratings.setdefault(finding, [before, rating])[1] = rating
    titles = _Titles(kb, versions, latest)
    months: dict[str, list[Day]] = defaultdict(list)
    for date in sorted(days, reverse=True):
        shown = _day(date, days[date], titles)
        if shown.reratings or shown.groups:
            months[date[:7]].append(shown)
    return Changelog(
        months=tuple(
            Month(_month_label(key), tuple(month_days))
            for key, month_days in sorted(months.items(), reverse=True)
        ),
        rated_from=_day_label(rated_from) if rated_from else "",
        unrated=tuple(unrated),
        unrated_example=example,
        notes=history.notes,
    )


def _prior_valid(commit: Commit, history: History, versions: _Versions) -> _State | None:
    """The nearest valid version along first parents (the parent itself first), if read."""
    current = commit
    for _ in range(len(history.commits)):
        if not current.parents or current.id in history.shallow:
            return None
        parent = history.commits.get(current.parents[0])
        if parent is None:
            return None
        state = versions.state(parent.tree)
        if state is None:
            return None
        if state.valid:
            return state
        current = parent
    return None


def _changed_fields(path: str, old: Any, new: Any) -> tuple[str, ...]:
    """The model's fields whose values differ between two versions of a file ("" for others)."""
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return ()
    located = _locate(path)
    known = tuple(located[0].model.model_fields) if located else ()
    differ = {key for key in set(old) | set(new) if old.get(key) != new.get(key)}
    named = tuple(name for name in known if name in differ)
    return named + (("other fields",) if differ - set(known) else ())


class _Titles:
    """How the changelog names an entry: today's title if it still exists, else its last one."""

    def __init__(self, kb: KnowledgeBase, versions: _Versions, latest: dict[str, _State]) -> None:
        self.current = {(e.type, e.id): e for e in kb.all_entries()}
        self.versions = versions
        self.latest = latest
        self.findings = {f.id: f for f in kb.findings}

    def of_path(self, path: str) -> EntryRef:
        entry_type, stem = _locate(path) or (ENTRY_TYPES[0], path)  # only entry paths come here
        current = self.current.get((entry_type.name, stem))
        if current is not None:
            return EntryRef(entry_type.name, stem, _title(current), current)
        state = self.latest.get(path)
        data = state.data.get(path) if state else None
        title = data.get("title") if isinstance(data, dict) else None
        shown = visible_text(title)[:_TITLE_LIMIT] if isinstance(title, str) and title else stem
        return EntryRef(entry_type.name, shown_name(stem), shown, None)

    def of_finding(self, finding_id: str) -> EntryRef:
        current = self.findings.get(finding_id)
        if current is not None:
            return EntryRef(current.type, finding_id, current.title, current)
        for state in reversed(self.versions.states.values()):
            for entry in state.kb.findings:
                if entry.id == finding_id:
                    return EntryRef(entry.type, finding_id, entry.title, None)
        return EntryRef("benefit", finding_id, finding_id, None)


def _title(entry: Entry) -> str:
    if isinstance(entry, Principle):
        return entry.label
    short_label = getattr(entry, "short_label", None)
    return short_label if isinstance(short_label, str) else entry.title


def _day(date: str, day: _Day, titles: _Titles) -> Day:
    changes: list[EntryChange] = []
    for path, actions in sorted(day.actions.items()):
        existed_before = actions[0][0] != "added"
        exists_after = actions[-1][0] != "removed"
        if not existed_before and not exists_after:
            continue
        ref = titles.of_path(path)
        if not existed_before:
            changes.append(EntryChange("added", ref, level=day.levels.get(ref.entry_id)))
        elif not exists_after:
            changes.append(EntryChange("removed", ref))
        else:
            fields = tuple(dict.fromkeys(f for _, names in actions for f in names))
            changes.append(EntryChange("changed", ref, fields))
    added = {c.entry.entry_id: c for c in changes if c.action == "added"}
    reratings = []
    for finding, (first, last) in sorted(day.ratings.items()):
        if finding in added:  # added and re-rated the same day: its level at the end of it
            index = changes.index(added[finding])
            changes[index] = EntryChange("added", added[finding].entry, level=last.level)
            continue
        for moved in confidence.diff_ratings({finding: first}, {finding: last}):
            reratings.append(Rerating(titles.of_finding(finding), moved))
    order = {t.name: i for i, t in enumerate(ENTRY_TYPES)}
    groups = []
    for action in ACTIONS:
        by_type: dict[str, list[EntryChange]] = defaultdict(list)
        for change in changes:
            if change.action == action:
                by_type[change.entry.type_name].append(change)
        for type_name in sorted(by_type, key=lambda t: order.get(t, len(order))):
            listed = sorted(
                by_type[type_name], key=lambda c: (c.entry.title.lower(), c.entry.entry_id)
            )
            groups.append(Group(action, type_name, tuple(listed)))
    reratings.sort(key=lambda r: (r.finding.title.lower(), r.finding.entry_id))
    return Day(date, tuple(reratings), tuple(groups))


def _day_label(date: str) -> str:
    return Day(date, (), ()).label


def _month_label(key: str) -> str:
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"
