"""Benchmark import-bibtex: entries per second, imported and refused, on generated or real files.

    PYTHONPATH=scripts python scripts/bench_import.py [FILE.bib ...]

Without files, a generated library of 5,000 entries of mixed types and quirks is used. Prints
figures; it asserts nothing (the issue's target is 1,000 entries per second on 2 cores).
"""

from __future__ import annotations

import collections
import sys
import time
from pathlib import Path

from kbsite.bibimport import import_bibtex
from kbsite.model import KnowledgeBase

TEMPLATES = (
    "@article{{Key{i},\n  Author = {{M{{\\\"u}}ller{i}, Anna and van der Berg, Jan and others}},\n"
    "  Title = {{A {{Study}} of Thing {i}}},\n  Journal = jse,\n  Volume = {{{i}}},\n"
    "  Pages = {{e{i}}},\n  Year = {{2019}},\n  DOI = {{10.1000/x.{i}}},\n"
    "  url = {{https://example.org/a%20{i}}}\n}}\n",
    "@inproceedings{{conf-{i},\n  author = {{Smith{i}, J. and {{Research and Development "
    "Group}}}},\n  title = {{Paper {i}}},\n  booktitle = \"Proc. \" # conf,\n"
    "  pages = {{1--{i}}},\n  publisher = {{ACM}},\n  year = 2020\n}}\n",
    "@online{{web{i},\n  author = {{Doe{i}, Jane}},\n  title = {{Page {i}}},\n"
    "  date = {{2021-03-04}},\n  url = {{https://example.org/{i}}}\n}}\n",
    "@misc{{pre{i},\n  author = {{Lee{i}, K.}},\n  title = {{Preprint {i}}},\n  year = 2022,\n"
    "  eprint = {{2201.{i:05d}}},\n  archivePrefix = {{arXiv}},\n  primaryClass = {{cs.LG}}\n}}\n",
)


def generated(count: int) -> bytes:
    head = '@string{jse = "Journal of Software Engineering"}\n@string{conf = {ICSE}}\n'
    return (head + "".join(TEMPLATES[i % len(TEMPLATES)].format(i=i) for i in range(count))
            ).encode()


def run(name: str, data: bytes) -> None:
    start, cpu = time.perf_counter(), time.process_time()
    result = import_bibtex(data, name, KnowledgeBase(), role="related")
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    total = len(result.files) + result.refused
    reasons = collections.Counter(
        issue.message.split(": ", 2)[-1].split(",")[0][:70] for issue in result.issues)
    print(f"{name}: {total} entries in {seconds:.2f} s = {total / seconds:,.0f} entries/s "
          f"(CPU {cpu:.2f} s = {total / cpu:,.0f} entries/s); "
          f"{len(result.files)} imported, {result.refused} refused, "
          f"{len(result.renamed)} keys renamed")
    for reason, count in reasons.most_common(12):
        print(f"  {count:5d} × {reason}")


def main(paths: list[str]) -> None:
    if not paths:
        run("generated-5000.bib", generated(5000))
    for path in paths:
        run(path, Path(path).read_bytes())


if __name__ == "__main__":
    main(sys.argv[1:])
