"""Benchmark: build synthetic knowledge bases of growing size and print where the time goes.

Run with `make benchmark` (or `python scripts/benchmark.py --sizes 100 1000`). It prints figures;
it asserts nothing. Each measurement runs in a fresh process so peak memory is its own.

For each size it reports: load+validate time, render time (graph, pages, JSON), the full
`mkdocs build` time, the build's peak memory, the size of the built site, the pipeline's share
of the build, and whether a rebuild with no change rewrote any generated file. For the smaller
sizes it also builds the same pages with Material's default navigation (every page listed in
every page, without `navigation.prune`) for comparison.

It also prints what the evidence and gap map page transfers (gzip): its HTML alone, and with
the stylesheets and scripts it loads, for today's kb/ and for a synthetic knowledge base of
1,000 findings and 200 studies (budgets: 300 KB and 1 MB, issue 15).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORDS = [
    "pipeline",
    "model",
    "data",
    "deployment",
    "monitoring",
    "drift",
    "feature",
    "registry",
    "training",
    "evaluation",
    "team",
    "automation",
    "versioning",
    "lineage",
    "retraining",
    "latency",
    "cost",
    "scale",
    "audit",
    "compliance",
    "quality",
]


TOPICS = [
    "adoption-decision",
    "automation",
    "compliance",
    "cost",
    "data",
    "deployment",
    "operations",
    "quality",
    "tooling",
    "traceability",
]
"""Tags are a closed vocabulary (`TAGS` in scripts/kbsite/vocabulary.py): some of its values."""


def sentence(rng: random.Random, words: int) -> str:
    """A plain sentence of random domain words."""
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text.capitalize() + "."


OUTCOMES = ("speed", "quality", "cost", "people", "compliance", "data")
"""Synthetic outcome groups (each finding names one or two)."""
DESIGNS = ("survey", "interviews", "case-study", "focus-groups", "systematic-review")


def generate_kb(
    kb_dir: Path,
    entries: int,
    seed: int = 1,
    *,
    findings: int | None = None,
    citations: int | None = None,
) -> dict[str, int]:
    """Write a valid synthetic KB with about `entries` entries; return counts by type.

    findings and citations (one study each), when given, fix those counts instead.
    """
    rng = random.Random(seed)
    principles = 9 + entries // 500
    citations = citations or max(3, entries // 10)
    questions = max(1, entries // 50)
    findings = findings or max(2, entries - principles - citations - questions)
    folders = ("principles", "benefits", "limitations", "citations", "questions", "studies")
    for folder in (*folders, "outcomes"):
        (kb_dir / folder).mkdir(parents=True, exist_ok=True)
    for i, outcome in enumerate(OUTCOMES):
        (kb_dir / "outcomes" / f"synthetic-{outcome}.yaml").write_text(
            f"id: synthetic-{outcome}\ntitle: Synthetic {outcome}\nsummary: {sentence(rng, 12)}\n"
            f"order: {50 + i}\n",
            encoding="utf-8",
        )
    for i in range(citations):
        (kb_dir / "citations" / f"source-{i:05d}.yaml").write_text(
            f"id: source-{i:05d}\nrole: primary\nentry_type: article\n"
            f"title: {sentence(rng, 8)}\nauthors:\n  - {{family: Author{i}, given: Ann}}\n"
            f"year: {2000 + i % 25}\njournal: Journal of Synthetic Studies\npages: 1-10\n"
            f"doi: 10.9999/synthetic.{i}\nsummary: {sentence(rng, 30)}\n"
            "",
            encoding="utf-8",
        )
        (kb_dir / "studies" / f"source-{i:05d}-study.yaml").write_text(
            f"id: source-{i:05d}-study\ntitle: Study {i} of synthetic teams\n"
            f"design: {DESIGNS[i % len(DESIGNS)]}\n"
            f"kind: {'secondary' if DESIGNS[i % len(DESIGNS)].endswith('review') else 'primary'}\n"
            f"population: Synthetic practitioners\nsample_size: {10 + i % 90}\n"
            f"sample_unit: respondents\npeer_reviewed: {'true' if i % 3 else 'false'}\n"
            f"reports: [source-{i:05d}]\nlocator: abstract\n",
            encoding="utf-8",
        )
    for i in range(principles):
        related = f"principle-{(i + 1) % principles:03d}"
        (kb_dir / "principles" / f"principle-{i:03d}.yaml").write_text(
            f"id: principle-{i:03d}\nnumber: {i + 1}\ntitle: Principle {i + 1}\n"
            f"summary: {sentence(rng, 15)}\ndescription: |\n  {sentence(rng, 60)}\n"
            f"defined_in:\n  citation: source-{i % citations:05d}\n  locator: Section {i}\n"
            f"related: [{related}]\ntags: [{rng.choice(TOPICS)}]\n",
            encoding="utf-8",
        )
    for i in range(findings):
        folder = "benefits" if i % 2 == 0 else "limitations"
        kind = "" if folder == "benefits" else "kind: drawback\n"
        cross_cutting = i % 20 == 0
        linked = [] if cross_cutting else [f"principle-{rng.randrange(principles):03d}"]
        link = "cross-cutting" if cross_cutting else "inferred"
        evidence = "".join(
            f"  - citation: source-{rng.randrange(citations):05d}\n    locator: page {j + 1}\n"
            f"    link: {link}\n    finding: {sentence(rng, 20)}\n"
            for j in range(1 + i % 3)
        )
        outcomes = sorted({f"synthetic-{rng.choice(OUTCOMES)}" for _ in range(1 + i % 2)})
        (kb_dir / folder / f"finding-{i:05d}.yaml").write_text(
            f"id: finding-{i:05d}\ntitle: Finding {i}\nsummary: {sentence(rng, 18)}\n{kind}"
            f"principles: [{', '.join(linked)}]\noutcomes: [{', '.join(outcomes)}]\n"
            f"evidence:\n{evidence}"
            f"tags: [{rng.choice(TOPICS)}]\n",
            encoding="utf-8",
        )
    for i in range(questions):
        (kb_dir / "questions" / f"question-{i:04d}.yaml").write_text(
            f"id: question-{i:04d}\ntitle: Question {i}?\ndetails: {sentence(rng, 30)}\n"
            f"would_settle: {sentence(rng, 10)}\nprinciples: [principle-{i % principles:03d}]\n",
            encoding="utf-8",
        )
    return {
        "principles": principles,
        "findings": findings,
        "citations": citations,
        "questions": questions,
    }


def make_project(root: Path, entries: int, *, default_material: bool, **counts: int | None) -> Path:
    """A copy of the site project whose kb/ is synthetic (counts: see `generate_kb`)."""
    root.mkdir(parents=True)
    shutil.copytree(
        REPO / "scripts", root / "scripts", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.copy2(REPO / "CITATION.cff", root / "CITATION.cff")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    if default_material:
        # Material's default: every page in the navigation of every page, nothing pruned.
        render = root / "scripts" / "kbsite" / "render.py"
        render.write_text(
            render.read_text(encoding="utf-8").replace(
                "NAV_CHILD_LIMIT = 60", "NAV_CHILD_LIMIT = 10**9"
            ),
            encoding="utf-8",
        )
        config = config.replace("    - navigation.prune", "").replace(
            "    - navigation.sections\n", ""
        )
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    # The real entries stay (the hand-written pages in docs/ link to them); the synthetic ones
    # are added beside them.
    shutil.copytree(REPO / "kb", root / "kb")
    generate_kb(root / "kb", entries, **counts)
    return root


def measure(code: str, cwd: Path) -> dict[str, float]:
    """Run Python code in a fresh process; return its seconds and peak memory (MiB)."""
    wrapper = (
        "import json, resource, sys, time\n"
        f"sys.path.insert(0, {str(cwd / 'scripts')!r})\n"
        "start = time.perf_counter()\n"
        f"{code}\n"
        "seconds = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': seconds, 'peak_mib': peak}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", wrapper],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    if result.returncode != 0:
        raise SystemExit(f"measurement failed in {cwd}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


LOAD = "from kbsite import check_kb\nfrom pathlib import Path\ncheck_kb(Path('kb'))"
PIPELINE = "from kbsite import build_site\nfrom pathlib import Path\nbuild_site(Path('kb'))"
MKDOCS = (
    "from mkdocs.config import load_config\nfrom mkdocs.commands.build import build\n"
    "import logging\nlogging.disable(logging.INFO)\n"
    "build(load_config('mkdocs.yml', site_dir='site'))"
)


def folder_size(folder: Path) -> int:
    """Total bytes of the files under folder."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


MAP_PAGE = Path("evidence") / "index.html"
"""The evidence and gap map in the built site."""
_ASSET = re.compile(r'<(?:script[^>]*\ssrc|link[^>]*rel="stylesheet"[^>]*\shref)="([^"]+)"')


def page_transfer(site: Path, page: Path = MAP_PAGE) -> tuple[int, int]:
    """Bytes a first visit to a page transfers, gzip: its HTML, and with its own assets.

    The assets are the stylesheets and scripts the page names (on later pages they come
    from the cache); fonts and images are none here (the site loads no web font).
    """
    html = (site / page).read_bytes()
    total = len(gzip.compress(html, 9))
    for link in dict.fromkeys(_ASSET.findall(html.decode("utf-8"))):
        path = (site / page).parent / link.split("?")[0].split("#")[0]
        if path.resolve().is_file():
            total += len(gzip.compress(path.resolve().read_bytes(), 9))
    return len(gzip.compress(html, 9)), total


def map_page_figures(scratch: Path) -> list[tuple[str, int, int]]:
    """The map page's transfer for today's kb/ and for 1,000 findings and 200 studies."""
    figures = []
    today = scratch / "today"
    today.mkdir()
    for name in ("mkdocs.yml", "CITATION.cff", "docs", "kb", "scripts"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, today / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / name, today / name)
    measure(MKDOCS, today)
    figures.append(("today's kb/", *page_transfer(today / "site")))
    shutil.rmtree(today)
    synthetic = make_project(
        scratch / "map-1000", 1000, default_material=False, findings=1000, citations=200
    )
    measure(MKDOCS, synthetic)
    figures.append(("1,000 findings, 200 studies", *page_transfer(synthetic / "site")))
    shutil.rmtree(synthetic)
    return figures


def rebuild_rewrites(project: Path) -> int:
    """Files rewritten by a second generation into the same folder with no change in kb/."""
    out = project / "generated"
    command = [sys.executable, "-m", "kbsite", "build", "--out", str(out)]
    env = {"PYTHONPATH": str(project / "scripts"), "PATH": "/usr/bin:/bin"}
    subprocess.run(command, cwd=project, env=env, check=True, capture_output=True)
    second = subprocess.run(
        command, cwd=project, env=env, check=True, capture_output=True, text=True
    )
    return int(second.stdout.split(": ")[-1].split(" written")[0])


def main() -> None:
    """Run the benchmark and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument(
        "--default-up-to",
        type=int,
        default=1000,
        help="also build with Material's default navigation up to this size",
    )
    parser.add_argument(
        "--skip-map", action="store_true", help="skip the two builds that measure the map page"
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="kb-benchmark-") as scratch:
        for size in args.sizes:
            project = make_project(Path(scratch) / f"kb-{size}", size, default_material=False)
            load = measure(LOAD, project)
            pipeline = measure(PIPELINE, project)
            started = time.perf_counter()
            build = measure(MKDOCS, project)
            build_wall = time.perf_counter() - started
            html, _ = page_transfer(project / "site")
            row = {
                "map_page_kb": html / 1000,
                "entries": size,
                "load_validate_s": load["seconds"],
                "render_s": pipeline["seconds"] - load["seconds"],
                "mkdocs_build_s": build["seconds"],
                "build_wall_s": build_wall,
                "peak_mib": build["peak_mib"],
                "site_mib": folder_size(project / "site") / 2**20,
                "pipeline_share": pipeline["seconds"] / build["seconds"],
                "rebuild_rewrites": rebuild_rewrites(project),
            }
            if size <= args.default_up_to:
                default = make_project(
                    Path(scratch) / f"default-{size}", size, default_material=True
                )
                measured = measure(MKDOCS, default)
                row["default_build_s"] = measured["seconds"]
                row["default_site_mib"] = folder_size(default / "site") / 2**20
                shutil.rmtree(default)
            shutil.rmtree(project)
            rows.append(row)
            print(f"measured {size} entries", file=sys.stderr, flush=True)
        maps = map_page_figures(Path(scratch)) if not args.skip_map else []
    header = (
        "| entries | load+validate | render | mkdocs build | peak memory | site size | "
        "pipeline share | rebuild rewrites | default Material: build, size | map page (gzip) |"
    )
    print(header)
    print("|" + "---:|" * 10)
    for row in rows:
        default = (
            f"{row['default_build_s']:.1f} s, {row['default_site_mib']:.0f} MiB"
            if "default_build_s" in row
            else "not run"
        )
        print(
            f"| {row['entries']:,} | {row['load_validate_s']:.2f} s | {row['render_s']:.2f} s "
            f"| {row['mkdocs_build_s']:.1f} s | {row['peak_mib']:.0f} MiB "
            f"| {row['site_mib']:.1f} MiB | {row['pipeline_share']:.1%} "
            f"| {row['rebuild_rewrites']} | {default} | {row['map_page_kb']:.0f} KB |"
        )
    if maps:
        print("\n| evidence and gap map page | HTML (gzip) | with its CSS and JS (gzip) | budget |")
        print("|---|---:|---:|---:|")
        for (name, html, total), budget in zip(maps, ("300 KB", "1 MB"), strict=True):
            print(f"| {name} | {html / 1000:.0f} KB | {total / 1000:.0f} KB | {budget} |")
    if len(rows) >= 2:
        ratio = rows[-1]["mkdocs_build_s"] / rows[-2]["mkdocs_build_s"]
        growth = rows[-1]["entries"] / rows[-2]["entries"]
        print(
            f"\nBuild time grows {ratio:.1f}x for {growth:.0f}x the entries "
            f"({rows[-2]['entries']:,} to {rows[-1]['entries']:,})."
        )


if __name__ == "__main__":
    main()
