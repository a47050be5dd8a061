"""Layout checks on charts as a browser draws them: overlapping, cut, duplicate or missing labels.

Each figure (plotly JSON) is drawn by the vendored plotly.js in one Chromium page, in sequence
(newPlot, measure, purge), and the page measures the SVG plotly drew. The rules:

- overlap: two visible, non-empty texts (tick labels, axis and chart titles, annotations,
  legend entries, data labels) overlap by more than TOLERANCE px. Boxes are the texts' own
  boxes rotated with them (rotated tick labels are not their axis-aligned hulls), tested with
  separating axes, and they span the glyphs' ink, not the font's line box.
- duplicate label: two tick labels of one y axis read the same, or of one category x axis
  (on linear and date x axes plotly picks the ticks; only a category axis repeats a name).
- skipped tick: a category in a category axis's range has no visible tick label (plotly thins
  crowded category axes to every 2nd, 3rd... category without saying so).
- outside figure: a text, or the legend's box, leaves the figure (the SVG's box): it is cut.
- outside plot area: a data label, or an annotation anchored in the plot area (on data axes,
  or at paper coordinates strictly inside 0..1), leaves its plot area. Annotations anchored on
  the plot's edge or outside it (titles, source lines, keys) are held to the figure only.
- hidden annotation: an annotation plotly did not draw (anchored on a data axis outside its
  range: a value label past the axis's end vanishes silently).
- legend cut: the legend is taller than its room, so plotly clips it (behind a scrollbar
  when interactive; a picture never shows the hidden entries).

`check_figures(browser, {name: figure_json})` returns {name: ["kind: message", ...]}; an empty
list means the chart's layout is clean. `LayoutChecker` keeps the page for a batch and can also
screenshot each figure with the offending boxes outlined (bench.gallery).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go

from kursk.charts.spec import Spec, figure_json
from kursk.paths import PLOTLY_JS

TOLERANCE = 1.5  # px: anti-aliased glyph edges of neighbours may touch
WIDTH, HEIGHT = 1100, 560
MAX_PER_KIND = 8  # per figure; the rest of a kind is summed up in one line

KINDS = (
    "overlap",
    "duplicate label",
    "skipped tick",
    "outside figure",
    "outside plot area",
    "legend cut",
    "hidden annotation",
)

_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'>"
    "<style>body{margin:0;background:#fff}#plot{position:relative}</style>"
    "</head><body><div id='plot'></div></body></html>"
)

# Draws one figure and returns its violations as {kind, message, boxes}; boxes are [x, y, w, h]
# in figure pixels, for outlining. Runs in the page: Playwright passes the JSON in.
_CHECK_JS = r"""
async ({fig, width, height, tol}) => {
  const gd = document.getElementById('plot');
  Plotly.purge(gd);
  const layout = Object.assign({}, fig.layout || {}, {width, height, autosize: false});
  // staticPlot: no modebar or drag layers; what a picture of the chart shows
  await Plotly.newPlot(gd, fig.data || [], layout, {staticPlot: true});
  const fl = gd._fullLayout;
  const svg = gd.querySelector('svg.main-svg');
  const origin = svg.getBoundingClientRect();
  const FIG = {x0: 0, y0: 0, x1: fl.width, y1: fl.height};
  const out = [];
  const short = s => (s.length > 48 ? s.slice(0, 47) + '…' : s);
  const clean = s => s.replace(/\s+/g, ' ').trim();
  // plotly writes each <br> line as a tspan.line: read them apart ("Feb 23 2025", not "Feb 232025")
  const textOf = t => {
    const lines = t.querySelectorAll('tspan.line');
    return clean(lines.length ? [...lines].map(l => l.textContent).join(' ') : t.textContent || '');
  };

  // --- every visible text, with its kind, subplot and rotated box -------------------------
  const axisOf = ref => {
    const m = /^([xy])(\d*)/.exec(ref || '');
    return m ? fl[m[1] + 'axis' + m[2]] : null;
  };
  const subplotOf = el => {
    for (let e = el; e && e !== gd; e = e.parentNode) {
      for (const c of (e.classList || [])) if (fl._plots && fl._plots[c]) return fl._plots[c];
    }
    return null;
  };
  const classify = t => {
    const p = t.parentNode, pc = (p && p.getAttribute('class')) || '';
    const c = t.getAttribute('class') || '';
    const tick = /^([xy]\d*)tick\b/.exec(pc);
    if (tick) return {kind: 'tick', axis: tick[1]};
    if (c.includes('annotation-text')) {
      const g = t.closest('g.annotation');
      return {kind: 'annotation', index: g ? +g.getAttribute('data-index') : -1};
    }
    if (c.includes('legendtext') || c.includes('legendtitletext')) return {kind: 'legend'};
    if (c === 'gtitle') return {kind: 'title'};
    if (/^g-[xy]\d*title/.test(pc)) return {kind: 'axis title'};
    if (t.closest('.textpoint') || c.includes('bartext') || pc.includes('heatmap-label'))
      return {kind: 'data label'};
    return {kind: 'text'};
  };
  // A text's box is where its glyphs are, not its line box: a line box has room for accents
  // above and descenders below that most labels leave empty, and crowded rows (or check marks
  // in a heatmap) would "overlap" by those blank pixels. A single-line text gets its ink from
  // canvas measureText in its own font; a text of several lines (tspans) its line box less the
  // room above capitals, 0.2 em of DejaVu's 0.93 em ascent (measured: "Hpx" inks 0.73 em up).
  const ACCENT_ROOM = 0.2;
  const ctx = document.createElement('canvas').getContext('2d');
  const inkRows = el => {
    const b = el.getBBox();
    const first = el.querySelector('tspan.line') || el;
    const cs = getComputedStyle(first);
    if (el.querySelector('tspan')) return [b.y + Math.min(ACCENT_ROOM * parseFloat(cs.fontSize),
                                                          b.height / 2), b.y + b.height];
    ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const m = ctx.measureText(el.textContent);
    const baseline = b.y + m.fontBoundingBoxAscent;
    return [baseline - m.actualBoundingBoxAscent, baseline + m.actualBoundingBoxDescent];
  };
  const polyOf = (el, ink = false) => {
    const b = el.getBBox(), m = el.getScreenCTM();
    const [y0, y1] = ink ? inkRows(el) : [b.y, b.y + b.height];
    return [[b.x, y0], [b.x + b.width, y0], [b.x + b.width, y1], [b.x, y1]]
      .map(([x, y]) => {
        const q = new DOMPoint(x, y).matrixTransform(m);
        return [q.x - origin.left, q.y - origin.top];
      });
  };
  const hull = poly => {
    const xs = poly.map(p => p[0]), ys = poly.map(p => p[1]);
    return {x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys)};
  };
  const visible = el =>
    el.checkVisibility({opacityProperty: true, visibilityProperty: true}) &&
    el.getClientRects().length > 0;

  const texts = [];
  for (const t of gd.querySelectorAll('text')) {
    const s = textOf(t);
    if (!s || !visible(t)) continue;
    const poly = polyOf(t, true), box = hull(poly);
    if (box.x1 - box.x0 < 0.5 || box.y1 - box.y0 < 0.5) continue;
    const info = classify(t);
    texts.push(Object.assign(info, {el: t, s, poly, box, plot: subplotOf(t),
                                    data: t.__data__ || (t.parentNode && t.parentNode.__data__)}));
  }
  const what = t => {
    const where = t.kind === 'tick' ? ` ${t.axis}` : '';
    return `${t.kind}${where} "${short(t.s)}"`;
  };
  const rect = b => [b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0];
  const outside = (b, area) =>
    b.x0 < area.x0 - tol || b.y0 < area.y0 - tol || b.x1 > area.x1 + tol || b.y1 > area.y1 + tol;
  const side = (b, area) => {
    const s = [];
    if (b.x0 < area.x0 - tol) s.push(`left by ${Math.round(area.x0 - b.x0)} px`);
    if (b.x1 > area.x1 + tol) s.push(`right by ${Math.round(b.x1 - area.x1)} px`);
    if (b.y0 < area.y0 - tol) s.push(`top by ${Math.round(area.y0 - b.y0)} px`);
    if (b.y1 > area.y1 + tol) s.push(`bottom by ${Math.round(b.y1 - area.y1)} px`);
    return s.join(', ');
  };
  const areaOfAxes = (xa, ya) => {
    const s = fl._size;
    return {
      x0: xa ? xa._offset : s.l, x1: xa ? xa._offset + xa._length : s.l + s.w,
      y0: ya ? ya._offset : s.t, y1: ya ? ya._offset + ya._length : s.t + s.h,
    };
  };

  // --- annotations plotly did not draw: one anchored on a data axis outside the axis's range
  //     is dropped without a word (a value label beyond the axis's end vanishes) ---------------
  (fl.annotations || []).forEach((a, i) => {
    const s = clean(String(a.text || '').replace(/<br>/g, ' ').replace(/<[^>]*>/g, ''));
    if (a.visible === false || !s) return;
    if (gd.querySelector(`g.annotation[data-index="${i}"] text`)) return;  // drawn (seen or not)
    const raw = (gd.layout.annotations || [])[i] || a;
    out.push({kind: 'hidden annotation', boxes: [], message: `annotation "${short(s)}" is not ` +
      `drawn: its anchor (x=${raw.x}, y=${raw.y}) is outside the axis range`});
  });

  // --- the legend: within the figure, every entry inside its box. A legend taller than its
  //     room is clipped to it (behind a scrollbar when interactive): its hidden entries are one
  //     violation, and are no texts of the picture for the other checks --------------------------
  const clipped = new Set();
  for (const lg of gd.querySelectorAll('g.legend')) {
    const bg = lg.querySelector('rect.bg');
    if (!bg || !visible(bg)) continue;
    const box = hull(polyOf(bg));
    const entries = [...lg.querySelectorAll('g.traces')];
    if (outside(box, FIG)) out.push({kind: 'outside figure', boxes: [rect(box)],
      message: `legend (${entries.length} entries) leaves the figure (${side(box, FIG)})`});
    const hidden = texts.filter(t => t.kind === 'legend' && lg.contains(t.el) && outside(t.box, box));
    hidden.forEach(t => clipped.add(t));
    if (hidden.length) out.push({kind: 'legend cut', boxes: [rect(box)],
      message: `legend shows ${entries.length - hidden.length} of ${entries.length} entries; ` +
               `${hidden.slice(0, 3).map(t => `"${short(t.s)}"`).join(', ')}` +
               `${hidden.length > 3 ? ` and ${hidden.length - 3} more` : ''} cut off`});
  }
  for (let i = texts.length - 1; i >= 0; i--) if (clipped.has(texts[i])) texts.splice(i, 1);

  // --- overlap: separating-axis test on the rotated boxes, deeper than tol on every axis ----
  const depth = (a, b) => {
    let least = Infinity;
    for (const poly of [a, b]) {
      for (let i = 0; i < 4; i++) {
        const [x0, y0] = poly[i], [x1, y1] = poly[(i + 1) % 4];
        const len = Math.hypot(x1 - x0, y1 - y0) || 1;
        const nx = -(y1 - y0) / len, ny = (x1 - x0) / len;
        const pa = a.map(p => p[0] * nx + p[1] * ny), pb = b.map(p => p[0] * nx + p[1] * ny);
        least = Math.min(least, Math.min(Math.max(...pa), Math.max(...pb)) -
                                Math.max(Math.min(...pa), Math.min(...pb)));
        if (least <= tol) return least;
      }
    }
    return least;
  };
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i], b = texts[j];
      if (a.el === b.el) continue;
      if (a.box.x0 >= b.box.x1 - tol || b.box.x0 >= a.box.x1 - tol ||
          a.box.y0 >= b.box.y1 - tol || b.box.y0 >= a.box.y1 - tol) continue;
      const d = depth(a.poly, b.poly);
      if (d > tol) out.push({kind: 'overlap', boxes: [rect(a.box), rect(b.box)],
        message: `${what(a)} overlaps ${what(b)} by ${Math.round(d)} px`});
    }
  }

  // --- tick labels: duplicates and skipped categories, per axis ------------------------------
  const ticks = {};
  for (const t of texts) if (t.kind === 'tick') (ticks[t.axis] = ticks[t.axis] || []).push(t);
  for (const ax of [...(fl._subplots ? fl._subplots.xaxis : []).map(id => axisOf(id)),
                    ...(fl._subplots ? fl._subplots.yaxis : []).map(id => axisOf(id))]) {
    if (!ax || !ax._id) continue;
    const labels = ticks[ax._id] || [];
    const category = ax.type === 'category' || ax.type === 'multicategory';
    if (ax._id[0] === 'y' || category) {
      const seen = {};
      for (const t of labels) (seen[t.s] = seen[t.s] || []).push(t);
      for (const [s, same] of Object.entries(seen)) {
        if (same.length > 1) out.push({kind: 'duplicate label', boxes: same.map(t => rect(t.box)),
          message: `${ax._id} axis shows "${short(s)}" ${same.length} times`});
      }
    }
    if (ax.type === 'category' && ax.visible !== false && ax.showticklabels !== false) {
      const cats = ax._categories || [];
      const lo = Math.min(...ax.range), hi = Math.max(...ax.range);
      const shown = new Set(labels.filter(t => t.data && typeof t.data.x === 'number')
                                  .map(t => Math.round(t.data.x)));
      const missing = [];
      cats.forEach((c, i) => { if (i >= lo && i <= hi && !shown.has(i)) missing.push(String(c)); });
      if (missing.length) {
        const inRange = cats.filter((c, i) => i >= lo && i <= hi).length;
        const named = missing.slice(0, 3).map(c => `"${short(clean(c.replace(/<br>/g, ' ')))}"`);
        const more = missing.length > 3 ? ` and ${missing.length - 3} more` : '';
        out.push({kind: 'skipped tick', boxes: [], message: `${ax._id} axis labels ` +
          `${inRange - missing.length} of ${inRange} categories; no label for ${named.join(', ')}${more}`});
      }
    }
  }

  // --- cut texts: every text within the figure; data labels and in-plot annotations within
  //     their plot area -----------------------------------------------------------------------
  const refIsAxis = ref => /^[xy]\d*$/.test(ref || '');
  const inside01 = v => typeof v === 'number' && v > 0 && v < 1;
  for (const t of texts) {
    if (outside(t.box, FIG)) {
      out.push({kind: 'outside figure', boxes: [rect(t.box)],
        message: `${what(t)} leaves the figure (${side(t.box, FIG)})`});
      continue;
    }
    let area = null;
    if (t.kind === 'data label' && t.plot) area = areaOfAxes(t.plot.xaxis, t.plot.yaxis);
    if (t.kind === 'annotation') {
      const a = (fl.annotations || [])[t.index];
      if (a && (refIsAxis(a.xref) || inside01(a.x)) && (refIsAxis(a.yref) || inside01(a.y))) {
        area = areaOfAxes(refIsAxis(a.xref) || /domain/.test(a.xref) ? axisOf(a.xref) : null,
                          refIsAxis(a.yref) || /domain/.test(a.yref) ? axisOf(a.yref) : null);
      }
    }
    if (area && outside(t.box, area)) out.push({kind: 'outside plot area', boxes: [rect(t.box)],
      message: `${what(t)} leaves the plot area (${side(t.box, area)})`});
  }

  return out;
}
"""

_MARK_JS = r"""
boxes => {
  const gd = document.getElementById('plot');
  for (const [x, y, w, h] of boxes) {
    const d = document.createElement('div');
    d.className = 'kursk-mark';
    d.style.cssText = `position:absolute;left:${x - 1}px;top:${y - 1}px;width:${w}px;` +
      `height:${h}px;border:1px solid rgba(220,0,0,.85);pointer-events:none;z-index:10`;
    gd.appendChild(d);
  }
}
"""


@dataclass
class Violation:
    kind: str
    message: str
    boxes: list[list[float]] = field(default_factory=list)  # [x, y, w, h], figure pixels

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def as_json(fig) -> dict:
    """Plotly JSON the page can take (a go.Figure or Spec carries NumPy values and a template
    name; figure_json writes them out as plotly.js reads them)."""
    if isinstance(fig, go.Figure | Spec) or isinstance(fig.get("layout", {}).get("template"), str):
        return figure_json(fig)
    return fig


def summarise(found: list[Violation]) -> list[str]:
    """Violation strings, at most MAX_PER_KIND of a kind then a count of the rest: a crowded
    axis can give hundreds of overlaps, and the first few say what is wrong."""
    by_kind: dict[str, list[Violation]] = defaultdict(list)
    for v in found:
        by_kind[v.kind].append(v)
    lines = []
    for kind, items in by_kind.items():
        lines += [str(v) for v in items[:MAX_PER_KIND]]
        if len(items) > MAX_PER_KIND:
            lines.append(f"{kind}: … and {len(items) - MAX_PER_KIND} more")
    return lines


class LayoutChecker:
    """One Chromium page with the vendored plotly.js, for a batch of figures in sequence."""

    def __init__(self, browser, width: int = WIDTH, height: int = HEIGHT):
        self.width, self.height = width, height
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.set_content(_PAGE)
        # the vendored cartesian bundle, never a CDN: the page has no network at all
        self.page.add_script_tag(path=str(PLOTLY_JS))

    def __enter__(self) -> LayoutChecker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.page.close()

    def check(self, fig, screenshot: Path | None = None, outline: bool = True) -> list[Violation]:
        """Draw one figure, return its violations; optionally save it as a PNG, with the boxes
        of the violations outlined in red (outline=False: as drawn, for a page that draws its
        own outlines over it)."""
        args = {"fig": as_json(fig), "width": self.width, "height": self.height, "tol": TOLERANCE}
        found = [Violation(**v) for v in self.page.evaluate(_CHECK_JS, args)]
        if screenshot is not None:
            if outline:
                self.page.evaluate(_MARK_JS, [b for v in found for b in v.boxes])
            self.page.locator("#plot").screenshot(path=str(screenshot), animations="disabled")
            self.page.evaluate("document.querySelectorAll('.kursk-mark').forEach(d => d.remove())")
        return found


def check_figures(
    browser, figures: dict, width: int = WIDTH, height: int = HEIGHT
) -> dict[str, list[str]]:
    """{name: figure} -> {name: violation strings}; an empty list is a clean layout."""
    with LayoutChecker(browser, width, height) as checker:
        return {name: summarise(checker.check(fig)) for name, fig in figures.items()}
