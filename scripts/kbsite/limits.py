"""Bounds on what one entry file may hold, declared once.

Entry files come from strangers. These bounds keep every stage linear and finite: a file is read
up to MAX_FILE_BYTES, its YAML is walked without recursion and refused past MAX_DEPTH levels,
MAX_NODES values or a list of more than MAX_LIST_ITEMS items, and no file reports more than
MAX_PROBLEMS_PER_FILE problems. The largest real entry is a few kilobytes, under 600 values and
eight levels deep, so honest contributors never meet them. Field-level bounds (string lengths,
list lengths) belong to the data model.
"""

from __future__ import annotations

MAX_FILE_BYTES = 256 * 1024
"""Largest entry file, in bytes."""

MAX_DEPTH = 20
"""Deepest nesting of lists and mappings in an entry file."""

MAX_NODES = 10_000
"""Most values (scalars, lists and mappings together) in one entry file."""

MAX_LIST_ITEMS = 1_000
"""Most items in any one list of an entry file. The data model sets tighter bounds per field;
this one holds whatever the field, as third-party build steps (MkDocs' tags and search plugins)
are quadratic in the tags of one page."""

MAX_PROBLEMS_PER_FILE = 20
"""Problems reported per file before the rest are summed up in one line."""

MAX_FILES_PER_FOLDER = 10_000
"""Most directory entries read from one folder of kb/."""
