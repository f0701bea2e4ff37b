"""The command line as a contributor meets it: exit codes, messages, no tracebacks.

Most tests call the command's `main()` in this process (conftest `run_kbsite`: same code, same
output, no interpreter start). The tests marked "process" run `python -m kbsite` for real, for
what only a process shows: its exit status and that no traceback reaches the terminal.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURE_KB, GOLDEN, REPO, run_kbsite

run = run_kbsite


def run_process(*args: str, cwd=REPO) -> subprocess.CompletedProcess[str]:
    """`python -m kbsite ARGS` in a process of its own."""
    # kbsite is installed (editable) by `make install`: no PYTHONPATH needed.
    return subprocess.run(
        [sys.executable, "-m", "kbsite", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_validate_real_kb_succeeds():
    result = run("validate")
    assert result.returncode == 0, result.stderr
    principles = len(list((REPO / "kb" / "principles").glob("*.yaml")))
    assert result.stdout.startswith(f"kb is valid: {principles} principles, ")
    # and, for each guide, how many distinct sets of recommendations its answers reach
    for guide in sorted((REPO / "kb" / "guides").glob("*.yaml")):
        line = next(
            (x for x in result.stdout.splitlines() if x.startswith(f"kb/guides/{guide.name}: ")),
            "",
        )
        assert " combinations of answers give " in line, result.stdout
        assert " distinct sets of recommendations" in line


def test_validate_reports_all_problems_without_traceback(kb_copy, tmp_path):
    kb_copy(
        {
            "benefits/faster-things.yaml": "id: faster-things\ntitel: x\n",
            "principles/beta.yaml": "id: [\n",
        }
    )
    result = run_process("validate", "--kb", "kb", cwd=tmp_path)  # process: exit status
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert (
        "kb/benefits/faster-things.yaml:1:1: expected field `title` in this benefit, found none"
    ) in lines
    assert (
        "kb/benefits/faster-things.yaml:2:1: expected a field of a benefit, found unknown "
        "field `titel`" in lines
    )
    assert lines[-1].endswith("in 2 files")


def test_build_writes_pages_and_json_then_nothing(tmp_path):
    out = tmp_path / "out"
    first = run("build", "--kb", str(FIXTURE_KB), "--out", str(out))
    assert first.returncode == 0, first.stderr
    kb = json.loads((out / "api" / "kb.json").read_text(encoding="utf-8"))
    from kbsite.registry import ENTRY_TYPES

    assert kb["counts"] == {
        t.export_name: len(list((FIXTURE_KB / t.folder).glob("*.yaml"))) for t in ENTRY_TYPES
    }
    second = run("build", "--kb", str(FIXTURE_KB), "--out", str(out))
    produced = sum(1 for p in GOLDEN.rglob("*") if p.is_file())
    assert second.stdout.strip().endswith(f": 0 written, {produced} unchanged, 0 removed")


def test_build_refuses_to_overwrite_hand_written_files(tmp_path):
    out = tmp_path / "docs"
    (out / "principles").mkdir(parents=True)
    (out / "principles" / "alpha.md").write_text("mine\n", encoding="utf-8")
    result = run("build", "--kb", str(FIXTURE_KB), "--out", str(out))
    assert result.returncode == 1
    assert "principles/alpha.md" in result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "principles" / "alpha.md").read_text(encoding="utf-8") == "mine\n"


def test_schema_check_passes_on_committed_files():
    result = run("schema", "--check")
    assert result.returncode == 0, result.stdout


def test_unknown_command_is_a_usage_error():
    result = run_process("frobnicate")  # process: argparse's exit status
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


NEW_BIB = """\
@article{sculley-2015,
  author = {Sculley, D. and M{\\"u}ller, Anna},
  title = {Hidden Technical Debt in Machine Learning Systems},
  journal = {Advances in Neural Information Processing Systems},
  year = {2015},
  pages = {2503--2511},
  abstract = {Never copied.}
}
"""


def test_import_bibtex_creates_a_valid_citation(kb_copy, tmp_path):
    kb_copy()
    (tmp_path / "new.bib").write_text(NEW_BIB, encoding="utf-8")
    result = run(
        "import-bibtex", "new.bib", "--summary", "My own summary.", "--kb", "kb", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "kb/citations/sculley-2015.yaml: written" in result.stdout
    assert "the abstract was not imported" in result.stdout
    created = (tmp_path / "kb" / "citations" / "sculley-2015.yaml").read_text(encoding="utf-8")
    assert "family: Müller" in created
    assert "pages: 2503-2511" in created
    assert "Never copied" not in created
    again = run("import-bibtex", "new.bib", "--summary", "Again.", "--kb", "kb", cwd=tmp_path)
    assert again.returncode == 1
    assert (
        "new.bib:1: expected a new citation key, found `sculley-2015`, which "
        "kb/citations/sculley-2015.yaml already uses"
    ) in again.stderr


def test_import_bibtex_imports_the_valid_entries_and_lists_the_others(kb_copy, tmp_path):
    kb_dir = kb_copy()
    before = sorted(p.name for p in (kb_dir / "citations").iterdir())
    (tmp_path / "bad.bib").write_text(
        "@misc{copy-2020,\n  author = {A, B},\n  title = {T},\n  doi = {10.1234/JOT.2020.1}\n}\n"
        "@misc{good-2021,\n  author = {C, D},\n  title = {U}\n}\n"
        "@article{broken,\n  title = {unclosed\n",
        encoding="utf-8",
    )
    result = run("import-bibtex", "bad.bib", "--summary", "S.", "--kb", "kb", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[:4] == [
        "bad.bib:1: expected a source not yet in the knowledge base, found DOI "
        "10.1234/JOT.2020.1 already in kb/citations/smith-2020.yaml",
        "    hint: cite the existing entry instead of importing it again",
        "bad.bib:10: expected a complete BibTeX entry, found one that does not parse",
        "    hint: check this entry for an unbalanced brace, quote, or a missing comma",
    ]
    assert "1 imported, 2 refused" in result.stdout
    assert sorted(p.name for p in (kb_dir / "citations").iterdir()) == sorted(
        [*before, "good-2021.yaml"]
    )


def test_export_bibtex_selects_by_principle_tag_and_id(kb_copy, tmp_path):
    kb_copy()
    by_principle = run("export-bibtex", "--kb", "kb", "--principle", "beta", cwd=tmp_path)
    assert by_principle.stdout.startswith("@article{smith-2020,")
    assert "doe-2021" not in by_principle.stdout
    by_tag = run("export-bibtex", "--kb", "kb", "--tag", "automation", cwd=tmp_path)
    assert "@misc{doe-2021," in by_tag.stdout
    assert "@article{smith-2020," in by_tag.stdout
    by_id = run("export-bibtex", "--kb", "kb", "--ids", "doe-2021", "--out", "x.bib", cwd=tmp_path)
    assert by_id.stdout.strip() == "x.bib: 1 entries"
    assert (tmp_path / "x.bib").read_text(encoding="utf-8").startswith("@misc{doe-2021,")
    unknown = run("export-bibtex", "--kb", "kb", "--principle", "gamma", cwd=tmp_path)
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "error: expected the id of a principle, found `gamma`"


def test_github_format_annotates_the_offending_lines(kb_copy, tmp_path):
    kb_copy({"benefits/faster-things.yaml": "id: faster-things\ntitel: x\n"})
    result = run("validate", "--kb", "kb", "--format", "github", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "::error file=kb/benefits/faster-things.yaml,line=2,col=1::expected a field of a "
        "benefit, found unknown field `titel` (hint: did you mean `title`?)"
    ) in (result.stdout.splitlines())


def test_new_scaffolds_a_valid_entry_and_refuses_bad_ids(kb_copy, tmp_path):
    kb_copy()
    answers = [
        "--set",
        "title=Quicker things",
        "--set",
        "summary=Things get quicker.",
        "--set",
        "principles=beta",
        "--set",
        "outcomes=speed",
        "--set",
        "citation=doe-2021",
        "--set",
        "locator=page 3",
        "--set",
        "finding=Respondents said things got quicker.",
    ]
    made = run(
        "new", "benefit", "quicker-things", "--kb", "kb", "--no-input", *answers, cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("kb/benefits/quicker-things.yaml: created")
    text = (tmp_path / "kb" / "benefits" / "quicker-things.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schema/benefit.schema.json\n")
    assert run("validate", "--kb", "kb", cwd=tmp_path).returncode == 0
    again = run(
        "new", "benefit", "quicker-things", "--kb", "kb", "--no-input", *answers, cwd=tmp_path
    )
    assert again.returncode == 1
    assert (
        "error: expected a new id, found `quicker-things`, which an entry already uses"
        in again.stderr
    )
    bad = run(
        "new", "benefit", "Quicker_Things", "--kb", "kb", "--no-input", *answers, cwd=tmp_path
    )
    assert "error: expected a kebab-case id, found `Quicker_Things`; try `quicker-things`" in (
        bad.stderr
    )
    retired = run(
        "new", "benefit", "slower-things", "--kb", "kb", "--no-input", "--set", "study=survey"
    )
    assert retired.returncode == 1
    assert retired.stderr.startswith(
        "error: expected fields of a benefit (title, summary, principles, outcomes, citation, "
        "locator, link, finding), found `study`\n    hint: the study's design now comes from "
        "kb/studies/<id>.yaml"
    )


def test_workflows_pass_actionlint():
    workflows = sorted(str(p) for p in (REPO / ".github" / "workflows").glob("*.yml"))
    actionlint = Path(sys.executable).parent / "actionlint"
    result = subprocess.run(
        [str(actionlint), *workflows], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
