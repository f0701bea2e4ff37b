"""The bibliography compiles with real LaTeX and BibTeX, citing every key, with no warning."""

from __future__ import annotations

import shutil
import subprocess

from kbsite import check_kb
from kbsite.cite import export_bibtex

from conftest import REPO, require_or_skip

DOCUMENT = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage{url}
\begin{document}
Cited: \cite{%s}.
\bibliographystyle{plain}
\bibliography{references}
\end{document}
"""


def run(command: list[str], cwd, *, allowed: tuple[int, ...] = (0,)) -> str:
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, check=False, errors="replace", timeout=120
    )
    assert result.returncode in allowed, result.stdout[-3000:]
    return result.stdout


def test_bibliography_compiles_with_bibtex_without_warnings(tmp_path):
    for tool in ("pdflatex", "bibtex"):
        require_or_skip(shutil.which(tool) is not None, f"{tool} is not installed")
    kb = check_kb(REPO / "kb", REPO)
    (tmp_path / "references.bib").write_text(export_bibtex(kb.citations), encoding="utf-8")
    keys = ",".join(sorted(c.id for c in kb.citations))
    (tmp_path / "paper.tex").write_text(DOCUMENT % keys, encoding="utf-8")
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"]
    run(latex, tmp_path)
    bibtex_output = run(["bibtex", "paper"], tmp_path, allowed=(0, 1))  # 1: warnings
    run(latex, tmp_path)
    run(latex, tmp_path)
    blg = (tmp_path / "paper.blg").read_text(encoding="utf-8", errors="replace")
    # The only warning allowed is the truth: a source whose year is not known.
    undated = {f"Warning--empty year in {c.id}" for c in kb.citations if not c.year}
    warnings_found = {line for line in blg.splitlines() if line.startswith("Warning--")}
    assert warnings_found <= undated, blg
    assert "error message" not in bibtex_output, bibtex_output
    log = (tmp_path / "paper.log").read_text(encoding="utf-8", errors="replace")
    warnings = [line for line in log.splitlines() if "Warning" in line]
    assert warnings == []
    bbl = (tmp_path / "paper.bbl").read_text(encoding="utf-8")
    for citation in kb.citations:
        assert f"\\bibitem{{{citation.id}}}" in bbl
    assert 'K{\\"u}hl' in bbl or "Kühl" in bbl
