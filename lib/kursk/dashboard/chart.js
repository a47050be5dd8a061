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

// The figures are built for a wide column; fit() adapts a copy to the width it is drawn at,
// so that nothing is cut: the title, subtitle and source lines are wrapped again (the margins
// grow by the lines added), and on a narrow screen (a phone) a legend goes above the plot,
// long category labels are shortened in the middle (the hover keeps them whole), long labels
// in the plot are wrapped, and the plot keeps a readable height.
const FONT = '"DejaVu Sans", "Liberation Sans", Arial, sans-serif';
const NARROW = 640;
const BUCKET = 40;  // px: a figure is fitted to the width rounded down to this step
const MODEBAR = 70;  // px kept free of the title for the mode bar's two buttons
let measurer = null;
const plain = (html) => String(html).replace(/<[^>]+>/g, "").replace(/&amp;/g, "&")
  .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"');
const textWidth = (html, size, bold = false) => {
  measurer = measurer || document.createElement("canvas").getContext("2d");
  measurer.font = `${bold ? "bold " : ""}${size}px ${FONT}`;
  return measurer.measureText(plain(html)).width;
};
// words (HTML kept, tags and all) filled into lines no wider than `max` px
const wrap = (html, size, max, bold = false) => {
  const words = String(html).split(/ +/).filter((w) => w !== "");
  const lines = [];
  let line = "";
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, size, bold) > max) { lines.push(line); line = word; }
    else line = next;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [""];
};
// a label shortened in its middle to `max` px: its start and its end stay readable
const shorten = (html, size, max) => {
  const text = plain(html);
  if (textWidth(text, size) <= max) return html;
  const bold = /<b>/.test(html);
  let keep = text.length;
  let out = text;
  while (keep > 4 && textWidth(out, size, bold) > max) {
    keep -= 1;
    const head = Math.ceil(keep * 0.6);
    out = `${text.slice(0, head).trimEnd()}…${text.slice(text.length - (keep - head)).trimStart()}`;
  }
  const safe = out.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return bold ? `<b>${safe}</b>` : safe;
};
export const bucket = (width) => Math.max(BUCKET, Math.floor(width / BUCKET) * BUCKET);

export function fit(fig, width) {
  const out = JSON.parse(JSON.stringify(fig || {}));
  const layout = (out.layout = out.layout || {});
  const margin = (layout.margin = Object.assign({ l: 70, r: 30, t: 125, b: 120 }, layout.margin));
  const narrow = width < NARROW;
  // the title: bold lines, then the subtitle's lines in a grey span (charts/common.py finish)
  const title = layout.title && layout.title.text;
  if (title) {
    const sub = /<span style='([^']*)'>(.*)<\/span>$/s.exec(title);
    const head = (sub ? title.slice(0, sub.index) : title).replace(/(<br>)+$/, "");
    const bolds = [...head.matchAll(/<b>(.*?)<\/b>/g)].map((m) => m[1]);
    const titleText = bolds.length ? bolds.join(" ") : head.replace(/<br>/g, " ");
    const max = width - 16 - MODEBAR;
    const tLines = wrap(titleText, 18, max, true);
    const oldT = (head.match(/<br>/g) || []).length + 1;
    let text = tLines.map((l) => `<b>${l}</b>`).join("<br>");
    // lines added take a little more than the builders' 22 and 17 px, to be safe
    const grow = (px, n) => (n > 0 ? (px + 3) * n : px * n);
    let added = grow(22, tLines.length - oldT);
    if (sub) {
      const subText = sub[2].split("<br>").join(" ");
      const sLines = wrap(subText, 13, width - 16);
      added += grow(17, sLines.length - sub[2].split("<br>").length);
      text += `<br><span style='${sub[1]}'>${sLines.join("<br>")}</span>`;
    }
    layout.title = Object.assign({}, layout.title, { text });
    margin.t += added;
  }
  // the source lines under the plot, each starting with its label ("Claimants:", "Sources:")
  for (const a of layout.annotations || []) {
    if (a.name !== "source") continue;
    const logical = [];
    for (const piece of String(a.text).split("<br>")) {
      if (!logical.length || /^[A-Z][A-Za-z ]*: /.test(piece)) logical.push(piece);
      else logical[logical.length - 1] += ` ${piece}`;
    }
    const size = (a.font && a.font.size) || 10;
    // right-aligned at the plot's right edge: the lines have the width left of that edge
    // (a legend on the right pushes that edge left of the margin the figure asks for)
    const room = a.xref === "paper" && a.x === 1 ? width - rightOfPlot(out, margin, width) - 12 : width - 16;
    const lines = logical.flatMap((l) => wrap(l, size, room));
    margin.b += 13 * (lines.length - String(a.text).split("<br>").length);
    a.text = lines.join("<br>");
  }
  if (narrow) fitNarrow(out, layout, margin, width);
  return out;
}

// The room right of the plot: the margin asked for, or a legend's if it sits there (plotly
// widens the margin to fit it: its gap from the plot, then symbols and padding beside names).
function rightOfPlot(fig, margin, width) {
  const layout = fig.layout;
  const legend = layout.legend || {};
  if (layout.showlegend === false || legend.orientation === "h" || !(legend.x >= 1)) {
    return margin.r;
  }
  const size = (legend.font && legend.font.size) || 11;
  const names = (fig.data || []).filter((t) => t.showlegend !== false && t.name).map((t) => t.name);
  const widest = Math.max(0, ...names.map((n) => textWidth(n, size)));
  const gap = Math.max(0, (legend.x - 1) * width);
  return Math.max(margin.r, widest ? gap + widest + 60 : 0);
}

function fitNarrow(fig, layout, margin, width) {
  // category labels on the left: at most about 40% of the width, shortened in the middle
  const cap = Math.max(90, Math.round(width * 0.4));
  if (margin.l > cap) {
    for (const [key, axis] of Object.entries(layout)) {
      if (!/^yaxis\d*$/.test(key) || !axis || !Array.isArray(axis.ticktext)) continue;
      const size = (axis.tickfont && axis.tickfont.size) || 11;
      axis.ticktext = axis.ticktext.map((t) => shorten(t, size, cap - 14));
      axis.automargin = false;
    }
    margin.l = cap;
  }
  // a legend above the plot, as many rows as its entries take
  if (layout.showlegend !== false && fig.data.some((t) => t.showlegend !== false && t.name)) {
    const entries = fig.data.filter((t) => t.showlegend !== false && t.name && t.visible !== false);
    const size = (layout.legend && layout.legend.font && layout.legend.font.size) || 11;
    margin.r = Math.min(margin.r, 24);
    const room = width - margin.l - margin.r;
    let rows = 1;
    let used = 0;
    for (const t of entries) {
      const w = 46 + textWidth(t.name, size);
      if (used && used + w > room) { rows += 1; used = 0; }
      used += w;
    }
    layout.legend = Object.assign({}, layout.legend, {
      orientation: "h", x: 0, xanchor: "left", y: 1, yanchor: "bottom",
    });
    margin.t += rows * (size + 9) + 6;
  }
  // other text in the plot (labels of bars and waves): wrapped to the plot's width, and
  // anchored on the side where it fits
  const plotWidth = width - margin.l - margin.r;
  const xRange = (layout.xaxis && layout.xaxis.range) || null;
  const toNumber = (v) => (typeof v === "number" ? v : Date.parse(v));
  const px = (v) => {
    if (!xRange) return null;
    const [a, b] = xRange.map(toNumber);
    const x = toNumber(v);
    return [a, b, x].some(Number.isNaN) || a === b ? null : ((x - a) / (b - a)) * plotWidth;
  };
  for (const a of layout.annotations || []) {
    if (a.name === "source" || !a.text) continue;
    const size = (a.font && a.font.size) || 12;
    if (textWidth(a.text.replace(/<br>/g, " "), size) > plotWidth - 10) {
      const lines = String(a.text).split("<br>").flatMap((l) => wrap(l, size, plotWidth - 10));
      a.text = lines.slice(0, 3).join("<br>");
    }
    if (a.xref === "paper") continue;
    const at = px(a.x);
    if (at === null) continue;
    const widest = () => Math.max(...String(a.text).split("<br>").map((l) => textWidth(l, size, /<b>/.test(l))));
    const room = { left: plotWidth - at - 4, right: at - 4 };  // by anchor: the room it has
    if (!(a.xanchor in room) || widest() <= room[a.xanchor]) continue;
    a.xanchor = room.left >= room.right ? "left" : "right";
    if (widest() > room[a.xanchor]) {
      const max = Math.max(60, room[a.xanchor]);
      a.text = String(a.text).split("<br>").flatMap((l) => wrap(l, size, max)).slice(0, 4).join("<br>");
    }
  }
  // labels beside markers (middle right) need room at the axis's end
  const xaxis = layout.xaxis;
  if (xaxis && Array.isArray(xaxis.range) && xaxis.range.every((v) => typeof v === "number")) {
    const [a, b] = xaxis.range;
    let end = b;
    for (const t of fig.data) {
      if (!t.text || !Array.isArray(t.x) || !/text/.test(t.mode || "")) continue;
      const size = (t.textfont && t.textfont.size) || 12;
      t.x.forEach((x, i) => {
        const label = Array.isArray(t.text) ? t.text[i] : t.text;
        if (typeof x !== "number" || !label) return;
        const room = plotWidth - textWidth(label, size) - 8;
        if (room > 20) end = Math.max(end, a + ((x - a) * plotWidth) / room);
      });
    }
    xaxis.range = [a, end];
  }
  // the events' labels over a time axis need a wide chart; the markers stay, with their hover
  for (const t of fig.data) {
    if (t.legendgroup === "events" && /text/.test(t.mode || "")) t.mode = "markers";
  }
  // column labels under a grid (sources): turned upright and shortened when they do not fit
  if (xaxis && Array.isArray(xaxis.ticktext) && xaxis.ticktext.length) {
    const size = (xaxis.tickfont && xaxis.tickfont.size) || 11;
    const column = plotWidth / xaxis.ticktext.length;
    const widest = Math.max(...xaxis.ticktext.map((t) => Math.max(...String(t).split("<br>").map((l) => textWidth(l, size)))));
    if (widest > column * 0.8) {  // plotly tilts labels short of that, past the edge
      xaxis.ticktext = xaxis.ticktext.map((t) => shorten(String(t).split("<br>")[0], size, 110));
      xaxis.tickangle = -90;
      xaxis.automargin = false;
      const grown = 120 - size * 2 * 1.3;
      margin.b += grown;
      for (const s of layout.annotations || []) if (s.name === "source") s.yshift = (s.yshift || 0) - grown;
    }
  }
  // an axis title wider than the plot loses its explanation in brackets
  for (const [key, axis] of Object.entries(layout)) {
    const t = axis && axis.title && axis.title.text;
    if (!/^[xy]axis\d*$/.test(key) || !t) continue;
    if (textWidth(t, 13) > plotWidth) axis.title = Object.assign({}, axis.title, {
      text: shorten(t.replace(/ \(.*\)$/, ""), 13, plotWidth),
    });
  }
  // the plot keeps a readable height under its taller title and legend
  const height = layout.height || 560;
  layout.height = Math.max(height, margin.t + margin.b + 280);
}

// A chart keeps the plots of the last few figures it drew (hidden, newest first in the DOM
// order after the one on screen): a filter change back to a selection seen before shows that
// plot again instead of drawing it anew (no plotly layout; resized if the page width changed).
const MAX_VIEWS = 4;

export default {
  async render({ model, el }) {
    // .kursk-plot holds the chart's plots; the one on screen is its first child.
    // plotly.js's configuration comes from Python (kursk.charts.theme.PLOTLY_CONFIG)
    const config = Object.assign({}, model.get("config") || {});
    if (model.get("name")) el.id = `chart-${model.get("name")}`;
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
    // `width`: the box's, read once before anything is drawn (reading it after a draw made
    // the browser lay the page out again then and there)
    const plot = async (fig, width, key) => {
      const cached = views.get(key);
      if (cached) {
        views.delete(key);
        views.set(key, cached);
        show(cached);
        if (cached._kurskWidth !== width) {
          await Plotly.Plots.resize(cached);
          cached._kurskWidth = width;
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
        const fitted = fit(fig, bucket(width || 800));
        await Plotly.react(gd, fitted.data || [], fitted.layout || {}, config);
        // "Reset axes" undoes a zoom made with a pointer (the keyboard has none): out of the
        // Tab order, so the keyboard reaches the table in a few stops
        gd.querySelectorAll('.modebar-btn[data-val="reset"], .modebar-btn[data-title="Reset axes"]')
          .forEach((b) => b.setAttribute("tabindex", "-1"));
      } finally {
        Object.assign(gd.style, { position: "", top: "", left: "", right: "", visibility: "" });
      }
      gd._kurskWidth = width;
      gd._kurskBucket = bucket(width || 800);
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
        const width = box.clientWidth;
        return plot(fig, width, `${bucket(width || 800)}|${JSON.stringify(fig)}`);
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
    // a new width class (a phone turned, a window resized) fits the figure again
    let resizing = null;
    const resized = () => {
      clearTimeout(resizing);
      resizing = setTimeout(() => {
        if (!active || !box.clientWidth) return;
        if (active._kurskBucket !== bucket(box.clientWidth)) changed();
        else if (active._fullLayout && Math.abs(active._fullLayout.width - box.clientWidth) > 4) {
          Plotly.Plots.resize(active);  // same width class: the plot just follows its box
          active._kurskWidth = box.clientWidth;
        }
      }, 250);
    };
    // the box's own width, not the window's: the drawer, a scroll bar or the grid change it too
    const sized = new ResizeObserver(resized);
    sized.observe(box);
    window.addEventListener("resize", resized);
    await draw();
    return () => {
      window.removeEventListener("resize", resized);
      sized.disconnect();
      observer.disconnect();
      model.off("change:figure", changed);
      for (const gd of views.values()) Plotly.purge(gd);
      views.clear();
    };
  },
};
