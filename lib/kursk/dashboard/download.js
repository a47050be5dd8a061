// A download button (download.py): the kernel makes the file when asked; it is saved from a
// Blob under the name the kernel gives.
export default {
  render({ model, el }) {
    const box = document.createElement("div");
    box.className = "kursk-download-box";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "kursk-download-button";
    const note = document.createElement("span");
    note.className = "kursk-download-note";
    const said = document.createElement("span");
    said.className = "kursk-download-said";
    said.setAttribute("role", "status");
    box.append(button, note, said);
    el.appendChild(box);
    const show = () => {
      button.textContent = model.get("label");
      note.textContent = model.get("note");
      button.disabled = model.get("disabled");
    };
    let waiting = false;
    button.addEventListener("click", () => {
      if (waiting) return;
      waiting = true;
      button.setAttribute("aria-busy", "true");
      said.textContent = "Preparing the file…";
      model.send({ want: true });
    });
    model.on("msg:custom", (content, buffers) => {
      waiting = false;
      button.removeAttribute("aria-busy");
      if (content.error || !buffers || !buffers.length) {
        said.textContent = content.error || "The file could not be made.";
        return;
      }
      const blob = new Blob([buffers[0]], { type: content.mime });
      const href = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = href;
      a.download = content.name;
      a.hidden = true;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 60000);
      said.textContent = `Saved ${content.name}.`;
    });
    show();
    model.on("change:label", show);
    model.on("change:note", show);
    model.on("change:disabled", show);
  },
};
