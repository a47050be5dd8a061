"""A list of checkboxes as one widget (choices.js): the claimant, metric and assessment filters.

A checkbox list, not a multiple select: on a touch screen a tap ticks one box (no Ctrl-click),
every choice is visible with the number of figures it has under the other filters, and arrow
keys only move between boxes: a selection changes when a box is ticked (Space, a click or a
tap), never by moving through the list. The list is one stop of the Tab key (arrow keys move
within it), so the keyboard reaches the charts and the table in a few stops.

The page can send any value over the widget's comm; only the offered values pass.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets


class Choices(anywidget.AnyWidget):
    """Checkboxes for `options` [(label, value)], `value` the tuple of values ticked."""

    _esm = Path(__file__).with_name("choices.js")
    options = traitlets.List().tag(sync=True)  # [[label, value], ...]
    value = traitlets.Tuple().tag(sync=True)
    counts = traitlets.Dict().tag(sync=True)  # value -> figures under the other filters
    description = traitlets.Unicode("").tag(sync=True)  # the list's name (its legend)
    noun = traitlets.Unicode("figures").tag(sync=True)  # what the counts count
    all_button = traitlets.Bool(False).tag(sync=True)  # a "Select all / Clear" button
    searchable = traitlets.Bool(False).tag(sync=True)  # a search box above the list
    disabled = traitlets.Bool(False).tag(sync=True)

    @traitlets.validate("value")
    def _valid(self, proposal):
        value = proposal["value"]
        offered = [v for _, v in self.options]
        if not all(isinstance(v, str) for v in value) or not set(value) <= set(offered):
            raise traitlets.TraitError("a value that is not offered")
        if len(set(value)) != len(value):
            raise traitlets.TraitError("a value given twice")
        return tuple(v for v in offered if v in set(value))  # the offered order

    @traitlets.validate("options")
    def _valid_options(self, proposal):
        return [[str(label), str(value)] for label, value in proposal["value"]]
