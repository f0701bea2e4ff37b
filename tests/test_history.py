"""Git dates belong to the right entries wherever kb/ sits in the checkout, or are said absent."""

from __future__ import annotations

import shutil
import subprocess

from kbsite import build_site
from kbsite.history import read_history

from conftest import FIXTURE_KB


def _git(cwd, *args):
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
            "GIT_AUTHOR_DATE": "2024-05-06T12:00:00Z",
            "GIT_COMMITTER_DATE": "2024-05-06T12:00:00Z",
            "PATH": "/usr/bin:/bin",
        },
    )


def test_dates_match_entries_when_the_site_is_below_the_top_of_the_checkout(tmp_path):
    project = tmp_path / "checkout" / "docs-site"
    shutil.copytree(FIXTURE_KB, project / "kb")
    _git(tmp_path / "checkout", "init", "-q")
    _git(tmp_path / "checkout", "add", "-A")
    _git(tmp_path / "checkout", "commit", "-q", "-m", "Add entries")
    site = build_site(project / "kb", project)
    sources = {e.source.path for e in site.graph.kb.all_entries()}
    history = read_history(project / "kb", "kb")
    assert set(history.last_changed) == sources
    assert set(history.last_changed.values()) == {"2024-05-06"}
    assert site.notes == ()
    exported = site.assets["api/kb.json"]
    assert '"last_changed": "2024-05-06"' in exported


def test_a_build_outside_a_checkout_says_once_that_history_is_unavailable(tmp_path):
    shutil.copytree(FIXTURE_KB, tmp_path / "kb")
    site = build_site(tmp_path / "kb", tmp_path)
    assert len(site.notes) == 1
    assert "not in a git checkout" in site.notes[0]
    assert '"last_changed": null' in site.assets["api/kb.json"]
