"""Command line: `python -m kbsite validate|build|schema`. Prints; holds no logic of its own."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kbsite.bibimport import import_bibtex
from kbsite.cite import export_bibtex
from kbsite.errors import KBError, format_report
from kbsite.graph import build_graph
from kbsite.load import load_kb
from kbsite.pipeline import build_site, check_kb
from kbsite.schema import CITATION_ROLES, ENTRY_TYPES, json_schema
from kbsite.write import UnsafeWriteError, write_changed_files, write_new_files, write_tree

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def schema_files() -> dict[str, str]:
    """The published JSON Schema files, by file name."""
    return {
        f"{t.name}.schema.json": json.dumps(json_schema(t), indent=2, ensure_ascii=False) + "\n"
        for t in ENTRY_TYPES
    }


def _validate(args: argparse.Namespace) -> int:
    kb = check_kb(args.kb, Path.cwd())
    counts = ", ".join(f"{len(kb.of_type(t.name))} {t.folder}" for t in ENTRY_TYPES)
    print(f"{args.kb.as_posix()} is valid: {counts}")
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    site = build_site(args.kb, Path.cwd())
    report = write_tree(site.outputs, args.out)
    print(
        f"{args.out.as_posix()}: {len(report.written)} written, {report.unchanged} unchanged, "
        f"{len(report.removed)} removed"
    )
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    folder = args.kb / "schema"
    expected = schema_files()
    if args.check:
        stale = sorted(
            name
            for name, text in expected.items()
            if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != text
        )
        for name in stale:
            print(
                f"{(folder / name).as_posix()}: expected the schema generated from "
                "scripts/kbsite/schema.py, found a different file\n"
                "    hint: run `python -m kbsite schema` and commit the result"
            )
        return EXIT_INVALID if stale else EXIT_OK
    written = write_changed_files(expected, folder)
    print(f"{folder.as_posix()}: {len(written)} written, {len(expected) - len(written)} unchanged")
    return EXIT_OK


def _export_bibtex(args: argparse.Namespace) -> int:
    graph = build_graph(check_kb(args.kb, Path.cwd()))
    kb = graph.kb
    chosen = {c.id: c for c in kb.citations} if not (args.principle or args.tag or args.ids) \
        else {}
    entries = {e.id: e for e in (*kb.principles, *kb.findings)}
    problems = []
    for principle_id in args.principle:
        if principle_id not in graph.principles:
            problems.append(f"expected the id of a principle, found `{principle_id}`")
            continue
        chosen.update((c.id, c) for c in graph.citations_of(graph.principles[principle_id]))
    for tag in args.tag:
        if tag not in graph.tags:
            problems.append(f"expected a tag in use, found `{tag}`")
            continue
        for entry in graph.tags[tag]:
            chosen.update((c.id, c) for c in graph.citations_of(entry))
    for entry_id in args.ids:
        if entry_id in graph.citations:
            chosen[entry_id] = graph.citations[entry_id]
        elif entry_id in entries:
            chosen.update((c.id, c) for c in graph.citations_of(entries[entry_id]))
        else:
            problems.append(f"expected the id of a citation, principle, benefit or limitation, "
                            f"found `{entry_id}`")
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_INVALID
    text = export_bibtex(chosen.values())
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"{args.out.as_posix()}: {len(chosen)} entries")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _import_bibtex(args: argparse.Namespace) -> int:
    # Other problems in the knowledge base (such as a citation imported but not yet cited)
    # must not block an import; existing files still count, valid or not.
    loaded = load_kb(args.kb, Path.cwd())
    try:
        text = args.file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        print(f"{args.file.as_posix()}: expected UTF-8 text, found other bytes", file=sys.stderr)
        return EXIT_INVALID
    result = import_bibtex(text, args.file.as_posix(), loaded.kb, role=args.role,
                           summary=args.summary, kb_folder=args.kb.as_posix(),
                           existing_ids=loaded.file_ids.get("citation", frozenset()))
    if result.issues:
        print(format_report(result.issues), file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return EXIT_INVALID
    for name in write_new_files(result.files, Path.cwd()):
        print(f"{name}: written")
    for note in result.notes:
        print(f"note: {note}")
    print("next: cite the new entry from an evidence item, then run `make validate`")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    """The argument parser, exposed so the docs can list the commands."""
    main_parser = argparse.ArgumentParser(
        prog="python -m kbsite", description="Validate and build the MLOps knowledge base."
    )
    commands = main_parser.add_subparsers(dest="command", required=True)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument(
            "--kb", type=Path, default=Path("kb"), help="knowledge-base folder (default: kb)"
        )
        return sub

    command("validate", "check every entry and report all problems").set_defaults(run=_validate)
    build = command("build", "write the generated pages and exports to a folder")
    build.add_argument("--out", type=Path, required=True, help="output folder")
    build.set_defaults(run=_build)
    schema = command("schema", "write kb/schema/*.schema.json from the declarations")
    schema.add_argument(
        "--check", action="store_true", help="only report files that differ from the declarations"
    )
    schema.set_defaults(run=_schema)
    export = command("export-bibtex", "print BibTeX for all citations or a selection")
    export.add_argument("--principle", action="append", default=[], metavar="ID",
                        help="citations a principle's page relies on (repeatable)")
    export.add_argument("--tag", action="append", default=[],
                        help="citations of the entries with this tag (repeatable)")
    export.add_argument("--ids", nargs="+", default=[], metavar="ID",
                        help="citations, or the citations of principles, benefits, limitations")
    export.add_argument("--out", type=Path, help="write to this file instead of stdout")
    export.set_defaults(run=_export_bibtex)
    importer = command("import-bibtex", "turn BibTeX entries into new citation entries")
    importer.add_argument("file", type=Path, help="a .bib file")
    importer.add_argument("--summary", required=True,
                          help="your own one-paragraph summary of the source (never the abstract)")
    importer.add_argument("--role", default="related",
                          choices=[name for name, _ in CITATION_ROLES.values],
                          help="primary study, framework, or related work (default: related)")
    importer.set_defaults(run=_import_bibtex)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    """Run a command; content problems exit 1 with a report and no traceback."""
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except KBError as error:
        print(error, file=sys.stderr)
        return EXIT_INVALID
    except (UnsafeWriteError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
