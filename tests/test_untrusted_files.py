"""Everything under kb/ is data from a stranger: hostile files are refused by path and reason.

Each case is a file a pull request could carry. The exact report is asserted. Where a hang,
a memory blow-up or a crash is what could go wrong, the command line is run in a subprocess
with a timeout, so it fails the test instead of the test run; elsewhere its `main()` runs in
this process (conftest `run_kbsite`), where an uncaught exception fails the test as well.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from kbsite.errors import KBError
from kbsite.history import parse_log, read_history
from kbsite.limits import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_LIST_ITEMS,
    MAX_NODES,
    MAX_PROBLEMS_PER_FILE,
)
from kbsite.links import CHANGELOG_PAGE
from kbsite.pipeline import build_site, check_kb
from kbsite.sources import read_bytes
from kbsite.yamlio import YamlDate, character_name, parse_document

from conftest import FIXTURE_KB, REPO, copy_project, mkdocs_build, run_kbsite

B = "kb/benefits/faster-things.yaml"
GOOD = (FIXTURE_KB / "benefits" / "faster-things.yaml").read_text(encoding="utf-8")
TAGS_LINE = GOOD.splitlines().index("tags: [automation]") + 1
"""The line of the fixture benefit's tags, which the YAML-structure tests replace."""
LINK_HINT = (
    "    hint: entries must be real files inside the repository; replace the link with "
    "the file it points to, or delete it (an editor's lock file such as .#name.yaml "
    "goes away when the file is saved and closed)"
)
SPECIAL_HINT = "    hint: only plain files and folders may be under kb/; delete it"


def validate(tmp_path: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python -m kbsite validate` on tmp_path/kb, as a contributor runs it."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "scripts")}
    return subprocess.run(
        [sys.executable, "-m", "kbsite", "validate", "--kb", "kb"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def report(kb_dir: Path, root: Path) -> list[str]:
    with pytest.raises(KBError) as raised:
        check_kb(kb_dir, root)
    return [str(issue) for issue in raised.value.issues]


# --- links and special files ----------------------------------------------------------------


def test_link_to_a_file_outside_the_repository_is_refused_not_published(kb_copy, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text(GOOD.replace("faster-things", "secret"), encoding="utf-8")
    kb_dir = kb_copy()
    (kb_dir / "benefits" / "secret.yaml").symlink_to(secret)
    assert report(kb_dir, tmp_path) == [
        "kb/benefits/secret.yaml: expected a regular file or folder, found a symbolic link\n"
        + LINK_HINT
    ]


def test_link_to_a_file_inside_the_repository_is_refused(kb_copy, tmp_path):
    kb_dir = kb_copy()
    (kb_dir / "benefits" / "copy.yaml").symlink_to("faster-things.yaml")
    assert report(kb_dir, tmp_path) == [
        "kb/benefits/copy.yaml: expected a regular file or folder, found a symbolic link\n"
        + LINK_HINT
    ]


def test_link_to_dev_zero_is_refused_without_reading(kb_copy, tmp_path):
    kb_dir = kb_copy()
    (kb_dir / "benefits" / "zero.yaml").symlink_to("/dev/zero")
    result = validate(tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "kb/benefits/zero.yaml: expected a regular file or folder, found a symbolic link\n"
        f"{LINK_HINT}\n1 error in 1 file\n"
    )


@pytest.mark.parametrize("name", [".#faster-things.yaml", "gone.yaml"])
def test_dangling_link_and_editor_lock_file_are_refused(kb_copy, tmp_path, name):
    kb_dir = kb_copy()
    (kb_dir / "benefits" / name).symlink_to("user@host.1234:1700000000")
    assert report(kb_dir, tmp_path) == [
        f"kb/benefits/{name}: expected a regular file or folder, found a symbolic link\n"
        + LINK_HINT
    ]


def test_linked_entry_folder_is_refused(kb_copy, tmp_path):
    kb_dir = kb_copy()
    elsewhere = tmp_path / "elsewhere"
    (kb_dir / "limitations").rename(elsewhere)
    (kb_dir / "limitations").symlink_to(elsewhere)
    issues = report(kb_dir, tmp_path)
    assert (
        "kb/limitations: expected a regular file or folder, found a symbolic link\n" + LINK_HINT
    ) in issues


def test_link_hidden_deep_in_a_support_folder_is_refused(kb_copy, tmp_path):
    kb_dir = kb_copy()
    (kb_dir / "schema" / "deeper").mkdir(parents=True)
    (kb_dir / "schema" / "deeper" / ".x").symlink_to("/etc/passwd")
    assert report(kb_dir, tmp_path) == [
        "kb/schema/deeper/.x: expected a regular file or folder, found a symbolic link\n"
        + LINK_HINT
    ]


def test_kb_folder_that_is_a_link_is_refused(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "kb").symlink_to(tmp_path / "real")
    assert report(tmp_path / "kb", tmp_path) == [
        "kb: expected a knowledge-base folder, found a symbolic link\n" + LINK_HINT
    ]


def test_named_pipe_does_not_hang_validate(kb_copy, tmp_path):
    kb_dir = kb_copy()
    os.mkfifo(kb_dir / "benefits" / "pipe.yaml")
    result = validate(tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "kb/benefits/pipe.yaml: expected a regular file or folder, found a named pipe\n"
        f"{SPECIAL_HINT}\n1 error in 1 file\n"
    )


def test_socket_is_refused(kb_copy, tmp_path):
    kb_dir = kb_copy()
    # A short path: Unix socket addresses are limited to about 100 bytes.
    short = Path(os.path.relpath(kb_dir / "citations" / "s.yaml"))
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(
            str(short) if len(str(short)) < 100 else os.fspath(kb_dir / "citations" / "s.yaml")
        )
        assert report(kb_dir, tmp_path) == [
            "kb/citations/s.yaml: expected a regular file or folder, found a socket\n"
            + SPECIAL_HINT
        ]


def test_reading_a_device_is_refused_before_opening():
    data, issues = read_bytes(Path("/dev/zero"), "kb/x.yaml")
    assert data is None
    assert [str(issue) for issue in issues] == [
        "kb/x.yaml: expected a regular file or folder, found a device\n" + SPECIAL_HINT
    ]


def test_file_over_the_size_limit_is_refused(kb_copy, tmp_path):
    padding = "# " + "x" * 78 + "\n"
    kb_dir = kb_copy(
        {"benefits/faster-things.yaml": GOOD + padding * (MAX_FILE_BYTES // len(padding) + 1)}
    )
    assert report(kb_dir, tmp_path) == [
        f"{B}: expected an entry file of at most {MAX_FILE_BYTES // 1024} KiB, found a larger "
        "file\n    hint: entries are short; split long text into several entries"
    ]


def test_file_at_the_size_limit_is_read(kb_copy, tmp_path):
    padding = "#" * (MAX_FILE_BYTES - len(GOOD.encode("utf-8")) - 1) + "\n"
    kb_dir = kb_copy({"benefits/faster-things.yaml": GOOD + padding})
    assert len((kb_dir / "benefits" / "faster-things.yaml").read_bytes()) == MAX_FILE_BYTES
    check_kb(kb_dir, tmp_path)


def test_file_names_are_shown_safely(kb_copy, tmp_path):
    kb_dir = kb_copy()
    name = os.fsdecode(b"n\xffo\xe2\x80\xaetes.txt")  # an undecodable byte and U+202E
    (kb_dir / "benefits" / name).write_text("x", encoding="utf-8")
    result = run_kbsite("validate", "--kb", "kb", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "kb/benefits/n\ufffdo<U+202E>tes.txt: expected only .yaml entry files in benefits/, "
        "found `n\ufffdo<U+202E>tes.txt`"
    )


# --- YAML structure ---------------------------------------------------------------------------


def test_ten_thousand_nested_lists_are_refused_at_the_limit(kb_copy, tmp_path):
    kb_dir = kb_copy(
        {
            "benefits/faster-things.yaml": GOOD.replace(
                "tags: [automation]", "tags: " + "[" * 10_000 + "]" * 10_000
            )
        }
    )
    assert report(kb_dir, tmp_path) == [
        f"{B}:{TAGS_LINE}:{6 + MAX_DEPTH}: expected lists and mappings nested at most {MAX_DEPTH} "
        "deep, found deeper nesting\n    hint: entries need only a few levels"
    ]


def test_nested_mappings_are_refused_too():
    text = "".join("  " * level + f"k{level}:\n" for level in range(MAX_DEPTH + 5))
    problems = parse_document(text).problems
    assert [(p.position.line, p.message) for p in problems] == [
        (
            MAX_DEPTH + 1,
            f"expected lists and mappings nested at most {MAX_DEPTH} deep, found deeper nesting",
        )
    ]


def test_a_list_longer_than_the_limit_is_refused_at_the_first_item_too_many(kb_copy, tmp_path):
    tags = ",".join(["a"] * 100_000)  # an entry with 100,000 tags, within the size limit
    kb_dir = kb_copy(
        {"benefits/faster-things.yaml": GOOD.replace("tags: [automation]", f"tags: [{tags}]")}
    )
    assert report(kb_dir, tmp_path) == [
        f"{B}:{TAGS_LINE}:{8 + 2 * MAX_LIST_ITEMS}: expected at most {MAX_LIST_ITEMS} items in "
        "a list, found more\n    hint: shorten the list"
    ]


def test_too_many_values_are_refused(kb_copy, tmp_path):
    lists = [
        ", ".join(f"t{i}" for i in range(start, start + MAX_LIST_ITEMS // 2))
        for start in range(0, MAX_NODES, MAX_LIST_ITEMS // 2)
    ]
    tags = ", ".join(f"[{items}]" for items in lists)
    kb_dir = kb_copy(
        {"benefits/faster-things.yaml": GOOD.replace("tags: [automation]", f"tags: [{tags}]")}
    )
    [issue] = report(kb_dir, tmp_path)
    assert issue.startswith(f"{B}:{TAGS_LINE}:")
    assert issue.endswith(
        f": expected at most {MAX_NODES} values in one entry file, found "
        "more\n    hint: split the content or shorten the lists"
    )


@pytest.mark.parametrize(
    ("value", "column", "shown"),
    [
        ("!!python/object/apply:os.system {args: [ls]}", 7, "!!python/object/apply:os.system"),
        ("!!omap [{a: 1}]", 7, "!!omap"),
        ("!!set {a: null}", 7, "!!set"),
        ("!!python/name:os.system x", 7, "!!python/name:os.system"),
        ("!!str testing", 7, "!!str"),
        ("!local [a]", 7, "!local"),
        ("[ok, !!binary aGk=]", 12, "!!binary"),
    ],
)
def test_every_explicit_tag_is_refused_at_its_line(kb_copy, tmp_path, value, column, shown):
    kb_dir = kb_copy(
        {"benefits/faster-things.yaml": GOOD.replace("tags: [automation]", f"tags: {value}")}
    )
    assert report(kb_dir, tmp_path)[0] == (
        f"{B}:{TAGS_LINE}:{column}: expected plain text, a number, a list or a mapping, found "
        f"the YAML tag {shown}\n    hint: remove the tag; entries may only hold plain data"
    )


def test_a_second_document_is_refused_not_silently_used():
    [problem] = parse_document("id: a\n---\nid: b\n").problems
    assert (problem.position.line, problem.position.column) == (2, 1)
    assert problem.message == "expected one YAML document in the file, found a second one"


def test_problems_per_file_are_bounded():
    text = "".join(f"k{i}: *a\n" for i in range(1000))
    problems = parse_document(text).problems
    assert len(problems) == MAX_PROBLEMS_PER_FILE + 1
    assert problems[-1].message == f"stopped reading after {MAX_PROBLEMS_PER_FILE} problems"


def test_number_too_long_to_read_is_a_problem_not_a_crash():
    [problem] = parse_document("year: " + "9" * 5000 + "\n").problems
    assert (problem.position.line, problem.position.column) == (1, 7)
    assert problem.message == "expected a number, found one too long to read"


def test_unquoted_date_is_marked_as_a_date():
    data = parse_document("year: 2024-03-19\nquoted: '2024-03-19'\n").data
    assert isinstance(data["year"], YamlDate)
    assert data["year"] == "2024-03-19"
    assert not isinstance(data["quoted"], YamlDate)


# --- characters -------------------------------------------------------------------------------

REFUSED = {
    "\u200b": "an invisible formatting character",
    "\u200f": "a direction-changing character",
    "\u061c": "a direction-changing character",
    "\u2060": "an invisible formatting character",
    "\u00ad": "an invisible formatting character",
    "\u202e": "a direction-changing character",
    "\u2066": "a direction-changing character",
    "\ufeff": "an invisible formatting character",
    "\U000e0041": "an invisible formatting character",
    "\u2028": "a line separator",
    "\u3164": "an invisible character",
    "\u0080": "a control character",
    "\u0085": "a control character",
    "\u009f": "a control character",
    "\u001b": "a control character",
    "\u007f": "a control character",
    "\ue000": "a private-use character",
}


@pytest.mark.parametrize("char", list(REFUSED), ids=[f"U+{ord(c):04X}" for c in REFUSED])
def test_invisible_and_control_characters_are_refused_by_line_column_and_name(
    kb_copy, tmp_path, char
):
    kb_dir = kb_copy(
        {
            "benefits/faster-things.yaml": GOOD.replace(
                "title: Faster things", f"title: Fast{char}er things"
            )
        }
    )
    assert report(kb_dir, tmp_path) == [
        f"{B}:2:12: expected visible text, found {character_name(char)}, {REFUSED[char]}\n"
        "    hint: invisible and direction-changing characters can hide text from reviewers; "
        "delete it (an editor's 'show invisibles' setting makes it visible)"
    ]


def test_character_names_are_unicode_names_or_control_aliases():
    assert character_name("\u200b") == "U+200B ZERO WIDTH SPACE"
    assert character_name("\u061c") == "U+061C ARABIC LETTER MARK"
    assert character_name("\u00ad") == "U+00AD SOFT HYPHEN"
    assert character_name("\u0085") == "U+0085 NEXT LINE"
    assert character_name("\u009f") == "U+009F APPLICATION PROGRAM COMMAND"
    assert character_name("\u0000") == "U+0000 NULL"
    assert character_name("\u007f") == "U+007F DELETE"


def test_every_format_character_is_refused():
    format_chars = [
        chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf" and c != 0xFEFF
    ]
    text = "".join(f"k{i}: a{char}b\n" for i, char in enumerate(format_chars))
    problems = parse_document(text).problems
    assert len(problems) == MAX_PROBLEMS_PER_FILE + 1  # each refused; the rest summed up
    assert problems[-1].message == (
        f"expected visible text, found {len(format_chars) - MAX_PROBLEMS_PER_FILE} more such "
        "characters"
    )


def test_character_written_as_an_escape_is_refused():
    [problem] = parse_document('title: "Be\\u202Eta"\n').problems
    assert (problem.position.line, problem.position.column) == (1, 8)
    assert problem.message == (
        "expected visible text, found U+202E RIGHT-TO-LEFT OVERRIDE, a "
        "direction-changing character, written as an escape"
    )


def test_legitimate_non_ascii_text_passes(kb_copy, tmp_path):
    title = "Faster things — “Müller”, café, naïve, 東京, Ελλάδα, \u00a0🙂"
    kb_dir = kb_copy(
        {"benefits/faster-things.yaml": GOOD.replace("title: Faster things", f"title: {title}")}
    )
    kb = check_kb(kb_dir, tmp_path)
    assert kb.benefits[0].title == title


def test_crlf_line_ends_pass_and_a_lone_carriage_return_is_refused():
    assert parse_document("a: 1\r\nb: 2\r\n").data == {"a": 1, "b": 2}
    [problem] = parse_document("a: 1\rb: 2\n").problems
    assert problem.message == (
        "expected visible text, found U+000D CARRIAGE RETURN, a lone carriage return"
    )


# --- YAML syntax in the contributor's language ---------------------------------------------


def test_tab_indentation_says_tab(kb_copy, tmp_path):
    kb_dir = kb_copy(
        {"benefits/faster-things.yaml": GOOD.replace("  project_stages", "\tproject_stages")}
    )
    assert report(kb_dir, tmp_path) == [
        f"{B}:6:1: expected spaces for indentation, found a tab\n    hint: YAML does not allow "
        "tabs for indentation; replace the tab with spaces (two per level, as in the other "
        "entries)"
    ]


def test_unquoted_colon_suggests_quoting(kb_copy, tmp_path):
    kb_dir = kb_copy(
        {
            "benefits/faster-things.yaml": GOOD.replace(
                "title: Faster things", "title: Speed: faster things"
            )
        }
    )
    assert report(kb_dir, tmp_path) == [
        f"{B}:2:13: expected one `key: value` per line, found a second `: ` in the value\n"
        "    hint: a colon followed by a space starts a field; put the value in quotes: "
        'title: "Speed: faster things"'
    ]


def test_unclosed_quote_points_at_its_start(kb_copy, tmp_path):
    kb_dir = kb_copy(
        {
            "benefits/faster-things.yaml": GOOD.replace(
                "title: Faster things", 'title: "Faster things'
            )
        }
    )
    assert report(kb_dir, tmp_path) == [
        f"{B}:2:8: expected a closing quote for the text that starts here, found the end of the "
        "file\n    hint: close the quote; to write a quote inside quotes, double it ('') or use "
        "the other kind"
    ]


def test_bad_byte_is_reported_at_its_line_and_character_column(kb_copy, tmp_path):
    kb_dir = kb_copy(
        {
            "benefits/faster-things.yaml": GOOD.encode("utf-8").replace(
                b"summary: Things", b"summary: \xc3\xbc\xe2\x80\x94 \xff Things"
            )
        }
    )
    assert report(kb_dir, tmp_path) == [
        f"{B}:3:13: expected UTF-8 text, found the byte 0xFF\n"
        "    hint: save the file as UTF-8 (most editors offer this under 'encoding')"
    ]


def test_bad_byte_in_an_imported_bibtex_file_is_reported_at_its_line_and_column(kb_copy, tmp_path):
    kb_copy()
    (tmp_path / "new.bib").write_bytes(b"@misc{x,\n  title = {Caf\xe9},\n}\n")
    result = run_kbsite("import-bibtex", "new.bib", "--summary", "S.", "--kb", "kb", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "new.bib:2:15: expected UTF-8 text, found byte 0xE9, which is not UTF-8 (in "
        "Windows-1252 it is `é`)\n"
        "    hint: save the file as UTF-8, or pass --repair to convert Windows-1252 characters\n"
        "1 error in 1 file\n"
    )


# --- super-linear inputs ----------------------------------------------------------------------


def test_unclosed_html_and_link_brackets_stay_linear(kb_copy, tmp_path):
    """A quarter of a megabyte of `<a` and of `[` lines finishes (it took minutes before)."""
    body = "<a" * (MAX_FILE_BYTES // 8) + "\n" + "[\n" * (MAX_FILE_BYTES // 8)
    principle = (FIXTURE_KB / "principles" / "beta.yaml").read_text(encoding="utf-8")
    indented = "\n".join("  " + line for line in body.split("\n"))
    kb_copy(
        {
            "principles/beta.yaml": principle.split("description:")[0]
            + "description: |\n"
            + indented
            + "\n"
            + "defined_in:"
            + principle.split("defined_in:")[1]
        }
    )
    result = validate(tmp_path, timeout=120)
    assert "Traceback" not in result.stderr
    # Valid, or refused by a length limit of the data model: either way an answer, not a hang.
    assert (result.returncode, result.stderr) == (0, "") or (
        result.returncode == 1 and result.stderr.startswith("kb/principles/beta.yaml:")
    )


# --- git history ------------------------------------------------------------------------------


def test_file_names_in_the_log_that_are_not_utf8_are_read_with_replacement(tmp_path):
    log = b"\x00" + b"2024-01-02\nbenefits/caf\xe9\x1b.yaml\n"
    dates = parse_log(log.decode("utf-8", errors="replace"))
    assert dates == {"kb/benefits/caf\ufffd<U+001B>.yaml": "2024-01-02"}


def test_build_with_a_non_utf8_commit_message(tmp_path):
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    kb_dir = tmp_path / "kb"
    subprocess.run(["cp", "-r", str(FIXTURE_KB), str(kb_dir)], check=True)
    (tmp_path / "message").write_bytes(b"Caf\xe9 \xff entry\n")
    subprocess.run([*git, "add", "kb"], cwd=tmp_path, check=True)
    # An encoding git does not know makes `git log` print the message's bytes as they are.
    subprocess.run(
        [*git, "-c", "i18n.commitEncoding=unknown-encoding", "commit", "-q", "-F", "message"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    assert read_history(kb_dir).changes  # the commit is read, whatever its message
    site = build_site(kb_dir, tmp_path)
    page = site.pages[CHANGELOG_PAGE]
    assert "entry" not in page.split("# Changelog", 1)[1].split("\n\n", 2)[2]  # no message
    assert "- **Added** " in page


# --- docs/ ------------------------------------------------------------------------------------


def test_link_in_docs_fails_the_build_before_anything_is_published(tmp_path):
    project = copy_project(tmp_path / "project")
    secret = tmp_path / "secret.md"
    secret.write_text("# Not for the web\n", encoding="utf-8")
    (project / "docs" / "leak.md").symlink_to(secret)
    site = tmp_path / "site"
    result = mkdocs_build(project, site)
    assert result.returncode != 0
    assert (
        "docs/leak.md: expected a regular file or folder, found a symbolic link\n" + LINK_HINT
    ) in result.stderr
    assert not site.exists()
