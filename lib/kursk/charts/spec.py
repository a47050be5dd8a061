"""Figures as plotly JSON, built through the few go.Figure methods the chart builders use.

Building plotly's validated objects costs about twice the builders' own work, and the dashboard
needs new figures within a filter change; `make bench` shows both paths (the "as the page's
JSON" row). The public builders return go.Figure(spec), which validates it, and a test checks
that its JSON is exactly figure_json(spec), what the dashboard sends.
"""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio

from . import theme


def _nest(props: dict) -> dict:
    """plotly's "magic underscores": {"xaxis_title_text": t} -> {"xaxis": {"title": {"text": t}}}."""
    out: dict = {}
    for key, value in props.items():
        *path, last = key.split("_")
        node = out
        for part in path:
            node = node.setdefault(part, {})
        if isinstance(value, dict) and isinstance(node.get(last), dict):
            _merge(node[last], value)
        else:
            node[last] = value
    return out


def _merge(into: dict, new: dict) -> None:
    """go.Figure.update semantics: nested dicts are merged, None unsets, the rest replaces."""
    for key, value in new.items():
        if value is None:
            into.pop(key, None)
        elif isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _props(props: dict) -> dict:
    out: dict = {}
    _merge(out, _nest(props))
    return out


def trace(kind: str, **props) -> dict:
    return {"type": kind, **_props(props)}


class Spec(dict):
    """A figure as plotly JSON ({"data": [...], "layout": {...}}), built like a go.Figure."""

    def __init__(self, *traces: dict):
        super().__init__(data=list(traces), layout={})

    def add_trace(self, trace: dict) -> None:
        self["data"].append(trace)

    def update_layout(self, **props) -> None:
        _merge(self["layout"], _nest(props))

    def update_xaxes(self, **props) -> None:
        _merge(self["layout"].setdefault("xaxis", {}), _nest(props))

    def update_yaxes(self, **props) -> None:
        _merge(self["layout"].setdefault("yaxis", {}), _nest(props))

    def add_annotation(self, **props) -> None:
        self["layout"].setdefault("annotations", []).append(_props(props))

    def add_shape(self, **props) -> None:
        self["layout"].setdefault("shapes", []).append(_props(props))


def figure_json(fig: go.Figure | dict) -> dict:
    """A figure (go.Figure or Spec) as the JSON plotly.js draws: a Spec's template name written
    out, values (dates, NumPy numbers) exactly as plotly's own encoder writes them."""
    if isinstance(fig, dict) and isinstance(fig["layout"].get("template"), str):
        layout = fig["layout"]
        fig = {**fig, "layout": {**layout, "template": theme.template_json(layout["template"])}}
    return json.loads(pio.to_json(fig, validate=False, remove_uids=True))
