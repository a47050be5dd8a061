"""A plotly chart as a small widget that redraws in place with `Plotly.react`.

Used by the dashboard when it is served (`kursk.serve`): the server hands out plotly.js once,
as a cacheable file (see `kursk.kernelcap`; plotly's cartesian bundle, a third of the full
library's size and start-up cost, see lib/kursk/static/README.md), and each chart widget
carries only its figure's
JSON. A filter change sends the new JSON of the charts that changed and the page updates them in
place, instead of tearing an output area down and drawing a new plot.

plotly's own `FigureWidget` is not used because it ships all of plotly.js (megabytes) inside the
state of every widget instance, over every viewer's websocket.
"""

from __future__ import annotations

import anywidget
import traitlets

PLOTLY_PATH = "voila/kursk/plotly-cartesian.min.js"

_ESM = r"""
function plotlyReady(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__kurskPlotly) {
    window.__kurskPlotly = new Promise((resolve, reject) => {
      let tag = document.querySelector("script[data-kursk-plotly]");
      if (!tag) {
        tag = document.createElement("script");
        tag.src = src;
        tag.dataset.kurskPlotly = "1";
        document.head.appendChild(tag);
      }
      tag.addEventListener("load", () => resolve(window.Plotly));
      tag.addEventListener("error", () => reject(new Error("plotly.js did not load")));
      if (window.Plotly) resolve(window.Plotly);
    });
  }
  return window.__kurskPlotly;
}

const CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["sendDataToCloud"] };

// A chart keeps the plots of the last few figures it drew (hidden, newest first in the DOM
// order after the one on screen): a filter change back to a selection seen before shows that
// plot again instead of drawing it anew (no plotly layout; resized if the page width changed).
const MAX_VIEWS = 4;

export default {
  async render({ model, el }) {
    // .kursk-plot holds the chart's plots; the one on screen is its first child.
    const box = document.createElement("div");
    box.className = "kursk-plot";
    box.style.position = "relative";
    el.appendChild(box);
    let Plotly;
    try {
      Plotly = await plotlyReady(model.get("plotly_src"));
    } catch (err) {
      box.textContent = "This chart could not be drawn: the charting library did not load.";
      return;
    }
    const idle = window.requestIdleCallback || ((f) => setTimeout(f, 50));
    const views = new Map();  // figure JSON -> plot div, least recently shown first
    let active = null;
    const show = (gd) => {
      if (active && active !== gd) active.style.display = "none";
      gd.style.display = "";
      if (box.firstChild !== gd) box.prepend(gd);
      active = gd;
    };
    const plot = async (fig, key) => {
      const cached = views.get(key);
      if (cached) {
        views.delete(key);
        views.set(key, cached);
        show(cached);
        if (cached._kurskWidth !== box.clientWidth) {
          await Plotly.Plots.resize(cached);
          cached._kurskWidth = box.clientWidth;
        }
        return;
      }
      // A new figure is drawn out of sight beside the plot on screen, then takes its place.
      // Always into a fresh div: redrawing an old plot's div first tears its plot down.
      const gd = document.createElement("div");
      Object.assign(gd.style, { position: "absolute", top: "0", left: "0", right: "0",
                                visibility: "hidden" });
      box.appendChild(gd);
      try {
        await Plotly.react(gd, fig.data || [], fig.layout || {}, CONFIG);
      } finally {
        Object.assign(gd.style, { position: "", top: "", left: "", right: "", visibility: "" });
      }
      gd._kurskWidth = box.clientWidth;
      views.set(key, gd);
      show(gd);
      // the plots beyond the last few go when the page is idle, not while the reader waits
      while (views.size > MAX_VIEWS) {
        const [oldKey, oldest] = views.entries().next().value;
        views.delete(oldKey);
        idle(() => { Plotly.purge(oldest); oldest.remove(); }, { timeout: 2000 });
      }
    };
    // Redraws are chained so that two quick filter changes end on the latest figure.
    // data-kursk-pending / data-kursk-drawn let tests and benchmarks see when a redraw is done.
    // Once a figure is drawn and the frame showing it painted, the kernel hears which revision
    // it was: it holds back the rest of a filter change (charts out of view, table) until the
    // charts in view are drawn, so that the two do not compete for CPU (kursk.dashboard).
    let queue = Promise.resolve();
    let pending = 0;
    let drawn = 0;
    const draw = () => {
      stale = false;
      delete box.dataset.kurskStale;
      box.dataset.kurskPending = String(++pending);
      let revision = null;
      queue = queue.then(() => {
        revision = model.get("revision");
        const fig = model.get("figure") || {};
        return plot(fig, JSON.stringify(fig));
      }).catch(() => {
        box.textContent = "This chart could not be drawn.";
        views.clear();
        active = null;
      }).finally(() => {
        box.dataset.kurskPending = String(--pending);
        box.dataset.kurskDrawn = String(++drawn);
        // the page's static snapshot (kursk.snapshot) gives way once every chart is drawn
        window.dispatchEvent(new Event("kursk-drawn"));
        requestAnimationFrame(() => requestAnimationFrame(() => model.send({ drawn: revision })));
      });
      return queue;
    };
    // A chart scrolled out of view is redrawn after those in view, when the page is idle
    // (or as soon as it scrolls into view): a filter change first updates what the reader sees.
    // The kernel is told which charts are in view, to build and send those first.
    let inView = true;
    let stale = false;
    const observer = new IntersectionObserver((entries) => {
      inView = entries[entries.length - 1].isIntersecting;
      if (model.get("in_view") !== inView) {
        model.set("in_view", inView);
        model.save_changes();
      }
      if (inView && stale) draw();
    }, { rootMargin: "100px" });
    observer.observe(el);
    const changed = () => {
      if (inView || !drawn) return draw();
      stale = true;
      box.dataset.kurskStale = "1";
      idle(() => { if (stale) draw(); }, { timeout: 1000 });
    };
    model.on("change:figure", changed);
    await draw();
    return () => {
      observer.disconnect();
      model.off("change:figure", changed);
      for (const gd of views.values()) Plotly.purge(gd);
      views.clear();
    };
  },
};
"""


class Chart(anywidget.AnyWidget):
    """One plotly chart; set `.figure` (a plotly JSON dict) to redraw it in place."""

    _esm = traitlets.Unicode(_ESM).tag(sync=True)
    figure = traitlets.Dict().tag(sync=True)
    # Set with each new figure; the page answers {"drawn": revision} once it has drawn it.
    revision = traitlets.Int(0).tag(sync=True)
    # Set by the page: the chart is on screen (or within 100 px of it).
    in_view = traitlets.Bool(False).tag(sync=True)
    plotly_src = traitlets.Unicode("/" + PLOTLY_PATH).tag(sync=True)
