// A list of checkboxes (choices.py): one Tab stop; arrow keys move between the boxes (and to
// a box's "only" button with the right arrow), Space or a click ticks. Only a tick changes the
// selection, never moving through the list.
let serial = 0;

export default {
  render({ model, el }) {
    const id = `kursk-choices-${++serial}`;
    const box = document.createElement("fieldset");
    box.className = "kursk-choices";
    const legend = document.createElement("legend");
    const title = document.createElement("span");
    const summary = document.createElement("span");
    summary.className = "kursk-choices-summary";
    legend.append(title, " ", summary);
    box.appendChild(legend);
    let search = null;
    if (model.get("searchable")) {
      search = document.createElement("input");
      search.type = "search";
      search.className = "kursk-choices-search";
      search.placeholder = "Search";
      box.appendChild(search);
    }
    let all = null;
    if (model.get("all_button")) {
      all = document.createElement("button");
      all.type = "button";
      all.className = "kursk-choices-all";
      box.appendChild(all);
    }
    const list = document.createElement("ul");
    list.className = "kursk-choices-list";
    box.appendChild(list);
    el.appendChild(box);

    let rows = [];  // {value, li, input, only, count}
    let current = 0;  // the row whose box is the list's Tab stop

    const visible = () => rows.filter((r) => !r.li.hidden);
    const roving = () => {
      const shown = visible();
      if (!shown.length) return;
      if (!shown.includes(rows[current])) current = rows.indexOf(shown[0]);
      rows.forEach((r, i) => { r.input.tabIndex = i === current ? 0 : -1; });
    };
    const send = (values) => {
      model.set("value", values);
      model.save_changes();
      sync();
    };
    const build = () => {
      list.textContent = "";
      const noun = model.get("noun");
      rows = model.get("options").map(([label, value], i) => {
        const li = document.createElement("li");
        const input = document.createElement("input");
        input.type = "checkbox";
        input.id = `${id}-${i}`;
        input.value = value;
        const lab = document.createElement("label");
        lab.htmlFor = input.id;
        const name = document.createElement("span");
        name.className = "kursk-choices-name";
        name.textContent = label;
        const count = document.createElement("span");
        count.className = "kursk-choices-count";
        count.setAttribute("aria-hidden", "true");
        const spoken = document.createElement("span");
        spoken.className = "kursk-sr-only";
        lab.append(name, count, spoken);
        const only = document.createElement("button");
        only.type = "button";
        only.className = "kursk-choices-only";
        only.tabIndex = -1;
        only.textContent = "only";
        only.setAttribute("aria-label", `Only ${label}`);
        li.append(input, lab, only);
        list.appendChild(li);
        const row = { value, label, li, input, only, count, spoken, noun };
        input.addEventListener("change", () => {
          current = rows.indexOf(row);
          const picked = rows.filter((r) => r.input.checked).map((r) => r.value);
          send(picked);
        });
        only.addEventListener("click", () => { current = rows.indexOf(row); send([value]); });
        input.addEventListener("focus", () => { current = rows.indexOf(row); roving(); });
        return row;
      });
      counts();
      sync();
      filter();
    };
    const counts = () => {
      const n = model.get("counts") || {};
      for (const r of rows) {
        const k = Object.prototype.hasOwnProperty.call(n, r.value) ? n[r.value] : null;
        r.count.textContent = k === null ? "" : String(k);
        r.spoken.textContent = k === null ? "" : `, ${k} ${k === 1 ? r.noun.replace(/s$/, "") : r.noun}`;
        r.li.classList.toggle("kursk-zero", k === 0);
      }
    };
    const sync = () => {
      const value = new Set(model.get("value"));
      for (const r of rows) r.input.checked = value.has(r.value);
      const n = rows.filter((r) => r.input.checked).length;
      summary.textContent = n === rows.length ? `(all ${rows.length})` : `(${n} of ${rows.length})`;
      if (all) all.textContent = n === rows.length ? "Clear all" : "Select all";
      const off = model.get("disabled");
      for (const r of rows) { r.input.disabled = off; r.only.disabled = off; }
      if (all) all.disabled = off;
      if (search) search.disabled = off;
      roving();
    };
    const filter = () => {
      if (!search) return;
      const words = search.value.trim().toLowerCase();
      for (const r of rows) r.li.hidden = words !== "" && !r.label.toLowerCase().includes(words);
      roving();
    };
    const describe = () => {
      const d = model.get("description");
      title.textContent = d;
      if (search) search.setAttribute("aria-label", `Search ${d.toLowerCase()}`);
      list.setAttribute("aria-label", d);
    };

    list.addEventListener("keydown", (event) => {
      const shown = visible();
      const row = rows.find((r) => r.input === event.target || r.only === event.target);
      if (!row) return;
      const at = shown.indexOf(row);
      let next = null;
      if (event.key === "ArrowDown") next = shown[Math.min(at + 1, shown.length - 1)];
      else if (event.key === "ArrowUp") next = shown[Math.max(at - 1, 0)];
      else if (event.key === "Home") next = shown[0];
      else if (event.key === "End") next = shown[shown.length - 1];
      else if (event.key === "ArrowRight" && event.target === row.input) {
        event.preventDefault();
        row.only.focus();
        return;
      } else if (event.key === "ArrowLeft" && event.target === row.only) {
        event.preventDefault();
        row.input.focus();
        return;
      } else return;
      event.preventDefault();
      if (next) {
        current = rows.indexOf(next);
        roving();
        next.input.focus();
      }
    });
    if (all) {
      all.addEventListener("click", () => {
        const every = rows.every((r) => r.input.checked);
        send(every ? [] : rows.map((r) => r.value));
      });
    }
    if (search) search.addEventListener("input", filter);

    describe();
    build();
    model.on("change:options", build);
    model.on("change:value", sync);
    model.on("change:counts", counts);
    model.on("change:disabled", sync);
    model.on("change:description", describe);
  },
};
