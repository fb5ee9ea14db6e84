// The chart views (/views/…): fetch the view's stored query as SPARQL JSON and draw it with the
// vendored Apache ECharts. Every mark links to the page of what it stands for.
(function () {
  "use strict";
  var el = document.getElementById("chart");
  var status = document.getElementById("chart-status");
  if (!el || !window.echarts) return;
  var idBase = el.dataset.idBase;
  var narrow = el.clientWidth < 600;  // phones: shorter axis labels, more room for the marks
  var KIND_COLOURS = { bilateral: "#2f7ed8", minilateral: "#e07b00", global: "#1b7f3b", unclassified: "#8a959e" };

  function local(iri) {  // our IRIs open on this server
    return iri && iri.indexOf(idBase) === 0 ? "/id/" + iri.slice(idBase.length) : iri;
  }
  function rowsOf(data) {
    return data.results.bindings.map(function (b) {
      var row = {};
      Object.keys(b).forEach(function (k) { row[k] = b[k].value; });
      return row;
    });
  }
  // A date as the source gives it, placed where it lies: a year at its middle, a month at its 15th.
  function position(date) {
    var p = date.split("-").map(Number);
    if (p.length === 1) return Date.UTC(p[0], 6, 1);
    if (p.length === 2) return Date.UTC(p[0], p[1] - 1, 15);
    return Date.UTC(p[0], p[1] - 1, p[2]);
  }
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function firstKind(k) { return (k || "unclassified").split(" ")[0]; }

  // A short name for a mark's label: the abbreviation in the label ("… (Quad)"), a short id
  // (MSP, IEA), else the label cut to fit; the tooltip and the page carry the full name.
  function shortName(label, id) {
    var m = /\(([^()]*[A-Za-z][^()]*)\)\s*$/.exec(label || "");
    if (m && m[1].length > 12) m = null;
    if (m) return m[1];
    if (id && id.length <= 6) return id.toUpperCase();
    label = label || id || "";
    return label.length > 24 ? label.slice(0, 23) + "…" : label;
  }

  function timeline(rows) {
    var lanes = ["global", "minilateral", "bilateral", "unclassified"];
    var founded = rows.filter(function (r) { return r.what === "founded"; });
    var claims = rows.filter(function (r) { return r.what === "membership claim"; });
    // one founding mark per mechanism and date (the query merges dates that nest); a mechanism
    // whose sources give dates that do not nest has one mark per date, drawn as a diamond
    var seen = {};
    var foundedData = founded.map(function (r) {
      var lane = firstKind(r.kindName), key = lane + r.date.slice(0, 4);
      var n = (seen[key] = (seen[key] || 0) + 1);
      var name = shortName(r.mechanismLabel, r.mechanismId);
      return { value: [position(r.date), lanes.indexOf(lane) + ((n % 5) - 2) * 0.16], row: r, href: local(r.mechanism),
               symbol: r.otherDates ? "diamond" : "circle", symbolSize: r.otherDates ? 14 : 10,
               label: { show: true, formatter: r.otherDates ? name + " " + r.date + "?" : name },
               itemStyle: { color: KIND_COLOURS[lane], borderColor: r.otherDates ? "#c62828" : "#fff", borderWidth: r.otherDates ? 2 : 1 } };
    });
    // a succession (issue 21): a triangle on the predecessor's founding lane at the date its
    // successor took over, labelled "MSP → FORGE"
    var laneOf = {};
    foundedData.forEach(function (d) { laneOf[d.row.mechanismId] = d.value[1]; });
    var succeededData = rows.filter(function (r) { return r.what === "succeeded"; }).map(function (r) {
      var lane = laneOf[r.mechanismId] !== undefined ? laneOf[r.mechanismId] : lanes.indexOf("unclassified");
      return { value: [position(r.date), lane], row: r, href: local(r.mechanism),
               label: { show: true, formatter: shortName(r.mechanismLabel, r.mechanismId) + " → " + shortName("", r.successorId) } };
    });
    // claims binned by year: one mark per mechanism and year, sized and labelled by how many
    // claims name its members then, so one source's many claims on one day do not bury the rest
    var bins = {}, years = {};
    claims.forEach(function (r) {
      var y = r.date.slice(0, 4), name = r.mechanismLabel || r.mechanismId;
      years[y] = true;
      var b = bins[name + "|" + y] || (bins[name + "|" + y] = { name: name, id: r.mechanismId, year: y, claims: [], members: 0, sources: {} });
      b.claims.push(r);
      b.members = Math.max(b.members, Number(r.members));
      b.sources[r.sources] = true;
    });
    var yearList = Object.keys(years).sort();
    var binList = Object.keys(bins).map(function (k) { return bins[k]; });
    var counts = {};
    binList.forEach(function (b) { counts[b.name] = (counts[b.name] || 0) + b.claims.length; });
    // the mechanisms with most claims on top, each named in full where there is room
    var mechs = Object.keys(counts).sort(function (a, b) { return counts[a] - counts[b] || (a < b ? 1 : -1); });
    var claimData = binList.map(function (b) {
      return { value: [yearList.indexOf(b.year), mechs.indexOf(b.name), b.claims.length], bin: b,
               href: b.claims.length === 1 ? local(b.claims[0].claim) : "/queries/mechanism-members?mechanism=" + encodeURIComponent(b.id),
               label: { show: true, formatter: b.claims.length > 1 ? String(b.claims.length) : "" } };
    });
    var foundedHeight = narrow ? 260 : 230;
    var height = foundedHeight + 150 + Math.max(220, mechs.length * 22);
    // most foundings are recent: open the founding chart on the years that hold 85% of them (the
    // slider below it reaches back to the oldest)
    var times = foundedData.map(function (d) { return d.value[0]; }).sort(function (a, b) { return a - b; });
    var from = times.length > 8 ? times[Math.floor(times.length * 0.15)] - 365 * 864e5 : undefined;
    el.style.height = height + "px";
    var left = narrow ? 110 : 250;
    return {
      tooltip: { formatter: function (p) {
        if (p.data.bin) {
          var b = p.data.bin;
          return escapeHtml(b.name) + " · " + escapeHtml(b.year) + "<br>" + b.claims.length + " claim(s) naming members, up to " + b.members +
            " members<br>source(s) " + escapeHtml(Object.keys(b.sources).join(", "));
        }
        var r = p.data.row;
        if (r.what === "succeeded") {
          return escapeHtml(r.mechanismLabel || r.mechanismId) + "<br>succeeded by " + escapeHtml(r.successorId) +
            " since " + escapeHtml(r.date) + "<br>sources " + escapeHtml(r.sources);
        }
        return escapeHtml(r.mechanismLabel || r.mechanismId) + "<br>founded " + escapeHtml(r.date) + " · " + escapeHtml(r.kindName || "kind not given") +
          "<br>sources " + escapeHtml(r.sources) + (r.datesGiven ? "<br>dates as given: " + escapeHtml(r.datesGiven) : "") +
          (r.otherDates ? "<br><b>other sources date it " + escapeHtml(r.otherDates) + "</b>" : "");
      } },
      title: [{ text: "Founded (◆ sources give dates that do not agree; ▲ succeeded by another)", left: 10, top: 0, textStyle: { fontSize: 14 } },
              { text: "Claims naming members, by year (a number: that many claims)", left: 10, top: foundedHeight + 85, textStyle: { fontSize: 14 } }],
      grid: [{ left: narrow ? 80 : 110, right: narrow ? 60 : 130, top: 30, height: foundedHeight },
             { left: left, right: 20, top: foundedHeight + 120, bottom: 40 }],
      xAxis: [{ type: "time", gridIndex: 0, splitNumber: narrow ? 3 : 8 },
              { type: "category", gridIndex: 1, data: yearList, name: "year the claim speaks for", nameLocation: "middle", nameGap: 24 }],
      yAxis: [{ type: "value", gridIndex: 0, min: -0.8, max: 3.6, interval: 1, splitLine: { show: false },
               axisLabel: { showMinLabel: false, showMaxLabel: false, formatter: function (v) { return lanes[Math.round(v)] || ""; } } },
              { type: "category", gridIndex: 1, data: mechs, axisLabel: { width: left - 12, overflow: "break", fontSize: narrow ? 9 : 11, lineHeight: narrow ? 10 : 12 } }],
      dataZoom: [{ type: "slider", xAxisIndex: [0], startValue: from, top: foundedHeight + 52, height: 16, labelFormatter: function (v) { return new Date(v).getUTCFullYear(); } },
                 { type: "inside", xAxisIndex: [0] }],
      series: [
        { type: "scatter", xAxisIndex: 0, yAxisIndex: 0, data: foundedData,
          label: { position: "right", fontSize: 10, color: "#1d2329", textBorderColor: "#fff", textBorderWidth: 2 },
          labelLayout: { hideOverlap: true } },
        { type: "scatter", xAxisIndex: 0, yAxisIndex: 0, data: succeededData, symbol: "triangle", symbolSize: 13,
          itemStyle: { color: "#b35c00", borderColor: "#fff", borderWidth: 1 },
          label: { position: "right", fontSize: 10, color: "#8a4b00", textBorderColor: "#fff", textBorderWidth: 2 },
          labelLayout: { hideOverlap: true } },
        { type: "scatter", xAxisIndex: 1, yAxisIndex: 1, data: claimData, itemStyle: { color: "#0b5cad", opacity: 0.75 },
          label: { position: "inside", color: "#fff", fontSize: 10, fontWeight: "bold" },
          symbolSize: function (v) { return Math.min(12 + Math.sqrt(v[2]) * 4, 21); } }  // row height 22 px: never over the next row
      ]
    };
  }

  function lists(rows) {
    var series = {};
    rows.forEach(function (r) {
      var size = Number(r.declaredCount || r.coveredCount || 0);
      (series[r.listId] = series[r.listId] || { label: r.listLabel || r.listId, data: [] }).data.push(
        { value: [Number(r.year), size], row: r, href: local(r.version),
          label: { show: true, formatter: String(size) + (r.declaredCount ? "" : "*") } });
    });
    var changed = rows.filter(function (r) { return r.added || r.removed || r.addedCount || r.removedCount; });
    el.style.height = narrow ? "760px" : "680px";
    // a stated change is hatched and says so; a computed one is solid: the totals mean different things
    function bar(r, sign, total, named, colour) {
      var stated = r.basis === "stated";
      var ids = ((sign > 0 ? r.addedIds : r.removedIds) || "").split(" ").filter(Boolean);
      return { value: sign * Number(total || 0), row: r, href: local(r.version),
               itemStyle: stated ? { color: { image: hatch(colour), repeat: "repeat" }, borderColor: colour, borderWidth: 1.5 } : { color: colour },
               label: { show: Number(total || 0) > 0, formatter: (sign > 0 ? "+" : "−") + total + (stated ? " stated" + (named !== undefined ? ", " + named + " named" : "") : " computed") +
                 (ids.length && ids.length <= 5 ? "\n" + ids.join(", ") : "") } };
    }
    var tip = function (p) {
      var r = p.data.row;
      return escapeHtml(r.listLabel || r.listId) + " " + escapeHtml(r.year) +
        "<br>declared: " + escapeHtml(r.declaredCount || "not stated") + " · named (groups expanded): " + escapeHtml(r.coveredCount || "0") +
        (r.basisNote ? "<br>" + escapeHtml(r.basisNote) : "") +
        (r.addedIds ? "<br>added, named: " + escapeHtml(r.addedIds) : "") + (r.removedIds ? "<br>removed, named: " + escapeHtml(r.removedIds) : "");
    };
    return {
      tooltip: { formatter: tip, extraCssText: "max-width: 28em; white-space: normal;" },
      legend: { top: 0, type: "scroll", data: Object.keys(series).map(function (k) { return series[k].label; }) },
      title: [{ text: "Minerals on each list (* no size stated: the minerals named)", left: 10, top: 28, textStyle: { fontSize: 13 } },
              { text: "Added and removed, per version (hatched: the source's totals; solid: computed from two full lists)", left: 10, top: 355,
                textStyle: { fontSize: 13, width: narrow ? 340 : 900, overflow: "break" } }],
      grid: [{ left: 60, right: 40, top: 70, height: 240 }, { left: 60, right: 30, top: narrow ? 420 : 400, bottom: 50 }],
      xAxis: [{ type: "value", gridIndex: 0, min: "dataMin", max: "dataMax", axisLabel: { formatter: String }, name: "year", nameLocation: "middle", nameGap: 26 },
              { type: "category", gridIndex: 1, data: changed.map(function (r) { return (r.previousId || "") + " → " + r.versionId; }),
                name: "version", nameLocation: "middle", nameGap: 30 }],
      yAxis: [{ type: "value", gridIndex: 0, name: "minerals", nameLocation: "middle", nameGap: 40 },
              { type: "value", gridIndex: 1, name: "added (+) / removed (−)", nameLocation: "middle", nameGap: 40 }],
      series: Object.keys(series).map(function (k) {
        return { name: series[k].label, type: "line", xAxisIndex: 0, yAxisIndex: 0, data: series[k].data, symbolSize: 9,
                 label: { position: "top", fontSize: 11 }, labelLayout: { hideOverlap: true } };
      }).concat([
        { name: "added", type: "bar", xAxisIndex: 1, yAxisIndex: 1, stack: "change", barMaxWidth: 80,
          label: { position: "top", fontSize: 11, color: "#1d2329" },
          data: changed.map(function (r) { return bar(r, 1, r.addedCount || r.added, r.addedCount ? (r.added || "0") : undefined, "#1b7f3b"); }) },
        { name: "removed", type: "bar", xAxisIndex: 1, yAxisIndex: 1, stack: "change", barMaxWidth: 80,
          label: { position: "bottom", fontSize: 11, color: "#1d2329" },
          data: changed.map(function (r) { return bar(r, -1, r.removedCount || r.removed, r.removedCount ? (r.removed || "0") : undefined, "#c62828"); }) }
      ])
    };
  }
  // diagonal stripes in a colour, for the bars whose totals a source states
  function hatch(colour) {
    var c = document.createElement("canvas");
    c.width = c.height = 8;
    var g = c.getContext("2d");
    g.fillStyle = "#fff"; g.fillRect(0, 0, 8, 8);
    g.strokeStyle = colour; g.lineWidth = 2;
    g.beginPath(); g.moveTo(0, 8); g.lineTo(8, 0); g.moveTo(-2, 2); g.lineTo(2, -2); g.moveTo(6, 10); g.lineTo(10, 6); g.stroke();
    return c;
  }

  // The network around one actor by default (its mechanisms and their other members), every node
  // named; "everyone" draws the whole network with the busiest nodes named.
  function network(rows) {
    var links = {};
    rows.forEach(function (r) { links[r.member] = (links[r.member] || 0) + 1; });
    var actors = Object.keys(links).sort(function (a, b) { return links[b] - links[a]; });
    var labelOf = {};
    rows.forEach(function (r) { labelOf[r.member] = r.memberLabel || r.memberId; });
    var around = el.dataset.around || (new URLSearchParams(location.search)).get("around") || actors[0];
    var picker = document.getElementById("network-around");
    if (picker && !picker.options.length) {
      picker.appendChild(new Option("everyone (the whole network)", "*"));
      actors.forEach(function (a) { picker.appendChild(new Option(labelOf[a] + " (" + links[a] + ")", a)); });
      picker.value = around;
      picker.addEventListener("change", function () { el.dataset.around = picker.value; redraw(); });
    }
    var whole = around === "*";
    var mechsOf = {};
    rows.forEach(function (r) { if (r.member === around) mechsOf[r.mechanism] = true; });
    var shown = whole ? rows : rows.filter(function (r) { return mechsOf[r.mechanism]; });
    var nodes = {}, edges = [];
    function node(iri, label, category) {
      var n = nodes[iri] || (nodes[iri] = { id: iri, name: label, category: category, value: 0, href: local(iri) });
      n.value += 1;
      return n;
    }
    var categories = ["country", "organisation", "bilateral", "minilateral", "global", "unclassified"];
    shown.forEach(function (r) {
      node(r.member, r.memberLabel || r.memberId, r.memberType);
      node(r.mechanism, shortName(r.mechanismLabel, r.mechanismId), firstKind(r.kindName));
      edges.push({ source: r.member, target: r.mechanism, sources: r.sources, claims: r.claims });
    });
    var list = Object.keys(nodes).map(function (k) {
      var n = nodes[k];
      var isMech = !(n.category === "country" || n.category === "organisation");
      n.symbolSize = (n.id === around ? 26 : 8) + Math.sqrt(n.value) * (whole ? 4 : 5);
      n.symbol = isMech ? "roundRect" : "circle";
      n.label = { show: !whole || n.value >= 4, fontWeight: isMech || n.id === around ? "bold" : "normal",
                  position: isMech ? "inside" : "right", color: isMech ? "#fff" : "#1d2329",
                  textBorderWidth: isMech ? 0 : 2 };
      if (isMech) { n.symbolSize = [Math.max(40, n.name.length * 7 + 12), 22]; }
      n.category = categories.indexOf(n.category);
      return n;
    });
    el.style.height = narrow ? "640px" : "760px";
    status.textContent = rows.length + " rows from the stored query " + el.dataset.query + "; " +
      (whole ? "the whole network: " : "around " + labelOf[around] + ": ") + list.length + " nodes, " + edges.length + " links.";
    return {
      tooltip: { formatter: function (p) {
        return p.dataType === "edge"
          ? "named by source " + escapeHtml(p.data.sources) + " (" + escapeHtml(p.data.claims) + " claim(s))"
          : escapeHtml(p.data.name) + " · " + escapeHtml(categories[p.data.category]) + " · " + p.data.value + " link(s)";
      } },
      legend: { data: categories, top: 0, type: "scroll" },
      color: ["#5b6670", "#7b4fa0", KIND_COLOURS.bilateral, KIND_COLOURS.minilateral, KIND_COLOURS.global, KIND_COLOURS.unclassified],
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true, top: 50, bottom: 20,
        categories: categories.map(function (c) { return { name: c }; }),
        data: list, links: edges,
        force: { repulsion: whole ? 140 : 300, edgeLength: whole ? [30, 120] : [70, 150], gravity: whole ? 0.16 : 0.14, layoutAnimation: false },
        label: { color: "#1d2329", textBorderColor: "#fff", textBorderWidth: 2, fontSize: 11 },
        lineStyle: { color: "source", opacity: 0.4 }, labelLayout: { hideOverlap: true },
        emphasis: { focus: "adjacency" }
      }]
    };
  }

  var draw = { timeline: timeline, lists: lists, network: network }[el.dataset.view];
  var url = "/queries/" + el.dataset.query + "?" + (el.dataset.params ? el.dataset.params + "&" : "") + "format=json";
  var rowsCache = null, chart = null;
  function redraw() {
    if (chart) { chart.dispose(); chart = null; }
    var option = draw(rowsCache);  // the option first: it sets the box's height, which echarts.init measures once
    chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    chart.on("click", function (p) { if (p.data && p.data.href) location.href = p.data.href; });
    window.mineralgraphChart = chart;  // for the browser tests
    el.dataset.ready = "true";
  }
  fetch(url, { headers: { Accept: "application/sparql-results+json" } })
    .then(function (r) { if (!r.ok) throw new Error(r.status + " " + r.statusText); return r.json(); })
    .then(function (data) {
      var rows = rowsOf(data);
      status.textContent = rows.length + " rows from the stored query " + el.dataset.query + ".";
      el.dataset.rows = rows.length;
      if (!rows.length) { status.textContent = "Nothing to show for these filters."; return; }
      rowsCache = rows;
      redraw();
      window.addEventListener("resize", function () { if (chart) chart.resize(); });
    })
    .catch(function (err) { status.textContent = "The chart could not be drawn: " + err.message; status.classList.add("error"); });
})();
