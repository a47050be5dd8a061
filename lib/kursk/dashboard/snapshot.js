// The static snapshot (Dashboard.snapshot_html) sits above Voila's hidden output area. The live
// view renders there out of sight (laid out, so plotly sizes the charts right) and replaces the
// snapshot once every chart is drawn; each chart announces a draw with a `kursk-drawn` event.
(function () {
  var snap = document.getElementById("kursk-snapshot");
  var cells = document.getElementById("rendered_cells");
  if (!snap || !cells) return;
  document.body.insertBefore(snap, cells);
  document.body.classList.add("kursk-snapshot-on");
  var expected = Number(snap.dataset.charts);
  function swap() {
    var drawn = cells.querySelectorAll(".kursk-plot[data-kursk-drawn]").length;
    if (drawn < expected) return;
    window.removeEventListener("kursk-drawn", swap);
    snap.remove();
    document.body.classList.remove("kursk-snapshot-on");
    window.dispatchEvent(new Event("resize"));
  }
  window.addEventListener("kursk-drawn", swap);
})();
