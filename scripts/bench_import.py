"""Benchmark import-bibtex: entries per second, imported and refused, on generated or real files.

    PYTHONPATH=scripts python scripts/bench_import.py [--roundtrip] [FILE.bib ...]

Without files, a generated library of 5,000 entries of mixed types and quirks is used. Prints
figures; it asserts nothing (the issue's target is 1,000 entries per second on 2 cores).
With --roundtrip, the imported entries are exported again and the export is parsed with
bibtexparser and pybtex and compiled with bibtex and pdflatex (when installed).
"""

from __future__ import annotations

import collections
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bibtexparser
import pybtex.database
import yaml

from kbsite.bibimport import import_bibtex
from kbsite.cite import export_bibtex
from kbsite.model import Citation, KnowledgeBase, SourceFile, build_entry
from kbsite.yamlio import parse_document

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


def generated(count: int) -> bytes:
    """A library of `count` entries cycling through the templates, with @string macros."""
    head = '@string{jse = "Journal of Software Engineering"}\n@string{conf = {ICSE}}\n'
    return (
        head + "".join(TEMPLATES[i % len(TEMPLATES)].format(i=i) for i in range(count))
    ).encode()


def roundtrip(files: dict[str, str]) -> None:
    """Export what was imported; parse it back and compile it."""
    source = SourceFile("x.yaml", parse_document("id: x\n"))
    citations = [build_entry("citation", yaml.safe_load(text), source) for text in files.values()]
    bib = export_bibtex([c for c in citations if isinstance(c, Citation)])
    library = bibtexparser.parse_string(bib)
    print(
        f"  export: {len(library.entries)} entries re-parsed by bibtexparser, "
        f"{len(library.failed_blocks)} failed blocks"
    )
    print(
        f"  export: {len(pybtex.database.parse_string(bib, 'bibtex').entries)} entries "
        "re-parsed by pybtex"
    )
    if not (shutil.which("bibtex") and shutil.which("pdflatex")):
        print("  bibtex/pdflatex not installed: not compiled")
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
                command,
                cwd=work,
                capture_output=True,
                check=False,
                timeout=600,
            ).returncode
            for command in (latex, ["bibtex", "paper"], latex, latex)
        ]
        items = (
            (work / "paper.bbl").read_text(encoding="utf-8", errors="replace").count("\\bibitem")
        )
        warnings = (
            (work / "paper.blg").read_text(encoding="utf-8", errors="replace").count("Warning--")
        )
        print(
            f"  compiled: pdflatex/bibtex exit codes {codes} (bibtex 1 = warnings only), "
            f"{items} bibitems, {warnings} bibtex warnings"
        )


def run(name: str, data: bytes, *, check_export: bool = False) -> None:
    """Import one library and print the figures."""
    start, cpu = time.perf_counter(), time.process_time()
    result = import_bibtex(data, name, KnowledgeBase(), role="related")
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    total = len(result.files) + result.refused
    reasons = collections.Counter(
        issue.message.split(": ", 2)[-1].split(",")[0][:70] for issue in result.issues
    )
    print(
        f"{name}: {total} entries in {seconds:.2f} s = {total / seconds:,.0f} entries/s "
        f"(CPU {cpu:.2f} s = {total / cpu:,.0f} entries/s); "
        f"{len(result.files)} imported, {result.refused} refused, "
        f"{len(result.renamed)} keys renamed"
    )
    for reason, count in reasons.most_common(12):
        print(f"  {count:5d} × {reason}")
    if check_export and result.files:
        roundtrip(result.files)


def main(arguments: list[str]) -> None:
    """Benchmark the generated library, or the files given."""
    check_export = "--roundtrip" in arguments
    paths = [a for a in arguments if a != "--roundtrip"]
    if not paths:
        run("generated-5000.bib", generated(5000), check_export=check_export)
    for path in paths:
        run(path, Path(path).read_bytes(), check_export=check_export)


if __name__ == "__main__":
    main(sys.argv[1:])
