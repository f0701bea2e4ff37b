"""Benchmark and trial of import-bibtex, on a generated library or on real .bib files.

    PYTHONPATH=scripts python scripts/bench_import.py [--roundtrip] [--repair] [FILE.bib ...]

Without files, a generated library of 5,000 entries of mixed types and quirks is used. Real
libraries are read from wherever they are (they are never copied into the repository); the
trial of real bibliographies is repeatable with, for example, the TUGboat bibliography that
Debian's texlive-bibtex-extra package ships:

    apt-get download texlive-bibtex-extra && dpkg-deb -x texlive-bibtex-extra_*.deb /tmp/tl
    python scripts/bench_import.py --roundtrip \
        /tmp/tl/usr/share/texlive/texmf-dist/bibtex/bib/beebe/tugboat.bib

Prints figures and asserts nothing (the issue's target is 1,000 entries per second on 2
cores): entries found, imported and refused, the reasons grouped with an example of each, and
wall and CPU time. With --roundtrip the imported files are written into a temporary copy of
kb/, read back by the loader as a contributor's files would be, and everything is exported
again; the export is parsed with bibtexparser and pybtex and compiled with bibtex and pdflatex.
"""

from __future__ import annotations

import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bibtexparser
import pybtex.database

from kbsite.bibimport import import_bibtex
from kbsite.cite import export_bibtex
from kbsite.errors import Issue
from kbsite.load import load_kb
from kbsite.model import KnowledgeBase
from kbsite.write import write_new_files

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = (
    '@article{{Key{i},\n  Author = {{M{{\\"u}}ller{i}, Anna and van der Berg, Jan and others}},\n'
    "  Title = {{A {{Study}} of Thing {i}}},\n  Journal = jse,\n  Volume = {{{i}}},\n"
    "  Pages = {{e{i}}},\n  Year = {{2019}},\n  DOI = {{10.1000/x.{i}}},\n"
    "  url = {{https://example.org/a%20{i}}}\n}}\n",
    "@inproceedings{{conf-{i},\n  author = {{Smith{i}, J. and {{Research and Development "
    'Group}}}},\n  title = {{Paper {i}}},\n  booktitle = "Proc. " # conf,\n'
    "  pages = {{1--{i}}},\n  publisher = {{ACM}},\n  year = 2020\n}}\n",
    "@online{{web{i},\n  author = {{Doe{i}, Jane}},\n  title = {{Page {i}}},\n"
    "  date = {{2021-03-04}},\n  url = {{https://example.org/{i}}}\n}}\n",
    "@misc{{pre{i},\n  author = {{Lee{i}, K.}},\n  title = {{Preprint {i}}},\n  year = 2022,\n"
    "  eprint = {{2201.{i:05d}}},\n  archivePrefix = {{arXiv}},\n  primaryClass = {{cs.LG}}\n}}\n",
)
_ENTRY_START = re.compile(rb"^\s*@\s*([A-Za-z]+)", re.MULTILINE)
_NOT_ENTRIES = {b"string", b"preamble", b"comment"}
_VALUE = re.compile(r"`[^`]*`|\d+")


def generated(count: int) -> bytes:
    """A library of `count` entries cycling through the templates, with @string macros."""
    head = '@string{jse = "Journal of Software Engineering"}\n@string{conf = {ICSE}}\n'
    return (
        head + "".join(TEMPLATES[i % len(TEMPLATES)].format(i=i) for i in range(count))
    ).encode()


def entries_in(data: bytes) -> int:
    """Entries in the file as `grep '^@'` counts them, less @string, @preamble and @comment."""
    return sum(1 for m in _ENTRY_START.finditer(data) if m.group(1).lower() not in _NOT_ENTRIES)


def reason(issue: Issue) -> str:
    """A problem's kind: its message without the entry key and with quoted values elided."""
    message = issue.message
    head, separator, rest = message.partition(": ")
    if separator and " " not in head:  # "key: field: message" -> "field: message"
        message = rest
    return _VALUE.sub("…", message)


def compile_bibliography(bib: str) -> None:
    """Run pdflatex, bibtex, pdflatex, pdflatex on a document citing every entry."""
    if not (shutil.which("bibtex") and shutil.which("pdflatex")):
        print("  bibtex/pdflatex not installed (`make system-deps`): not compiled")
        return
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "refs.bib").write_text(bib, encoding="utf-8")
        (work / "paper.tex").write_text(
            "\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage[utf8]{inputenc}"
            "\\usepackage{url}\\begin{document}\\nocite{*}\\bibliographystyle{plain}"
            "\\bibliography{refs}\\end{document}\n",
            encoding="utf-8",
        )
        latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"]
        codes = [
            subprocess.run(  # noqa: S603 - our own LaTeX commands
                command, cwd=work, capture_output=True, check=False, timeout=1200
            ).returncode
            for command in (latex, ["bibtex", "paper"], latex, latex)
        ]
        bbl = (work / "paper.bbl").read_text(encoding="utf-8", errors="replace")
        blg = (work / "paper.blg").read_text(encoding="utf-8", errors="replace")
        log = (work / "paper.log").read_text(encoding="utf-8", errors="replace")
        warnings = collections.Counter(
            _VALUE.sub("…", re.sub(r" in \S+$", "", line.removeprefix("Warning--")))
            for line in blg.splitlines()
            if line.startswith("Warning--")
        )
        pages = re.search(r"Output written on paper\.pdf \((\d+) pages?", log)
        print(
            f"  compiled: exit codes pdflatex {codes[0]}, bibtex {codes[1]} (1 = warnings "
            f"only), pdflatex {codes[2]}, {codes[3]}; {bbl.count(chr(92) + 'bibitem')} "
            f"bibitems, {sum(warnings.values())} bibtex warnings, "
            f"{blg.count('error message')} bibtex error lines, "
            f"{log.count(chr(10) + '! ')} LaTeX errors, "
            f"{pages.group(1) if pages else 'no'} PDF pages"
        )
        for text, count in warnings.most_common(5):
            print(f"    {count:5d} × bibtex: {text}")
        log_lines = log.splitlines()
        for index in [i for i, line in enumerate(log_lines) if line.startswith("! ")][:3]:
            context = " / ".join(line.strip() for line in log_lines[index : index + 3])
            print(f"    LaTeX: {context[:300]}")


def roundtrip(files: dict[str, str]) -> None:
    """Write the imported files into a copy of kb/, read it back, export it all, check it."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(REPO / "kb", root / "kb")
        start = time.perf_counter()
        write_new_files(files, root)
        loaded = load_kb(root / "kb", root)
        imported = {Path(name).stem for name in files}
        problems = [i for i in loaded.issues if Path(i.path).stem in imported]
        back = [c for c in loaded.kb.citations if c.id in imported]
        bib = export_bibtex(loaded.kb.citations)
        print(
            f"  read back: {len(back)} of {len(files)} imported files load as valid citations "
            f"({len(problems)} problems), exported with the kb's own "
            f"{len(loaded.kb.citations) - len(back)} in {time.perf_counter() - start:.2f} s"
        )
        for issue in problems[:5]:
            print(f"    {issue}")
    library = bibtexparser.parse_string(bib)
    print(
        f"  export: {len(library.entries)} entries re-parsed by bibtexparser, "
        f"{len(library.failed_blocks)} failed blocks"
    )
    print(
        f"  export: {len(pybtex.database.parse_string(bib, 'bibtex').entries)} entries "
        "re-parsed by pybtex"
    )
    compile_bibliography(bib)


def run(name: str, data: bytes, *, check_export: bool = False, repair: bool = False) -> None:
    """Import one library and print the figures."""
    start, cpu = time.perf_counter(), time.process_time()
    result = import_bibtex(data, name, KnowledgeBase(), role="related", repair=repair)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    total = len(result.files) + result.refused
    print(
        f"{name}: {entries_in(data)} entries by grep '^@' (less @string/@preamble/@comment); "
        f"{total} read; {len(result.files)} imported, {result.refused} refused, "
        f"{len(result.renamed)} keys renamed, {len(result.notes)} notes\n"
        f"  time: {seconds:.2f} s wall = {total / seconds:,.0f} entries/s, "
        f"{cpu:.2f} s CPU = {total / cpu:,.0f} entries/s"
    )
    grouped: dict[str, list[Issue]] = collections.defaultdict(list)
    for issue in result.issues:
        grouped[reason(issue)].append(issue)
    for text, issues in sorted(grouped.items(), key=lambda item: -len(item[1]))[:15]:
        print(f"  {len(issues):5d} × {text}\n          e.g. {issues[0]}".replace("\n    ", " "))
    if check_export and result.files:
        roundtrip(result.files)


def main(arguments: list[str]) -> None:
    """Benchmark the generated library, or the files given."""
    flags = {a for a in arguments if a.startswith("--")}
    paths = [a for a in arguments if not a.startswith("--")]
    options = {"check_export": "--roundtrip" in flags, "repair": "--repair" in flags}
    if not paths:
        run("generated-5000.bib", generated(5000), **options)
    for path in paths:
        run(path, Path(path).read_bytes(), **options)


if __name__ == "__main__":
    main(sys.argv[1:])
