"""Build code for the MLOps principles knowledge base.

The public entry point is `build_site`; the MkDocs hook and the command line both call it.
"""

from kbsite.errors import Issue, KBError
from kbsite.pipeline import Site, build_site, check_kb

__all__ = ["Issue", "KBError", "Site", "build_site", "check_kb"]
