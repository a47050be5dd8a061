"""Kursk Figures: the contested numbers of North Korea's deployment to Kursk, with sources."""

from .errors import DataError, Issue
from .loader import Dataset, load

__all__ = ["DataError", "Dataset", "Issue", "load"]
__version__ = "0.1.0"
