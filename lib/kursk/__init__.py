"""Kursk Figures: the contested numbers of North Korea's deployment to Kursk, with sources.

`kursk.load()` reads and validates data/ into a `Dataset` of typed frames; the subpackages
are ledger (data model), analysis (facts), charts, dashboard, briefing and serve.
"""

from . import paths
from .ledger import DataError, Dataset, FilterError, Issue, IssueCode, load

__all__ = ["DataError", "Dataset", "FilterError", "Issue", "IssueCode", "load", "paths"]
__version__ = "0.1.0"
