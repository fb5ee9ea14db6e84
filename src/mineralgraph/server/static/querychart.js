// A stored query's results page: the Table / Chart switch. The chart is drawn, once, from the same
// rows as the JSON download (static/resultchart.js decides what to draw, or says why not).
(function () {
  "use strict";
  var box = document.getElementById("result-chart");
  var table = document.querySelector("#results .table-wrap");
  if (!box || !table || !window.MineralgraphResultChart) return;
  var buttons = document.querySelectorAll(".result-views button");
  var open = MineralgraphResultChart.opener(box.dataset.idBase, box.dataset.ontBase);
  var drawn = false;

  function drawOnce() {
    if (drawn) return;
    drawn = true;
    var note = box.querySelector(".chart-note");
    note.textContent = "Loading…";
    fetch(box.dataset.src, { headers: { Accept: "application/sparql-results+json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status + " " + r.statusText); return r.json(); })
      .then(function (data) {
        MineralgraphResultChart.draw(box, data.head.vars, data.results.bindings, open);
        box.dataset.ready = "true";
      })
      .catch(function (err) { note.textContent = "The chart could not be drawn: " + err.message; note.classList.add("error"); });
  }
  function show(which) {
    buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.show === which)); });
    table.hidden = which !== "table";
    box.hidden = which !== "chart";
    if (which === "chart") {
      drawOnce();
      if (box.chart) box.chart.resize();
    }
    if (history.replaceState) history.replaceState(null, "", which === "chart" ? "#chart" : location.pathname + location.search);
  }
  buttons.forEach(function (b) { b.addEventListener("click", function () { show(b.dataset.show); }); });
  if (location.hash === "#chart") show("chart");
})();
