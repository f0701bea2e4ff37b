"""`new` checks each answer as it is given, names --set without a terminal, and refuses
references to entries that do not exist."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from kbsite import check_kb, cli
from kbsite.load import load_kb
from kbsite.model import Citation, Study
from kbsite.scaffold import PROMPTS, check_answer, scaffold
from kbsite.vocabulary import BIBTEX_TYPES

from conftest import run_kbsite

KNOWN = {
    "citation": frozenset({"doe-2021"}),
    "principle": frozenset({"alpha", "beta"}),
    "outcome": frozenset({"speed", "effort"}),
}


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
        "outcomes": "speed",
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
    assert (
        "give each with --set summary=VALUE --set outcomes=VALUE --set citation=VALUE"
        in result.stderr
    )
    assert "Traceback" not in result.stderr


BASE_CITATION = {
    "role": "related",
    "title": "A study",
    "authors": "Doe, Jane; Roe, Richard",
    "summary": "What the study found, in our words.",
}
ENTRY_TYPE_NAMES = BIBTEX_TYPES.names


def _required_by_model(entry_type: str) -> list[str]:
    """What the citation model itself requires for this entry type (not listed again here)."""
    return [
        name
        for rule in Citation.requirements
        if rule.when_field == "entry_type" and rule.when_value == entry_type
        for name in rule.required
    ]


def _new_citation(monkeypatch, folder, entry_id, answers, *extra):
    monkeypatch.chdir(folder)
    options = [f"--set={name}={value}" for name, value in answers.items()]
    return cli.main(["new", "citation", entry_id, "--kb", "kb", "--no-input", *options, *extra])


@pytest.mark.parametrize("entry_type", ENTRY_TYPE_NAMES)
def test_new_citation_of_each_entry_type_takes_its_required_fields_by_set(
    entry_type, kb_copy, tmp_path, monkeypatch, capsys
):
    kb_copy()
    required = _required_by_model(entry_type)
    answers = {**BASE_CITATION, "entry_type": entry_type}
    if required:  # without them: refused, naming each --set
        assert _new_citation(monkeypatch, tmp_path, "doe-2020", answers) == 1
        err = capsys.readouterr().err
        assert "give each with --set " in err
        for name in required:
            assert f"`{name}`" in err
            assert f"--set {name}=VALUE" in err
        assert not (tmp_path / "kb" / "citations" / "doe-2020.yaml").exists()
    values = {name: "2020" if name == "year" else f"The {name}" for name in required}
    assert _new_citation(monkeypatch, tmp_path, "doe-2020", {**answers, **values}) == 0
    loaded = load_kb(tmp_path / "kb", tmp_path)
    path = "kb/citations/doe-2020.yaml"
    assert [str(i) for i in loaded.issues if i.path == path] == []
    [citation] = [c for c in loaded.kb.citations if c.id == "doe-2020"]
    assert citation.entry_type == entry_type
    for name in required:
        expected = 2020 if name == "year" else f"The {name}"
        assert getattr(citation, name) == expected, name


def test_an_unknown_set_field_names_the_fields_a_citation_takes(
    kb_copy, tmp_path, monkeypatch, capsys
):
    kb_copy()
    answers = {**BASE_CITATION, "entry_type": "article", "jornal": "J"}
    assert _new_citation(monkeypatch, tmp_path, "doe-2020", answers) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: expected fields of a citation (role, entry_type, ")
    assert "journal" in err
    assert err.rstrip().endswith("found `jornal`")


def test_interactive_new_asks_for_what_the_entry_type_requires(kb_copy, tmp_path, monkeypatch):
    kb_copy()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    answers = {
        "role": "related",
        "entry_type": "phdthesis",
        "title": "A thesis",
        "authors": "Doe, Jane",
        "year": "2020",
        "summary": "What it found.",
        "school": "University of Somewhere",
    }
    asked = []

    def answer(question: str) -> str:
        name = next(n for n, p in questions.items() if question.startswith(p))
        asked.append(name)
        return answers[name]

    questions = {p.name: p.question for p in PROMPTS["citation"]}
    questions["school"] = Citation.model_fields["school"].description.rstrip(".")
    monkeypatch.setattr("builtins.input", answer)
    assert cli.main(["new", "citation", "doe-2020", "--kb", "kb"]) == 0
    base = [p.name for p in PROMPTS["citation"]]
    assert asked == base + [n for n in _required_by_model("phdthesis") if n not in base]
    text = (tmp_path / "kb" / "citations" / "doe-2020.yaml").read_text(encoding="utf-8")
    assert "school: University of Somewhere" in text


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
    # The refusal needs no process of its own (stdin is no terminal under pytest either).
    answers = [f"{k}={v}" for k, v in {**STUDY, "reports": taken.reports[0]}.items()]
    result = run_kbsite(*common[3:], *(arg for a in answers for arg in ("--set", a)), cwd=tmp_path)
    assert result.returncode == 1
    assert (
        f"error: reports: expected citations no study reports yet, found `{taken.reports[0]}`, "
        f"which kb/studies/{taken.id}.yaml reports"
    ) in result.stderr
    assert not (kb_dir / "studies" / "again-study.yaml").exists()
    assert "Traceback" not in result.stderr


def test_a_finding_names_existing_outcome_groups():
    assert check_answer("benefit", "outcomes", "", KNOWN) == "expected a value, found none"
    assert check_answer("benefit", "outcomes", "speed, effort", KNOWN) == ""
    assert check_answer("limitation", "outcomes", "speed, sped", KNOWN) == (
        "expected the id of an existing outcome group, found `sped` (see kb/outcomes/)"
    )


def test_new_outcome_scaffolds_a_valid_outcome_group(kb_copy, tmp_path, monkeypatch, capsys):
    kb_copy()
    monkeypatch.chdir(tmp_path)
    options = [
        "--set=title=Security",
        "--set=summary=Keeping models and data safe.",
        "--set=order=9",
    ]
    assert cli.main(["new", "outcome", "security", "--kb", "kb", "--no-input", *options]) == 0
    assert capsys.readouterr().out.startswith("kb/outcomes/security.yaml: created")
    loaded = load_kb(tmp_path / "kb", tmp_path)
    assert [str(i) for i in loaded.issues] == []
    [outcome] = [o for o in loaded.kb.outcomes if o.id == "security"]
    assert (outcome.title, outcome.order) == ("Security", 9)
    assert check_answer("outcome", "order", "ninth", KNOWN) == (
        "expected a whole number such as 7, found `ninth`"
    )
