"""The command line as a contributor meets it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import FIXTURE_KB, GOLDEN, REPO


def run(*args: str, cwd=REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "scripts")}
    return subprocess.run([sys.executable, "-m", "kbsite", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


def test_validate_real_kb_succeeds():
    result = run("validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("kb is valid: 9 principles, ")


def test_validate_reports_all_problems_without_traceback(kb_copy, tmp_path):
    kb_copy({"benefits/faster-things.yaml": "id: faster-things\ntitel: x\n",
             "principles/beta.yaml": "id: [\n"})
    result = run("validate", "--kb", "kb", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert ("kb/benefits/faster-things.yaml:1:1: expected field `title` in this benefit, "
            "found none") in lines
    assert "kb/benefits/faster-things.yaml:2:1: expected a field of a benefit, found unknown "\
           "field `titel`" in lines
    assert lines[-1].endswith("in 2 files")


def test_build_writes_pages_and_json_then_nothing(tmp_path):
    out = tmp_path / "out"
    first = run("build", "--kb", str(FIXTURE_KB), "--out", str(out))
    assert first.returncode == 0, first.stderr
    kb = json.loads((out / "api" / "kb.json").read_text(encoding="utf-8"))
    assert kb["counts"] == {"principles": 2, "benefits": 1, "limitations": 1, "citations": 2,
                            "questions": 1}
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
    result = run("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
