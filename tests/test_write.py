import hashlib
from pathlib import Path

import pytest

from kbsite.write import MANIFEST, MANIFEST_HEADER, UnsafeWriteError, write_tree


def test_writes_then_skips_unchanged_files(tmp_path: Path):
    first = write_tree({"a.md": "A\n", "sub/b.md": "B\n"}, tmp_path)
    assert first.written == ("a.md", "sub/b.md")
    before = (tmp_path / "a.md").stat().st_mtime_ns
    second = write_tree({"a.md": "A\n", "sub/b.md": "B\n"}, tmp_path)
    assert second.written == ()
    assert second.unchanged == 2
    assert (tmp_path / "a.md").stat().st_mtime_ns == before


def test_removes_only_files_it_wrote_before(tmp_path: Path):
    (tmp_path / "hand-written.md").write_text("mine\n", encoding="utf-8")
    write_tree({"a.md": "A\n", "old.md": "O\n"}, tmp_path)
    report = write_tree({"a.md": "A\n"}, tmp_path)
    assert report.removed == ("old.md",)
    assert not (tmp_path / "old.md").exists()
    assert (tmp_path / "hand-written.md").read_text(encoding="utf-8") == "mine\n"
    digest = hashlib.sha256(b"A\n").hexdigest()
    written = (tmp_path / MANIFEST).read_text(encoding="utf-8")
    assert written == f"{MANIFEST_HEADER}\n{digest} a.md\n"


def test_refuses_to_overwrite_a_file_it_did_not_write(tmp_path: Path):
    (tmp_path / "index.md").write_text("hand-written\n", encoding="utf-8")
    with pytest.raises(UnsafeWriteError, match=r"found 1 it did not write: index\.md"):
        write_tree({"index.md": "generated\n", "other.md": "x\n"}, tmp_path)
    assert (tmp_path / "index.md").read_text(encoding="utf-8") == "hand-written\n"
    assert not (tmp_path / "other.md").exists()


def test_leaves_no_temporary_files(tmp_path: Path):
    write_tree({"a.md": "A\n"}, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST, "a.md"]
