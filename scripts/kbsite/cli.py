"""Command line: `python -m kbsite validate|build|schema`. Prints; holds no logic of its own."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kbsite.errors import KBError
from kbsite.pipeline import build_site, check_kb
from kbsite.schema import ENTRY_TYPES, json_schema
from kbsite.write import UnsafeWriteError, write_tree

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
    report = write_tree(expected, folder)
    print(f"{folder.as_posix()}: {len(report.written)} written, {report.unchanged} unchanged")
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
