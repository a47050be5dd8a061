"""The filter panel's widgets, and the filter state they show (filters.Filters) both ways.

Dates are typed (YYYY-MM-DD, or a month or year), each field one stop of the Tab key; a date
that cannot be read, or a range that ends before it starts, is said in words under the fields
and not applied, and the words say which view is still shown. On a narrow screen the panel is
the drawer of the bar above it (bar.py, dashboard.css).
"""

from __future__ import annotations

import html

import ipywidgets as w
import traitlets

from .choices import Choices
from .filters import Filters, Offered, parse_day

MAX_DATE_TEXT = 40  # characters a date field holds
SEARCH_FROM = 15  # claimants listed before the list gets a search box
# The hint that fits the device: pointer and keyboard, or touch (dashboard.css shows one).
HEADING = (
    "<h2 class='kursk-filters-h'>Filters</h2><p class='kursk-filter-hint'>"
    "<span class='kursk-hint-pointer'>Tick a box to show or hide it; “only” keeps just that "
    "one. From the keyboard: Tab to a list, ↑ ↓ to move, Space to tick.</span>"
    "<span class='kursk-hint-touch'>Tap a box to show or hide it; “only” keeps just that "
    "one.</span></p>"
)


class DateText(w.Text):
    """A typed date: any short text (said in words if it is not a date); a long value, which
    only a forged comm message can send, is refused."""

    @traitlets.validate("value")
    def _short(self, proposal):
        if len(proposal["value"]) > MAX_DATE_TEXT:
            raise traitlets.TraitError("a date field holds a short text")
        return proposal["value"]


class FilterPanel:
    """The filter widgets (`box` on the page) for what a dataset offers."""

    def __init__(self, offered: Offered):
        self.offered = offered
        self.claimant = Choices(
            options=offered.claimants,
            value=offered.claimant_ids,
            description="Claimants",
            noun="figures",
            all_button=True,
            searchable=len(offered.claimants) >= SEARCH_FROM,
        )
        self.claimant.add_class("kursk-filter-claimant")
        self.metric = Choices(
            options=offered.groups, value=offered.group_ids, description="Metrics"
        )
        self.metric.add_class("kursk-filter-metric")
        self.assessment = Choices(
            options=offered.assessments,
            value=offered.assessment_ids,
            description="Our assessment",
        )
        self.assessment.add_class("kursk-filter-assessment")
        date = {"continuous_update": False, "style": {"description_width": "initial"}}
        self.since = DateText(description="From", placeholder="YYYY-MM-DD", **date)
        self.since.add_class("kursk-filter-since")
        self.until = DateText(description="To", placeholder="YYYY-MM-DD", **date)
        self.until.add_class("kursk-filter-until")
        self.known = DateText(description="As known on", placeholder="today", **date)
        self.known.add_class("kursk-filter-known")
        self.independent = w.Checkbox(
            description="Reported by 2+ independent sources only", value=False, indent=False
        )
        self.independent.add_class("kursk-filter-independent")
        self.reset = w.Button(description="Reset filters")
        self.reset.add_class("kursk-reset")
        self.date_note = w.HTML()
        self.date_note.add_class("kursk-date-note")
        self.status = w.HTML()
        self.status.add_class("kursk-status")
        self.show(offered.default())

    def controls(self) -> list[w.Widget]:
        """Every widget that changes the filters (each calls back on `value`)."""
        return [
            self.claimant,
            self.metric,
            self.assessment,
            self.since,
            self.until,
            self.known,
            self.independent,
        ]

    def box(self, download: w.Widget) -> w.Widget:
        """The panel as laid out on the page (the CSV download at its foot)."""
        first, last = self.offered.date_range
        span = f"{first:%Y-%m-%d} to {last:%Y-%m-%d}" if first and last else "none"
        dates = w.HTML(
            "<div class='kursk-filter-caption'>Dates the numbers hold for (“as of”; "
            f"the figures span {span})</div>"
        )
        known = w.HTML(
            "<div class='kursk-filter-caption'>What was known on a past day (sources "
            "published by then)</div>"
        )
        panel = w.VBox(
            [
                w.HTML(HEADING),
                self.claimant,
                self.metric,
                dates,
                self.since,
                self.until,
                known,
                self.known,
                self.date_note,
                self.assessment,
                self.independent,
                self.reset,
                self.status,
                download,
            ]
        )
        panel.add_class("kursk-filters")
        return panel

    # --- the state ------------------------------------------------------------------------------

    def read(self) -> Filters:
        """The filters the widgets show; ValueError (in words) for a date that cannot be read."""
        first, last = self.offered.date_range
        since = parse_day(self.since.value) if self.since.value.strip() else first
        until = parse_day(self.until.value, end=True) if self.until.value.strip() else last
        known = parse_day(self.known.value, end=True) if self.known.value.strip() else None
        every = set(self.assessment.value) == set(self.offered.assessment_ids)
        return Filters(
            tuple(self.claimant.value),
            tuple(self.metric.value),
            since,
            until,
            bool(self.independent.value),
            None if every else tuple(self.assessment.value),
            known,
        )

    def show(self, f: Filters) -> None:
        """Set every widget to a selection (the caller holds back the change callbacks)."""
        self.claimant.value = tuple(f.claimants)
        self.metric.value = tuple(f.metric_groups)
        self.assessment.value = (
            self.offered.assessment_ids if f.assessments is None else tuple(f.assessments)
        )
        self.since.value = f.since.isoformat() if f.since else ""
        self.until.value = f.until.isoformat() if f.until else ""
        self.known.value = f.known_on.isoformat() if f.known_on else ""
        self.independent.value = bool(f.independent)

    def counts(self, counts: dict | None) -> None:
        """The figures beside each choice, under the other filters."""
        if not counts:
            return
        self.claimant.counts = counts.get("claimants", {})
        self.metric.counts = counts.get("metric_groups", {})
        self.assessment.counts = counts.get("assessments", {})

    def say(self, problem: str | None, shown: Filters | None = None) -> None:
        """A date problem under the date fields (and which view is still shown), or none."""
        if not problem:
            self.date_note.value = ""
            return
        still = ""
        if shown is not None:
            still = (
                f" The previous view is kept: figures as of {shown.since:%Y-%m-%d} to "
                f"{shown.until:%Y-%m-%d}"
                + (f", as known on {shown.known_on:%Y-%m-%d}" if shown.known_on else "")
                + "."
                if shown.since and shown.until
                else " The previous view is kept."
            )
        self.date_note.value = (
            f"<p class='kursk-problem' role='alert'>{html.escape(problem + still)}</p>"
        )
