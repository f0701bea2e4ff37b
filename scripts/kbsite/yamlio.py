"""Safe YAML reading that keeps line numbers and refuses what PyYAML would silently accept.

PyYAML keeps the last of two duplicate keys and expands aliases without limit; a contributor's
data would be lost in the first case and a hostile file could exhaust memory in the second. So
documents are composed into nodes with the safe (libyaml where present) loader and turned into
plain values here, recording where each key and value stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple[str | int, ...]
"""Where a value sits inside a document, for example ("evidence", 0, "locator")."""

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclass(frozen=True)
class Position:
    """1-based line and column."""

    line: int
    column: int


@dataclass(frozen=True)
class YamlProblem:
    """A problem found while reading, before any schema applies."""

    position: Position
    message: str
    hint: str = ""


@dataclass
class Document:
    """One YAML document as plain values, with the position of every key and value."""

    data: Any
    value_positions: dict[Path_, Position] = field(default_factory=dict)
    key_positions: dict[Path_, Position] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)

    def position(self, path: Path_, *, key: bool = False) -> Position:
        """The position of the value (or key) at path, else of its nearest recorded ancestor."""
        table = self.key_positions if key else self.value_positions
        probe = path
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.value_positions:
                return self.value_positions[probe]
            probe = probe[:-1]
        return self.value_positions.get((), Position(1, 1))


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def parse_document(text: str) -> Document:
    """Parse one YAML document; syntax errors come back as problems, never as exceptions."""
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        problem = (error.problem or error.context or "invalid YAML").strip()
        return Document(
            data=None,
            problems=[
                YamlProblem(
                    position,
                    f"expected valid YAML, found a syntax error: {problem}",
                    "check the indentation and quoting on this line and the one before it",
                )
            ],
        )
    except yaml.YAMLError as error:
        return Document(
            data=None,
            problems=[YamlProblem(Position(1, 1), f"expected valid YAML, found: {error}")],
        )
    document = Document(data=None, problems=_alias_problems(text))
    if root is None:
        return document
    document.data = _Builder(document, text.split("\n")).build(root, ())
    return document


def _alias_problems(text: str) -> list[YamlProblem]:
    """Report each alias where it is written (composed nodes only remember the anchor)."""
    if "*" not in text:
        return []
    return [
        YamlProblem(
            Position(event.start_mark.line + 1, event.start_mark.column + 1),
            "expected each value written out, found a YAML alias (*name)",
            "anchors and aliases are not allowed in entries; copy the value instead",
        )
        for event in yaml.parse(text, Loader=SafeLoader)
        if isinstance(event, yaml.AliasEvent) and event.start_mark is not None
    ]


class _Builder:
    """Turns a node tree into plain values; each node is built once, so aliases cannot explode."""

    def __init__(self, document: Document, lines: list[str]) -> None:
        self.document = document
        self.lines = lines
        self.seen: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def problem(self, node: yaml.Node, message: str, hint: str = "") -> None:
        self.document.problems.append(YamlProblem(_position(node), message, hint))

    def build(self, node: yaml.Node, path: Path_) -> Any:
        position = _position(node)
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            # A block scalar starts on the line after its indicator: point at that line.
            line = position.line + 1
            text = self.lines[line - 1] if line <= len(self.lines) else ""
            position = Position(line, len(text) - len(text.lstrip(" ")) + 1)
        self.document.value_positions[path] = position
        if id(node) in self.seen:
            return None  # an alias, already reported by _alias_problems; never expanded
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        if node.tag not in _SCALAR_TAGS:
            self.problem(
                node,
                "expected plain text, a number, a list or a mapping, "
                f"found the YAML tag {node.tag}",
                "remove the tag; entries may only hold plain data",
            )
            return None
        if node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"):
            return str(node.value)  # dates stay text: the schema has no date fields
        return self.constructor.construct_object(node, deep=True)

    def build_mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(
                    key_node,
                    "expected a field name, found a YAML merge key (<<)",
                    "merge keys are not allowed in entries; write the fields out",
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, "expected a field name, found a list or mapping as a key")
                continue
            key = str(key_node.value)
            if key in result:
                first = self.document.key_positions[(*path, key)]
                self.problem(
                    key_node,
                    f"expected each field once, found `{key}` again (first on line {first.line})",
                    "PyYAML would silently keep only the last one; merge the two into one field",
                )
                continue
            self.document.key_positions[(*path, key)] = _position(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result
