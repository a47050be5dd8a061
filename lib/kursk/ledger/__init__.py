"""The ledger: the curated YAML read, validated and normalized into typed frames.

Data flows one way: files (`read`, each against its pydantic model in `models`) → rules across
files (`checks`) → frames (`normalize`, dtypes declared in `frames`) → a `Dataset` (`dataset`).
Every problem is an `Issue` with file, line, field and fix (`issues`).
"""

from .dataset import Dataset, FilterError, export_text, load
from .issues import DataError, Issue, IssueCode

__all__ = ["DataError", "Dataset", "FilterError", "Issue", "IssueCode", "export_text", "load"]
