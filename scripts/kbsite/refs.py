"""Every reference from one entry to another, found through the Reference-typed model fields.

Which fields are references is declared once, by their types in `model.py` (`CitationId`,
`PrincipleId`, ...); the reference check and the link graph both read them from here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from kbsite.model import Entry, Record
from kbsite.validation import Slot, slots
from kbsite.yamlio import Path_


@dataclass(frozen=True)
class Ref:
    """One reference: which entry holds it, where, to which entry types, and the id."""

    entry: Entry
    path: Path_
    targets: tuple[str, ...]
    target: str

    @property
    def field(self) -> str:
        """The dotted field path without list positions, e.g. `evidence.citation`."""
        return ".".join(str(part) for part in self.path if isinstance(part, str))


@functools.cache
def _linking_fields(model: type[Record]) -> tuple[tuple[str, Slot], ...]:
    """The fields of a model that hold references, or records that may hold some."""
    return tuple(
        (name, slot)
        for name, slot in slots(model).items()
        if slot.reference is not None or slot.record is not None
    )


def _walk(record: Record, path: Path_) -> Iterator[tuple[Path_, tuple[str, ...], str]]:
    for name, slot in _linking_fields(type(record)):
        value = getattr(record, name)
        items = list(enumerate(value)) if slot.sequence else [(None, value)]
        for index, item in items:
            where = (*path, name) if index is None else (*path, name, index)
            if slot.reference is not None and isinstance(item, str):
                yield where, slot.reference.targets, item
            elif isinstance(item, Record):
                yield from _walk(item, where)


def references(entry: Entry) -> Iterator[Ref]:
    """The references an entry makes, in the order they are written."""
    for path, targets, target in _walk(entry, ()):
        yield Ref(entry, path, targets, target)
