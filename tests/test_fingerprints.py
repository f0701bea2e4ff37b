"""scripts/fingerprint_sources.py: the maintainer's tool that keeps source texts out of the
repository while the copied-sentence check still runs everywhere."""

from __future__ import annotations

import subprocess
import sys

from fingerprint_sources import (
    FINGERPRINTS,
    copied_runs,
    format_fingerprints,
    read_fingerprints,
    shingle_hashes,
    words,
)

from conftest import REPO

SCRIPT = REPO / "scripts" / "fingerprint_sources.py"
PAPER = """\
Rolling Back Models in Practice

Abstract. We interviewed twelve engineers about how their teams return a deployed model to
an earlier version when a release misbehaves; most described a manual proce-
dure that took hours.
"""


def fingerprint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_committed_file_is_in_canonical_form():
    text = FINGERPRINTS.read_text(encoding="utf-8")
    assert format_fingerprints(read_fingerprints(FINGERPRINTS)) == text
    assert "[source " in text


def test_normalisation_ignores_case_punctuation_spacing_and_line_end_hyphens():
    assert words("Manual PROCE-\n  dure, took\thours!") == ["manual", "procedure", "took", "hours"]
    assert words("ML-DevOps’ “Größe”") == ["ml", "devops", "grösse"]
    assert shingle_hashes("one two three four five six seven") == set()


def test_added_source_catches_a_copied_sentence_and_not_a_paraphrase(tmp_path):
    paper = tmp_path / "paper.txt"
    paper.write_text(PAPER, encoding="utf-8")
    out = tmp_path / "fingerprints.txt"
    result = fingerprint("--add", "rollback-2026", str(paper), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("rollback-2026: ")
    stored = out.read_text(encoding="utf-8")
    assert "engineers" not in stored  # hashes only, never the words
    sources = read_fingerprints(out)
    copied = (
        "Teams told us: most described a MANUAL procedure that took hours, "
        "so they wanted better tools."
    )
    assert copied_runs(copied, sources) == [
        ("rollback-2026", "most described a manual procedure that took hours")
    ]
    paraphrase = (
        "Most of the engineers said that going back to an earlier model was done by "
        "hand and could take hours."
    )
    assert copied_runs(paraphrase, sources) == []


def test_adding_replaces_that_source_only_and_removing_drops_it(tmp_path):
    out = tmp_path / "fingerprints.txt"
    first, second = tmp_path / "first-2020.txt", tmp_path / "second.txt"
    first.write_text(PAPER, encoding="utf-8")
    second.write_text(
        "an entirely different text that has more than eight words in it", encoding="utf-8"
    )
    assert (
        fingerprint(str(first), "--add", "second-2021", str(second), "--out", str(out)).returncode
        == 0
    )
    assert sorted(read_fingerprints(out)) == ["first-2020", "second-2021"]
    second.write_text(
        "the second text was revised and now says something else entirely", encoding="utf-8"
    )
    replaced = fingerprint("--add", "second-2021", str(second), "--out", str(out))
    assert "(replaced)" in replaced.stdout
    sources = read_fingerprints(out)
    assert sources["second-2021"] == shingle_hashes(second.read_text(encoding="utf-8"))
    assert sources["first-2020"] == shingle_hashes(PAPER)
    removed = fingerprint("--remove", "first-2020", "--out", str(out))
    assert removed.stdout.strip() == "first-2020: removed"
    assert sorted(read_fingerprints(out)) == ["second-2021"]
    assert fingerprint("--list", "--out", str(out)).stdout.startswith("second-2021: ")


def test_bad_input_is_a_clear_error_and_changes_nothing(tmp_path):
    out = tmp_path / "fingerprints.txt"
    short = tmp_path / "short.txt"
    short.write_text("too short to fingerprint", encoding="utf-8")
    result = fingerprint("--add", "short", str(short), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {short}: expected at least 8 words, found 4"
    bad_name = fingerprint("--add", "Not_Kebab", str(short), "--out", str(out))
    assert bad_name.returncode == 1
    assert "expected a kebab-case source name" in bad_name.stderr
    missing = fingerprint("--add", "gone", str(tmp_path / "gone.txt"), "--out", str(out))
    assert missing.returncode == 1
    assert "Traceback" not in missing.stderr + bad_name.stderr + result.stderr
    assert not out.exists()
    out.write_text("[source x]\nnot a hash\n", encoding="utf-8")
    broken = fingerprint("--list", "--out", str(out))
    assert broken.returncode == 1
    assert broken.stderr.strip() == (
        f"error: {out}:2: expected `[source NAME]` or a 16-digit hex hash, found `not a hash`"
    )
