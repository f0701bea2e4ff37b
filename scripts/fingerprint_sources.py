#!/usr/bin/env python3
"""Fingerprint source texts so the tests can catch copied sentences without holding the texts.

The repository may not redistribute the papers it cites, yet its tests must check that no entry
copies a sentence from them. So a maintainer who has a source's text runs this script once; it
keeps, per source, only the hashes of every run of eight consecutive words, and the tests compare
the same hashes of the entries' prose against them.

How a text becomes fingerprints (``shingle_hashes``; the tests use the very same function):

1. Unicode NFKC, then case folding; a word broken by a hyphen at a line end is joined again.
2. Words are the maximal runs of letters and digits; punctuation, whitespace and underscores
   only separate words (so "ML-DevOps," and "ml devops" are the same two words).
3. Every run of ``SHINGLE_WORDS`` (8) consecutive words is joined by single spaces, hashed with
   plain SHA-256 (no salt: the hashes protect nobody's secret, they only keep the text itself
   out of the repository), and the first 16 hex digits (64 bits) are kept.

The file is plain text, one section per source, sorted, so that a change reads well in a diff:

    [source araujo-2024]
    00a3...
    ...

Usage (run by hand; no test or build reads the texts)::

    scripts/fingerprint_sources.py --add araujo-2024 path/to/paper.txt
    scripts/fingerprint_sources.py --add zhou-2022 zhou-abstract.txt --add offerman-2022 o.txt
    scripts/fingerprint_sources.py path/to/araujo-2024.txt      # name = the file's stem
    scripts/fingerprint_sources.py --remove zhou-2022
    scripts/fingerprint_sources.py --list

Adding a source that is already there replaces its fingerprints; the others stay.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

SHINGLE_WORDS = 8
HASH_HEX_DIGITS = 16
FINGERPRINTS = (
    Path(__file__).resolve().parent.parent / "tests" / "fixtures" / ("source-fingerprints.txt")
)
HEADER = f"""\
# Fingerprints of the source texts the knowledge base draws on: never the texts themselves.
# Each line under a [source NAME] is the SHA-256 (first {HASH_HEX_DIGITS} hex digits) of a run
# of {SHINGLE_WORDS} consecutive words, after NFKC, case folding and splitting on everything that
# is not a letter or digit. Written by scripts/fingerprint_sources.py; edit with it, not by hand.
"""

_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SECTION = re.compile(r"\[source ([^\]]+)\]")
_HASH = re.compile(rf"[0-9a-f]{{{HASH_HEX_DIGITS}}}")
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n\s*(?=[^\W\d_])")
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The text's words, normalised so that case, punctuation and spacing do not matter."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(_LINE_END_HYPHEN.sub("", text))


def shingles(text: str) -> list[str]:
    """Every run of ``SHINGLE_WORDS`` consecutive words, in order, joined by spaces."""
    found = words(text)
    return [" ".join(found[i : i + SHINGLE_WORDS]) for i in range(len(found) - SHINGLE_WORDS + 1)]


def fingerprint(shingle: str) -> str:
    """The stored hash of one shingle."""
    return hashlib.sha256(shingle.encode("utf-8")).hexdigest()[:HASH_HEX_DIGITS]


def shingle_hashes(text: str) -> set[str]:
    """The fingerprints of a text: what the file stores for a source."""
    return {fingerprint(s) for s in shingles(text)}


def copied_runs(text: str, sources: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(source name, run of words) for every run of the text whose fingerprint a source holds."""
    found = []
    for shingle in shingles(text):
        digest = fingerprint(shingle)
        found += [(name, shingle) for name, hashes in sorted(sources.items()) if digest in hashes]
    return found


class FingerprintFileError(ValueError):
    """The fingerprint file is not in the format this script writes."""


def read_fingerprints(path: Path) -> dict[str, set[str]]:
    """Source name -> fingerprints, from a file this script wrote."""
    sources: dict[str, set[str]] = {}
    current: set[str] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        section = _SECTION.fullmatch(line)
        if section:
            name = section.group(1)
            if not _NAME.fullmatch(name) or name in sources:
                raise FingerprintFileError(
                    f"{path}:{number}: expected a new kebab-case source name, found `{name}`"
                )
            current = sources[name] = set()
        elif _HASH.fullmatch(line) and current is not None:
            current.add(line)
        else:
            raise FingerprintFileError(
                f"{path}:{number}: expected `[source NAME]` or a "
                f"{HASH_HEX_DIGITS}-digit hex hash, found `{line[:40]}`"
            )
    return sources


def format_fingerprints(sources: dict[str, set[str]]) -> str:
    """The file's text: deterministic, sources and hashes sorted."""
    parts = [HEADER]
    for name in sorted(sources):
        parts.append(f"\n[source {name}]\n")
        parts.extend(f"{digest}\n" for digest in sorted(sources[name]))
    return "".join(parts)


def _source_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise argparse.ArgumentTypeError(
            f"expected a kebab-case source name (best: the citation id), found `{name}`"
        )
    return name


def _parse_args(argv: Iterable[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Add, replace or remove the fingerprints of source texts "
        "(the texts themselves never enter the repository)."
    )
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="a source text; its name is the file's stem",
    )
    parser.add_argument(
        "--add",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "FILE"),
        help="fingerprint FILE as source NAME (best: its citation id); replaces NAME if present",
    )
    parser.add_argument(
        "--remove",
        action="append",
        default=[],
        type=_source_name,
        metavar="NAME",
        help="drop the fingerprints of source NAME",
    )
    parser.add_argument(
        "--list", action="store_true", help="print each source and how many fingerprints it has"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=FINGERPRINTS,
        help=f"the fingerprint file (default: {FINGERPRINTS.name} in tests/fixtures/)",
    )
    return parser.parse_args(list(argv))


def main(argv: Iterable[str] | None = None) -> int:
    """Update the fingerprint file; print one line per source changed."""
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    try:
        sources = read_fingerprints(args.out) if args.out.exists() else {}
        additions = [(_source_name(path.stem), path) for path in args.files]
        additions += [(_source_name(name), Path(path)) for name, path in args.add]
    except (FingerprintFileError, argparse.ArgumentTypeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    changes = []
    for name, path in additions:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            print(
                f"error: {path}: expected a readable UTF-8 text file, found {error}",
                file=sys.stderr,
            )
            return 1
        hashes = shingle_hashes(text)
        if not hashes:
            print(
                f"error: {path}: expected at least {SHINGLE_WORDS} words, found {len(words(text))}",
                file=sys.stderr,
            )
            return 1
        changes.append(
            f"{name}: {len(hashes)} fingerprints from {path}"
            f"{' (replaced)' if name in sources else ''}"
        )
        sources[name] = hashes
    for name in args.remove:
        if sources.pop(name, None) is None:
            print(f"error: expected a source in {args.out}, found no `{name}`", file=sys.stderr)
            return 1
        changes.append(f"{name}: removed")
    if args.list:
        for name in sorted(sources):
            print(f"{name}: {len(sources[name])} fingerprints")
    if changes:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(format_fingerprints(sources), encoding="utf-8")
        print("\n".join(changes))
    elif not args.list:
        print(
            "nothing to do: give source files, --add NAME FILE, --remove NAME or --list",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
