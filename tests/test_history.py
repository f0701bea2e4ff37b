"""Git history: dates belong to the right entries, and the changelog (entries added, changed,
removed, findings re-rated) derives from the commits, whatever git holds; absent, it says so."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from kbsite import KBError, build_site, check_kb, confidence, history
from kbsite.changelog import build_changelog
from kbsite.history import read_history
from kbsite.links import CHANGELOG_PAGE
from kbsite.ratings import evaluate

from conftest import FIXTURE_KB


def _git(cwd: Path, *args: str, date: str = "2024-05-06") -> None:
    moment = f"{date}T12:00:00Z"
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "T",
            "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "T",
            "GIT_COMMITTER_EMAIL": "t@example.org",
            "GIT_AUTHOR_DATE": moment,
            "GIT_COMMITTER_DATE": moment,
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(cwd),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        },
    )


def _commit(repo: Path, message: str, date: str) -> None:
    _git(repo, "add", "-A", date=date)
    _git(repo, "commit", "-q", "--allow-empty", "-m", message, date=date)


def test_dates_match_entries_when_the_site_is_below_the_top_of_the_checkout(tmp_path):
    project = tmp_path / "checkout" / "docs-site"
    shutil.copytree(FIXTURE_KB, project / "kb")
    _git(tmp_path / "checkout", "init", "-q")
    _commit(tmp_path / "checkout", "Add entries", "2024-05-06")
    site = build_site(project / "kb", project)
    sources = {e.source.path for e in site.graph.kb.all_entries()}
    found = read_history(project / "kb", "kb")
    assert set(found.last_changed) == sources
    assert set(found.last_changed.values()) == {"2024-05-06"}
    assert site.notes == ()
    exported = site.assets["api/kb.json"]
    assert '"last_changed": "2024-05-06"' in exported
    # The first commit added every entry, and the changelog links each one to its page.
    page = site.pages[CHANGELOG_PAGE]
    assert "## May 2024" in page
    assert "### 6 May 2024" in page
    for entry in site.graph.kb.principles:
        assert f"](../principles/{entry.id}.md)" in page


def test_a_build_outside_a_checkout_says_once_that_history_is_unavailable(tmp_path):
    shutil.copytree(FIXTURE_KB, tmp_path / "kb")
    site = build_site(tmp_path / "kb", tmp_path)
    assert len(site.notes) == 1
    assert "not in a git checkout" in site.notes[0]
    assert '"last_changed": null' in site.assets["api/kb.json"]
    page = site.pages[CHANGELOG_PAGE]
    assert page.count("History unavailable") == 1
    assert page.count("not in a git checkout") == 1


# --- ratings over time ------------------------------------------------------------------------

B = "benefits/faster-things.yaml"
L = "limitations/more-effort.yaml"
OLD_STYLE = {  # the fixture as an earlier schema wrote it: evidence with its own `study:`
    B: (FIXTURE_KB / B)
    .read_text(encoding="utf-8")
    .replace("    locator: abstract\n", "    locator: abstract\n    study: [survey]\n"),
    L: (FIXTURE_KB / L)
    .read_text(encoding="utf-8")
    .replace("    locator: abstract\n", "    locator: abstract\n    study: [survey]\n"),
}
SECOND_STUDY = (
    "  - citation: smith-2020\n    locator: page 5\n    link: cross-cutting\n"
    "    finding: Interviewees found the first months costly.\n"
)
TENSION = (
    "tensions:\n  - finding: more-effort\n"
    "    note: The survey asked about speed and the interviews about cost.\n"
)


def _steps(kb: Path) -> list[tuple[str, str, dict[str, str | None]]]:
    """Commits that change evidence: (date, message, files to write or delete)."""
    studies = {
        f"studies/{p.name}": p.read_text(encoding="utf-8")
        for p in (FIXTURE_KB / "studies").iterdir()
    }
    return [
        ("2024-04-30", "Entries before studies were entries", {"studies": None, **OLD_STYLE}),
        ("2024-05-06", "Studies as entries", studies),
        ("2024-05-06", "A second study for the effort", {L: OLD_STYLE[L] + SECOND_STUDY}),
        ("2024-06-01", "Speed and effort pull apart", {B: OLD_STYLE[B] + TENSION}),
        ("2024-06-02", "Question answered", {"questions/beta-evidence.yaml": None}),
        (
            "2024-06-02",
            "Evidence items lose study:",
            {
                B: (FIXTURE_KB / B).read_text(encoding="utf-8") + TENSION,
                L: (FIXTURE_KB / L).read_text(encoding="utf-8") + SECOND_STUDY,
            },
        ),
    ]


def _ratings_as_today(kb: Path, scratch: Path) -> dict[str, confidence.Rating] | None:
    """The ratings of a version as it means today (the retired `study:` lines dropped), or
    None when it does not validate even so: the expectation, worked out without git."""
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(kb, scratch)
    for path in scratch.rglob("*.yaml"):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(x for x in lines if not x.startswith("    study: [")), "utf-8")
    try:
        return evaluate(check_kb(scratch, scratch.parent)).ratings
    except KBError:
        return None


def _apply(kb: Path, files: dict[str, str | None]) -> None:
    for name, text in files.items():
        path = kb / name
        if text is None:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


@pytest.fixture
def evidence_repo(tmp_path):
    """A repository whose commits change evidence, with the ratings of each valid version."""
    repo = tmp_path / "repo"
    kb = repo / "kb"
    shutil.copytree(FIXTURE_KB, kb)
    _git(repo, "init", "-q")
    rated = []  # (date, ratings) of each commit whose kb/ validates today
    for date, message, files in _steps(kb):
        _apply(kb, files)
        _commit(repo, message, date)
        rated.append((date, _ratings_as_today(kb, tmp_path / "scratch" / "kb")))
    return repo, kb, rated


def test_changelog_re_ratings_derive_from_the_commits(evidence_repo):
    repo, kb, rated = evidence_repo
    site = build_site(kb, repo)
    log = build_changelog(read_history(kb), site.graph.kb)
    expected: dict[str, list[tuple[str, confidence.Level, confidence.Level]]] = {}
    previous = None
    for date, ratings in rated:
        if ratings is not None and previous is not None:
            for change in confidence.diff_ratings(previous, ratings):
                if change.old is not None and change.new is not None:
                    expected.setdefault(date, []).append((change.finding, change.old, change.new))
        previous = ratings if ratings is not None else previous
    assert len(expected) >= 2, "the steps must move at least two ratings on different days"
    found = {
        day.date: [(r.finding.entry_id, r.change.old, r.change.new) for r in day.reratings]
        for month in log.months
        for day in month.days
        if day.reratings
    }
    assert found == {date: sorted(changes) for date, changes in expected.items()}
    for month in log.months:
        for day in month.days:
            for rerating in day.reratings:
                assert rerating.change.reasons, "every re-rating says why"
    # The page says it in words, with each finding linked to its page.
    page = site.pages[CHANGELOG_PAGE]
    for changes in expected.values():
        for finding, old, new in changes:
            entry = next(f for f in site.graph.kb.findings if f.id == finding)
            line = next(x for x in page.splitlines() if f"/{finding}.md)" in x and "Re-rated" in x)
            assert f"](../{entry.type}s/{finding}.md)" in line
            assert f"{'rose' if new.rank > old.rank else 'fell'} from <span" in line
            assert f"</span> {old.value} to <span" in line
            assert f"</span> {new.value} confidence. Why: " in line
    # The JSON export carries the same history, valid against its schema.
    exported = json.loads(site.assets["api/kb.json"])
    jsonschema.validate(exported, json.loads(site.assets["api/kb.schema.json"]))
    assert sorted(
        (r["date"], r["finding"], r["old"], r["new"]) for r in exported["confidence"]["history"]
    ) == sorted(
        (date, finding, old.value, new.value)
        for date, changes in expected.items()
        for finding, old, new in changes
    )
    # The second study's arrival is named as the reason for the effort's re-rating.
    (effort,) = [
        r
        for m in log.months
        for d in m.days
        for r in d.reratings
        if r.finding.entry_id == "more-effort"
    ]
    assert effort.change.studies_added == ("smith-2020-study",)
    assert "[Interviews defining the test principles](../studies/smith-2020-study.md)" in page


def test_versions_that_do_not_validate_today_are_skipped_and_said(evidence_repo):
    repo, kb, rated = evidence_repo
    log = build_changelog(read_history(kb), check_kb(kb, repo))
    unrated = tuple(date for date, ratings in rated if ratings is None)
    assert log.unrated == unrated
    assert log.rated_from == "6 May 2024"  # the first commit whose kb/ validates today
    assert "to be a report of a study" in log.unrated_example
    page = build_site(kb, repo).pages[CHANGELOG_PAGE]
    assert "Confidence ratings are compared from 6 May 2024 on" in page
    assert "1 version of the knowledge base, committed on 30 April 2024, does not validate" in page


def test_entries_added_changed_and_removed_are_grouped_by_day_and_month(evidence_repo):
    repo, kb, _ = evidence_repo
    log = build_changelog(read_history(kb), check_kb(kb, repo))
    assert [m.label for m in log.months] == ["June 2024", "May 2024", "April 2024"]
    days = {d.date: d for m in log.months for d in m.days}
    assert list(days) == sorted(days, reverse=True)
    groups = {
        date: {(g.action, g.type_name): [c.entry.entry_id for c in g.changes] for g in d.groups}
        for date, d in days.items()
    }
    assert groups["2024-04-30"][("added", "principle")] == ["alpha", "beta"]
    assert set(groups["2024-05-06"][("added", "study")]) == {
        p.stem for p in (FIXTURE_KB / "studies").iterdir()
    }
    assert groups["2024-05-06"][("changed", "limitation")] == ["more-effort"]
    (removed,) = [g for g in days["2024-06-02"].groups if g.action == "removed"]
    assert [(c.entry.entry_id, c.entry.current) for c in removed.changes] == [
        ("beta-evidence", None)
    ]
    # Dropping the retired `study:` is no change to the entry; the tension the same day was.
    changed = {(g.action, g.type_name): g for g in days["2024-06-01"].groups}
    assert changed[("changed", "benefit")].changes[0].fields == ("tensions",)
    assert ("changed", "benefit") not in {
        (g.action, g.type_name) for g in days["2024-06-02"].groups
    }
    page = build_site(kb, repo).pages[CHANGELOG_PAGE]
    assert "- **Removed** 1 open question: What do practitioners report for beta?\n" in page
    assert page.index("## June 2024") < page.index("## May 2024") < page.index("## April 2024")
    assert "Question answered" not in page  # readers see what changed, not commit messages


def test_a_merge_reports_only_what_it_did_not_merge(tmp_path):
    repo = tmp_path / "repo"
    kb = repo / "kb"
    shutil.copytree(FIXTURE_KB, kb)
    _git(repo, "init", "-q", "-b", "main")
    _commit(repo, "Start", "2024-05-01")
    _git(repo, "checkout", "-q", "-b", "side")
    _apply(kb, {L: (FIXTURE_KB / L).read_text() + SECOND_STUDY})
    _commit(repo, "Second study", "2024-05-02")
    _git(repo, "checkout", "-q", "main")
    _apply(kb, {"questions/beta-evidence.yaml": None})
    _commit(repo, "Question answered", "2024-05-03")
    _git(repo, "merge", "-q", "--no-ff", "-m", "Merge side", "side", date="2024-05-04")
    log = build_changelog(read_history(kb), check_kb(kb, repo))
    days = {d.date: d for m in log.months for d in m.days}
    assert "2024-05-04" not in days  # the merge changed nothing its parents had not
    assert [r.finding.entry_id for r in days["2024-05-02"].reratings] == ["more-effort"]


def test_a_shallow_clone_does_not_claim_its_first_commit_added_everything(evidence_repo, tmp_path):
    repo, _, _ = evidence_repo
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", "--depth=3", f"file://{repo}", str(clone))
    log = build_changelog(read_history(clone / "kb"), check_kb(clone / "kb", clone))
    added = [g for m in log.months for d in m.days for g in d.groups if g.action == "added"]
    assert added == []
    assert [d.date for m in log.months for d in m.days] == ["2024-06-02"]


def test_bounds_cut_the_history_and_say_so(evidence_repo, monkeypatch):
    repo, kb, _ = evidence_repo
    monkeypatch.setattr(history, "MAX_CHANGES", 2)
    found = read_history(kb)
    assert len(found.changes) == 2
    assert found.notes == ("the changelog covers the latest 2 changes to kb/",)
    page = build_site(kb, repo).pages[CHANGELOG_PAGE]
    assert "*Note:* the changelog covers the latest 2 changes to kb/." in page


def test_hostile_versions_in_history_are_skipped_without_a_crash(tmp_path):
    repo = tmp_path / "repo"
    kb = repo / "kb"
    shutil.copytree(FIXTURE_KB, kb)
    _git(repo, "init", "-q")
    _commit(repo, "Start", "2024-05-01")
    (kb / B).write_text("id: faster-things\ntitle: [unclosed\n", encoding="utf-8")
    (kb / "benefits" / "link.yaml").symlink_to("/etc/passwd")
    (kb / "benefits" / "huge.yaml").write_bytes(b"x" * (300 * 1024))
    (kb / "benefits" / "bad-bytes.yaml").write_bytes(b"id: bad-bytes\ntitle: \xff\n")
    _commit(repo, "Broken", "2024-05-02")
    for name in ("link.yaml", "huge.yaml", "bad-bytes.yaml"):
        (kb / "benefits" / name).unlink()
    shutil.copy(FIXTURE_KB / B, kb / B)
    _commit(repo, "Fixed", "2024-05-03")
    site = build_site(kb, repo)
    log = build_changelog(read_history(kb), site.graph.kb)
    assert log.unrated == ("2024-05-02",)
    days = {d.date: d for m in log.months for d in m.days}
    added = {
        c.entry.entry_id
        for g in days["2024-05-02"].groups
        for c in g.changes
        if g.action == "added"
    }
    assert added == {"link", "huge", "bad-bytes"}
    assert "History unavailable" not in site.pages[CHANGELOG_PAGE]
