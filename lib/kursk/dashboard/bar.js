// The bar above the dashboard (bar.py): the filter drawer's button, "Copy link", and the page's
// URL kept equal to the view (history.replaceState: no reload, no new history entry).
export default {
  render({ model, el }) {
    const bar = document.createElement("div");
    bar.className = "kursk-bar-inner";
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "kursk-drawer-toggle";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", "kursk-filters");
    const word = document.createElement("span");
    word.className = "kursk-drawer-word";
    word.textContent = "Filters";
    const summary = document.createElement("span");
    summary.className = "kursk-drawer-summary";
    toggle.append(word, summary);
    const copy = document.createElement("button");
    copy.type = "button";
    copy.className = "kursk-copy";
    copy.textContent = "Copy link";
    const said = document.createElement("span");
    said.className = "kursk-copied";
    said.setAttribute("role", "status");
    const manual = document.createElement("input");
    manual.type = "text";
    manual.readOnly = true;
    manual.hidden = true;
    manual.className = "kursk-link-text";
    manual.setAttribute("aria-label", "Link to this view");
    bar.append(toggle, copy, said, manual);
    el.appendChild(bar);

    const root = () => el.closest(".kursk-dashboard");
    const open = (yes) => {
      const r = root();
      if (!r) return;
      // the drawer opens under the bar, wherever the page is scrolled to
      r.style.setProperty("--kursk-bar-bottom", `${Math.round(bar.getBoundingClientRect().bottom)}px`);
      const panel = r.querySelector(".kursk-filters");
      if (panel && !panel.id) panel.id = "kursk-filters";
      r.classList.toggle("kursk-drawer-open", yes);
      toggle.setAttribute("aria-expanded", yes ? "true" : "false");
    };
    toggle.addEventListener("click", () => open(toggle.getAttribute("aria-expanded") !== "true"));
    // Escape closes the drawer and gives the focus back to its button
    document.addEventListener("keydown", (event) => {
      const r = root();
      if (event.key !== "Escape" || !r || !r.classList.contains("kursk-drawer-open")) return;
      if (!r.querySelector(".kursk-filters")?.contains(document.activeElement)) return;
      open(false);
      toggle.focus();
    });

    const url = () => {
      const q = model.get("query");
      return window.location.pathname + (q ? `?${q}` : "") + window.location.hash;
    };
    // The address bar follows when the page is idle, not in the middle of a filter change's
    // chart drawing (docs/performance.md); Copy link reads the view from the model, not the bar.
    const idle = window.requestIdleCallback || ((f) => setTimeout(f, 50));
    let pendingUrl = false;
    const follow = () => {
      pendingUrl = false;
      const next = url();
      const now = window.location.pathname + window.location.search + window.location.hash;
      if (next !== now) window.history.replaceState(window.history.state, "", next);
    };
    const apply = () => {
      summary.textContent = model.get("summary") ? `(${model.get("summary")})` : "";
      if (!pendingUrl) {
        pendingUrl = true;
        idle(follow, { timeout: 500 });
      }
    };
    const here = () => new URL(url(), window.location.href).href;
    let timer = null;
    const confirm = (text) => {
      said.textContent = text;
      clearTimeout(timer);
      timer = setTimeout(() => { said.textContent = ""; }, 6000);
    };
    const fallback = () => {
      // no clipboard API (a page served over plain HTTP): select the link for the reader
      manual.hidden = false;
      manual.value = here();
      manual.focus();
      manual.select();
      let done = false;
      try { done = document.execCommand("copy"); } catch (err) { done = false; }
      confirm(done ? "Link copied." : "Copy the selected link.");
    };
    copy.addEventListener("click", () => {
      const href = here();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(href).then(() => {
          manual.hidden = true;
          confirm("Link copied.");
        }, fallback);
      } else fallback();
    });

    // A link to a part of the page (#chart-record, #kursk-table, #kursk-about) is followed
    // once the charts are drawn (the page is laid out by then).
    if (window.location.hash.length > 1 && !window.__kurskHashDone) {
      window.__kurskHashDone = true;
      const go = () => {
        const target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
        if (target) target.scrollIntoView({ block: "start" });
      };
      const drawn = () => { window.removeEventListener("kursk-drawn", drawn); setTimeout(go, 300); };
      window.addEventListener("kursk-drawn", drawn);
    }

    apply();
    model.on("change:query", apply);
    model.on("change:summary", apply);
  },
};
