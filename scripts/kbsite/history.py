"""Entry history from git: when each entry last changed, and every earlier version of kb/.

Reading history is input, like reading kb/: only the loading side calls this, and what it
returns is plain data (commits, the entry files of each version of kb/ and their bytes). What
changed between versions, and how the confidence ratings moved, is computed from that data by
`changelog.py`, which reads nothing. Outside a git checkout (or without git) the site is built
without dates and without a changelog, and the build says so once.

Git is asked a fixed, small number of questions however long the history: one `git log` for
the dates, one for the commits, and a few `git cat-file --batch` runs that each answer many
objects at once. What is read is bounded: the latest MAX_COMMITS commits, the latest
MAX_CHANGES of them that changed kb/, entry files up to MAX_FILE_BYTES, and MAX_HISTORY_BYTES
of file contents in all; where a bound cuts the history, `History.notes` says so.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kbsite.limits import MAX_FILE_BYTES
from kbsite.sources import shown_name
from kbsite.yamlio import visible_text

MAX_COMMITS = 5_000
"""Latest commits scanned for changes to kb/."""
MAX_CHANGES = 100
"""Latest changes to kb/ (commits) that the changelog covers."""
MAX_HISTORY_BYTES = 32 * 1024 * 1024
"""Entry-file contents read from history in all, newest versions first."""

_TREE_MODE = b"40000"
_FILE_MODES = (b"100644", b"100755")


@dataclass(frozen=True)
class Commit:
    """One commit, with the id of the kb/ tree it holds ("" when it holds no kb/)."""

    id: str
    date: str
    """Committer date, YYYY-MM-DD."""
    parents: tuple[str, ...]
    tree: str


@dataclass(frozen=True)
class History:
    """Last-change dates by path (as the entries' source paths show it), and earlier versions."""

    last_changed: dict[str, str] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)
    """The commits read, by id (parents of the oldest ones included)."""
    changes: tuple[str, ...] = ()
    """Ids of the commits that changed kb/, newest first (see `changed`)."""
    trees: dict[str, dict[str, str]] = field(default_factory=dict)
    """Each version of kb/ read: by tree id, the entry files (`benefits/x.yaml`) and the id of
    their contents; "" for an entry path that is not a regular file (a link, a submodule)."""
    blobs: dict[str, bytes | None] = field(default_factory=dict)
    """File contents by id; None for a file over MAX_FILE_BYTES (its version is refused)."""
    shown_as: str = "kb"
    """kb/ as paths in issues show it."""
    shallow: frozenset[str] = frozenset()
    """Commits of a shallow clone whose parents were not fetched: their changes are unknown."""
    notes: tuple[str, ...] = ()
    """Where a bound cut the history (say so on the changelog page)."""
    unavailable: str = ""
    """Why there is no history (no git, or kb/ not in a checkout); empty when there is."""


def read_history(kb_dir: Path, shown_as: str = "kb") -> History:
    """Dates and versions of kb/ from git; empty, saying why, when kb/ is not in a checkout.

    Paths are `shown_as` (kb/ as issues show it) joined with the path inside kb/, so they
    match the entries' source paths wherever kb/ sits in the checkout.
    """
    git = shutil.which("git")
    if git is None:
        return History(
            unavailable="git is not installed: pages show no last-changed dates and the "
            "changelog is empty"
        )
    try:
        dates = _git(
            git,
            kb_dir,
            "log",
            "--no-renames",
            "--relative",
            "--format=%x00%cs",
            "--name-only",
            "--",
            ".",
        )
    except GitError:
        return History(
            unavailable=f"{shown_as}/ is not in a git checkout (no .git): pages "
            "show no last-changed dates and the changelog is empty"
        )
    last_changed = parse_log(dates.decode("utf-8", errors="replace"), shown_as)
    try:
        versions = _read_versions(git, kb_dir)
    except GitError as error:
        return History(last_changed, shown_as=shown_as, notes=(f"history not read: {error}",))
    commits, changes, trees, blobs, shallow, notes = versions
    return History(last_changed, commits, changes, trees, blobs, shown_as, shallow, notes=notes)


def parse_log(log: str, shown_as: str = "kb") -> dict[str, str]:
    """Last-change date of each entry path, from `git log --relative --name-only` output."""
    last_changed: dict[str, str] = {}
    for record in log.split("\0")[1:]:
        date, _, names = record.partition("\n")
        for name in names.splitlines():
            name = name.strip()
            if name.endswith(".yaml") and not name.startswith("schema/"):
                last_changed.setdefault(f"{shown_as}/{shown_name(name)}", date.strip())
    return last_changed


# ---------------------------------------------------------------------------------------------
# Versions of kb/


class GitError(Exception):
    """git failed or answered something unexpected."""


def _git(git: str, cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        return subprocess.run(  # noqa: S603 - git, found on PATH, with fixed arguments
            [git, *args], cwd=cwd, input=stdin, capture_output=True, check=True
        ).stdout
    except subprocess.CalledProcessError as error:
        message = error.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(visible_text(message[0] if message else f"git {args[0]} failed")) from None
    except OSError as error:
        raise GitError(f"git could not run: {error.strerror}") from None


def _read_versions(
    git: str, kb_dir: Path
) -> tuple[
    dict[str, Commit],
    tuple[str, ...],
    dict[str, dict[str, str]],
    dict[str, bytes | None],
    frozenset[str],
    tuple[str, ...],
]:
    """Commits, the changes to kb/ among them, their versions of kb/ and the files' bytes."""
    prefix = _git(git, kb_dir, "rev-parse", "--show-prefix").decode("utf-8", "surrogateescape")
    prefix = prefix.strip().rstrip("/")
    if "\n" in prefix:
        raise GitError("the path of kb/ in the checkout contains a line break")
    try:
        log = _git(
            git,
            kb_dir,
            "log",
            "--topo-order",
            f"--max-count={MAX_COMMITS}",
            "--format=%H %P%x09%cs",
            "HEAD",
        )
    except GitError:
        return {}, (), {}, {}, frozenset(), ("the checkout has no commits yet",)
    listed: list[tuple[str, tuple[str, ...], str]] = []
    for line in log.decode("ascii", "replace").splitlines():
        ids, _, date = line.partition("\t")
        commit, *parents = ids.split()
        listed.append((commit, tuple(parents), date.strip()))
    notes = []
    if len(listed) == MAX_COMMITS:
        notes.append(f"only the latest {MAX_COMMITS:,} commits were read")
    known = {c for c, _, _ in listed}
    outside = sorted({p for _, parents, _ in listed for p in parents} - known)
    names = [c for c, _, _ in listed] + outside
    spec = f":{prefix}" if prefix else "^{tree}"
    trees = dict(zip(names, _tree_ids(git, kb_dir, [n + spec for n in names]), strict=True))
    commits = {c: Commit(c, date, parents, trees[c]) for c, parents, date in listed}
    shallow = _shallow(git, kb_dir)
    changes = [c.id for c in commits.values() if changed(c, trees)]
    if len(changes) > MAX_CHANGES:
        notes.append(f"the changelog covers the latest {MAX_CHANGES} changes to kb/")
        changes = changes[:MAX_CHANGES]
    needed = [trees[c] for c in changes] + [trees[p] for c in changes for p in commits[c].parents]
    files = _read_trees(git, kb_dir, needed)
    blobs, kept = _read_blobs(git, kb_dir, changes, commits, trees, files)
    if len(kept) < len(changes):
        notes.append(
            f"the changelog covers the latest {len(kept)} changes to kb/ (the older ones hold "
            f"more than {MAX_HISTORY_BYTES // (1024 * 1024)} MiB of entry files)"
        )
    for commit, tree in trees.items():
        if commit not in commits:  # a parent outside the commits read: known by its tree only
            commits[commit] = Commit(commit, "", (), tree)
    return commits, tuple(kept), files, blobs, shallow, tuple(notes)


def changed(commit: Commit, trees: dict[str, str]) -> bool:
    """Whether a commit changed kb/.

    A commit with one parent (or none) did when its kb/ differs from its parent's; a merge only
    when its kb/ differs from every parent's: the changes it merged were made, and are
    reported, in the merged commits.
    """
    if not commit.parents:
        return commit.tree != ""
    return all(trees.get(p, "") != commit.tree for p in commit.parents)


def _tree_ids(git: str, cwd: Path, specs: list[str]) -> list[str]:
    """The id of the tree at each `commit:path` ("" where there is no tree)."""
    if not specs:
        return []
    out = _git(
        git, cwd, "cat-file", "--batch-check", stdin="".join(s + "\n" for s in specs).encode()
    )
    result = []
    for line in out.decode("ascii", "replace").splitlines():
        parts = line.split()
        result.append(parts[0] if len(parts) == 3 and parts[1] == "tree" else "")
    if len(result) != len(specs):
        raise GitError("git cat-file answered a different number of objects")
    return result


def _batch(git: str, cwd: Path, ids: Iterable[str]) -> dict[str, bytes]:
    """The raw contents of many objects in one `git cat-file --batch`."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    out = _git(git, cwd, "cat-file", "--batch", stdin="".join(i + "\n" for i in wanted).encode())
    contents: dict[str, bytes] = {}
    position = 0
    for object_id in wanted:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if len(header) != 3:  # "<id> missing"
            continue
        size = int(header[2])
        contents[object_id] = out[position : position + size]
        position += size + 1
    return contents


def _tree_entries(raw: bytes, id_bytes: int) -> list[tuple[bytes, str, str]]:
    """(mode, name, object id) of each entry of a raw git tree object."""
    entries = []
    position = 0
    while position < len(raw):
        space = raw.index(b" ", position)
        nul = raw.index(b"\0", space)
        mode = raw[position:space]
        name = raw[space + 1 : nul].decode("utf-8", "surrogateescape")
        object_id = raw[nul + 1 : nul + 1 + id_bytes].hex()
        entries.append((mode, name, object_id))
        position = nul + 1 + id_bytes
    return entries


def _read_trees(git: str, cwd: Path, tree_ids: list[str]) -> dict[str, dict[str, str]]:
    """Each kb/ tree's entry files (`folder/name`, one level down) and their contents' ids."""
    wanted = [t for t in dict.fromkeys(tree_ids) if t]
    if not wanted:
        return {"": {}}
    id_bytes = len(wanted[0]) // 2
    tops = {t: _tree_entries(raw, id_bytes) for t, raw in _batch(git, cwd, wanted).items()}
    folders = {oid for entries in tops.values() for mode, _, oid in entries if mode == _TREE_MODE}
    inside = {t: _tree_entries(raw, id_bytes) for t, raw in _batch(git, cwd, folders).items()}
    result: dict[str, dict[str, str]] = {"": {}}
    for tree, entries in tops.items():
        files: dict[str, str] = {}
        for mode, folder, folder_id in entries:
            if mode != _TREE_MODE:
                continue
            for file_mode, name, object_id in inside.get(folder_id, ()):
                if name.endswith(".yaml") and not name.startswith("."):
                    files[f"{folder}/{name}"] = object_id if file_mode in _FILE_MODES else ""
        result[tree] = files
    return result


def _read_blobs(
    git: str,
    cwd: Path,
    changes: list[str],
    commits: dict[str, Commit],
    trees: dict[str, str],
    files: dict[str, dict[str, str]],
) -> tuple[dict[str, bytes | None], list[str]]:
    """The entry files of the changes' versions, newest change first, within the byte budget."""
    every = {oid for version in files.values() for oid in version.values() if oid}
    sizes: dict[str, int] = {}
    if every:
        listing = "".join(o + "\n" for o in sorted(every)).encode()
        out = _git(git, cwd, "cat-file", "--batch-check", stdin=listing)
        for line in out.decode("ascii", "replace").splitlines():
            parts = line.split()
            if len(parts) == 3:
                sizes[parts[0]] = int(parts[2])
    chosen: set[str] = set()
    total = 0
    kept = []
    for change in changes:
        commit = commits[change]
        versions = [trees[change], *(trees[p] for p in commit.parents)]
        new = {
            oid
            for tree in versions
            for oid in files.get(tree, {}).values()
            if oid and oid not in chosen and sizes.get(oid, 0) <= MAX_FILE_BYTES
        }
        cost = sum(sizes.get(oid, 0) for oid in new)
        if total + cost > MAX_HISTORY_BYTES:
            break
        total += cost
        chosen |= new
        kept.append(change)
    blobs: dict[str, bytes | None] = dict(_batch(git, cwd, sorted(chosen)))
    for oid in every:
        if sizes.get(oid, 0) > MAX_FILE_BYTES:
            blobs[oid] = None
    return blobs, kept


def _shallow(git: str, cwd: Path) -> frozenset[str]:
    """The boundary commits of a shallow clone (their parents were not fetched)."""
    answer = _git(git, cwd, "rev-parse", "--is-shallow-repository").decode().strip()
    if answer != "true":
        return frozenset()
    path = Path(_git(git, cwd, "rev-parse", "--git-path", "shallow").decode().strip())
    if not path.is_absolute():
        path = cwd / path
    try:
        return frozenset(path.read_text(encoding="ascii", errors="replace").split())
    except OSError:
        return frozenset()
