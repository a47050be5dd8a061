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
    // Redraws are chained so that two quick filter changes end on the latest figure. While a
    // draw is pending (or the chart is stale, out of view) the plot is aria-busy; each finished
    // draw counts up data-kursk-drawn (the page's snapshot gives way once every chart has one).
    // Once a figure is drawn and the frame showing it painted, the kernel hears which revision
    // it was: it holds back the rest of a filter change (charts out of view, table) until the
    // charts in view are drawn, so that the two do not compete for CPU (dashboard/redraw.py).
    let queue = Promise.resolve();
    let pending = 0;
    let drawn = 0;
    const busy = () => box.setAttribute("aria-busy", pending > 0 || stale ? "true" : "false");
    const draw = () => {
      stale = false;
      pending += 1;
      busy();
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
        pending -= 1;
        busy();
        box.dataset.kurskDrawn = String(++drawn);
        // the page's static snapshot (serve/snapshots.py) gives way once every chart is drawn
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
      busy();
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
