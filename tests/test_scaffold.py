"""`new` checks each answer as it is given, names --set without a terminal, and refuses
references to entries that do not exist."""

from __future__ import annotations

import subprocess
import sys

from kbsite.scaffold import check_answer, scaffold

KNOWN = {"citation": frozenset({"doe-2021"}), "principle": frozenset({"alpha", "beta"})}


def test_each_answer_is_checked_on_its_own():
    assert check_answer("benefit", "title", "", KNOWN) == "expected a value, found none"
    assert check_answer("benefit", "citation", "nobody-1999", KNOWN) == (
        "expected the id of an existing citation, found `nobody-1999` (see kb/citations/)"
    )
    assert check_answer("benefit", "citation", "doe-2021", KNOWN) == ""
    assert check_answer("benefit", "principles", "alpha, gamma", KNOWN).startswith(
        "expected the id of an existing principle, found `gamma`"
    )
    assert check_answer("benefit", "principles", "", KNOWN) == ""  # optional
    assert check_answer("benefit", "study", "survey", KNOWN) == ""
    assert "survey" in check_answer("benefit", "study", "surveys", KNOWN)  # did you mean
    assert check_answer("citation", "year", "twenty", KNOWN) == (
        "expected a year such as 2024, found `twenty`"
    )
    assert check_answer("citation", "entry_type", "journal", KNOWN) != ""
    assert check_answer("citation", "authors", "Doe, J; ; Roe, R", KNOWN) != ""
    assert check_answer("citation", "authors", "Doe, Jane; Roe, Richard", KNOWN) == ""


def test_scaffold_refuses_references_to_missing_entries():
    answers = {
        "title": "T",
        "summary": "S.",
        "principles": "alpha",
        "citation": "ghost-2020",
        "locator": "p. 3",
        "study": "survey",
        "finding": "F.",
    }
    text, problems = scaffold("benefit", "new-thing", answers, set(), KNOWN)
    assert text == ""
    assert problems == [
        "citation: expected the id of an existing citation, found `ghost-2020` (see kb/citations/)"
    ]


def test_without_a_terminal_the_message_names_set(kb_copy, tmp_path):
    kb_copy()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kbsite",
            "new",
            "benefit",
            "quicker-things",
            "--kb",
            "kb",
            "--set",
            "title=Quicker things",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 1
    assert "give each with --set summary=VALUE --set citation=VALUE" in result.stderr
    assert "Traceback" not in result.stderr
