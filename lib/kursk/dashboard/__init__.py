"""The read-only dashboard: ipywidgets wired in `app.Dashboard`, served by Voila (serve/)."""

from .app import Dashboard
from .filters import Filters

__all__ = ["Dashboard", "Filters"]
