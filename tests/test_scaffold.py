"""`new` checks each answer as it is given, names --set without a terminal, and refuses
references to entries that do not exist."""

from __future__ import annotations

import subprocess
import sys

import yaml

from kbsite import check_kb
from kbsite.model import Study
from kbsite.scaffold import PROMPTS, check_answer, scaffold

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


STUDY = {
    "title": "Interviews with test engineers",
    "design": "interviews",
    "kind": "primary",
    "population": "Test engineers",
    "sample_size": "12",
    "sample_unit": "engineers",
    "peer_reviewed": "yes",
    "reports": "doe-2021",
    "locator": "abstract",
}


def test_a_benefit_no_longer_asks_for_the_kind_of_study():
    for type_name in ("benefit", "limitation"):
        assert "study" not in {p.name for p in PROMPTS[type_name]}


def test_each_study_answer_is_checked_when_given():
    assert check_answer("study", "design", "interviews", KNOWN) == ""
    assert "did you mean `interviews`?" in check_answer("study", "design", "interview", KNOWN)
    assert check_answer("study", "kind", "tertiary", KNOWN).startswith("expected one of `primary`")
    assert check_answer("study", "peer_reviewed", "maybe", KNOWN) == (
        "expected yes or no, found `maybe`"
    )
    assert check_answer("study", "peer_reviewed", "No", KNOWN) == ""
    assert check_answer("study", "sample_size", "ten", KNOWN) == (
        "expected a whole number such as 18, found `ten`"
    )
    assert check_answer("study", "sample_size", "0", KNOWN).startswith(
        "expected a number of at least 1"
    )
    assert check_answer("study", "sample_size", "", KNOWN) == ""  # optional
    assert check_answer("study", "reports", "doe-2021, ghost-2020", KNOWN) == (
        "expected the id of an existing citation, found `ghost-2020` (see kb/citations/)"
    )
    assert check_answer("study", "reports", "doe-2021", KNOWN, {"doe-2021": "doe-study"}) == (
        "expected citations no study reports yet, found `doe-2021`, which "
        "kb/studies/doe-study.yaml reports (a publication belongs to one study; if this is the "
        "same study, add your other citations to that file's `reports`)"
    )
    assert check_answer("study", "title", "", KNOWN) == "expected a value, found none"


def test_a_scaffolded_study_is_a_valid_study_entry():
    text, problems = scaffold("study", "doe-2021-interviews", STUDY, set(), KNOWN)
    assert problems == []
    assert text.startswith("# yaml-language-server: $schema=../schema/study.schema.json\n")
    data = yaml.safe_load(text)
    assert data["peer_reviewed"] is True
    assert data["sample_size"] == 12
    assert data["reports"] == ["doe-2021"]
    assert "setting" not in data  # optional answers left empty are left out
    Study.model_validate(data)


def test_new_study_without_a_terminal_names_set_and_refuses_a_taken_report(kb_copy, tmp_path):
    kb_dir = kb_copy()
    taken = check_kb(kb_dir, tmp_path).studies[0]
    common = [sys.executable, "-m", "kbsite", "new", "study", "again-study", "--kb", "kb"]
    run = {"cwd": tmp_path, "capture_output": True, "text": True, "stdin": subprocess.DEVNULL}
    result = subprocess.run([*common, "--set", "title=Again"], check=False, **run)
    assert result.returncode == 1
    assert "give each with --set design=VALUE --set kind=VALUE" in result.stderr
    answers = [f"{k}={v}" for k, v in {**STUDY, "reports": taken.reports[0]}.items()]
    result = subprocess.run(
        [*common, *(arg for a in answers for arg in ("--set", a))], check=False, **run
    )
    assert result.returncode == 1
    assert (
        f"error: reports: expected citations no study reports yet, found `{taken.reports[0]}`, "
        f"which kb/studies/{taken.id}.yaml reports"
    ) in result.stderr
    assert not (kb_dir / "studies" / "again-study.yaml").exists()
    assert "Traceback" not in result.stderr
