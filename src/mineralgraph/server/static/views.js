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

  function timeline(rows) {
    var lanes = ["global", "minilateral", "bilateral", "unclassified"];
    var founded = rows.filter(function (r) { return r.what === "founded"; });
    var claims = rows.filter(function (r) { return r.what === "membership claim"; });
    // a succession (issue 21): a mark on the predecessor's row at the date the successor took over
    var succeeded = rows.filter(function (r) { return r.what === "succeeded"; });
    var mechs = Array.from(new Set(claims.concat(succeeded).map(function (r) { return r.mechanismLabel || r.mechanismId; }))).sort();
    var seen = {};
    var foundedData = founded.map(function (r) {
      var lane = firstKind(r.kindName), key = lane + r.date.slice(0, 4);
      var n = (seen[key] = (seen[key] || 0) + 1);
      // marks of one lane and year are spread a little up and down, so none hides another
      return { value: [position(r.date), lanes.indexOf(lane) + ((n % 5) - 2) * 0.09], row: r, href: local(r.mechanism),
               itemStyle: { color: KIND_COLOURS[lane] } };
    });
    var claimData = claims.map(function (r) {
      return { value: [position(r.date), mechs.indexOf(r.mechanismLabel || r.mechanismId), Number(r.members)],
               row: r, href: local(r.claim) };
    });
    var succeededData = succeeded.map(function (r) {
      return { value: [position(r.date), mechs.indexOf(r.mechanismLabel || r.mechanismId)], row: r, href: local(r.mechanism) };
    });
    var height = Math.max(520, 260 + mechs.length * 16);
    el.style.height = height + "px";
    return {
      tooltip: { formatter: function (p) {
        var r = p.data.row;
        if (r.what === "succeeded") {
          return escapeHtml(r.mechanismLabel || r.mechanismId) + "<br>succeeded by " + escapeHtml(r.successorId) + " since " + escapeHtml(r.date) + "<br>source " + escapeHtml(r.sources);
        }
        return r.what === "founded"
          ? escapeHtml(r.mechanismLabel || r.mechanismId) + "<br>founded " + escapeHtml(r.date) + " · " + escapeHtml(r.kindName || "kind not given") + "<br>source " + escapeHtml(r.sources)
          : escapeHtml(r.mechanismLabel || r.mechanismId) + "<br>" + escapeHtml(r.members) + " member(s) named, as of " + escapeHtml(r.date) + "<br>source " + escapeHtml(r.sources);
      } },
      title: [{ text: "Founded", left: 10, top: 0, textStyle: { fontSize: 14 } },
              { text: "Claims naming members, by the date they speak for", left: 10, top: 205, textStyle: { fontSize: 14 } }],
      grid: [{ left: narrow ? 90 : 210, right: 20, top: 30, height: 150 }, { left: narrow ? 110 : 210, right: 20, top: 235, bottom: 40 }],
      xAxis: [{ type: "time", gridIndex: 0, splitNumber: narrow ? 3 : 6 }, { type: "time", gridIndex: 1, splitNumber: narrow ? 3 : 6 }],
      yAxis: [{ type: "value", gridIndex: 0, min: -0.7, max: 3.7, interval: 1, splitLine: { show: false },
               axisLabel: { showMinLabel: false, showMaxLabel: false, formatter: function (v) { return lanes[Math.round(v)] || ""; } } },
              { type: "category", gridIndex: 1, data: mechs, axisLabel: { width: narrow ? 100 : 200, overflow: "truncate", fontSize: narrow ? 9 : 11 } }],
      dataZoom: [{ type: "slider", xAxisIndex: [0, 1], bottom: 5, height: 18 }, { type: "inside", xAxisIndex: [0, 1] }],
      series: [
        { type: "scatter", xAxisIndex: 0, yAxisIndex: 0, data: foundedData, symbolSize: 11 },
        { type: "scatter", xAxisIndex: 1, yAxisIndex: 1, data: claimData, itemStyle: { color: "#0b5cad", opacity: 0.7 },
          symbolSize: function (v) { return 6 + Math.sqrt(v[2]) * 4; } },
        { type: "scatter", xAxisIndex: 1, yAxisIndex: 1, data: succeededData, symbol: "triangle", symbolSize: 13,
          itemStyle: { color: "#b35c00" } }
      ]
    };
  }

  function lists(rows) {
    var series = {}, versions = [];
    rows.forEach(function (r) {
      if (r.status === "proposed") { return; }  // a draft list (issue 21) is not a size of the list
      var size = Number(r.declaredCount || r.coveredCount || 0);
      (series[r.listId] = series[r.listId] || { label: r.listLabel || r.listId, data: [] }).data.push(
        { value: [Number(r.year), size], row: r, href: local(r.version) });
      versions.push(r);
    });
    var changed = versions.filter(function (r) { return r.added || r.removed || r.addedCount || r.removedCount; });
    el.style.height = "620px";
    var tip = function (p) {
      var r = p.data.row;
      return escapeHtml(r.listLabel || r.listId) + " " + escapeHtml(r.year) +
        "<br>declared: " + escapeHtml(r.declaredCount || "not stated") + " · named (groups expanded): " + escapeHtml(r.coveredCount || "0") +
        (r.added || r.addedCount ? "<br>added " + escapeHtml(r.addedCount || r.added) + (r.addedCount && r.addedCount !== r.added ? " (the source's count), named: " : ": ") + escapeHtml(r.addedIds || "") : "") +
        (r.removed || r.removedCount ? "<br>removed " + escapeHtml(r.removedCount || r.removed) + (r.removedCount && r.removedCount !== r.removed ? " (the source's count), named: " : ": ") + escapeHtml(r.removedIds || "") : "");
    };
    return {
      tooltip: { formatter: tip, extraCssText: "max-width: 28em; white-space: normal;" },
      legend: { top: 0, type: "scroll" },
      title: [{ text: "Added and removed minerals, per version", left: 10, top: 355, textStyle: { fontSize: 14 } }],
      grid: [{ left: 50, right: 30, top: 40, height: 280 }, { left: 50, right: 30, top: 390, bottom: 30 }],
      xAxis: [{ type: "value", gridIndex: 0, min: "dataMin", max: "dataMax", axisLabel: { formatter: String } },
              { type: "category", gridIndex: 1, data: changed.map(function (r) { return r.versionId; }) }],
      yAxis: [{ type: "value", gridIndex: 0 }, { type: "value", gridIndex: 1 }],
      series: Object.keys(series).map(function (k) {
        return { name: series[k].label, type: "line", xAxisIndex: 0, yAxisIndex: 0, data: series[k].data, symbolSize: 9 };
      }).concat([
        { name: "added", type: "bar", xAxisIndex: 1, yAxisIndex: 1, itemStyle: { color: "#1b7f3b" },
          data: changed.map(function (r) { return { value: Number(r.addedCount || r.added || 0), row: r, href: local(r.version) }; }) },
        { name: "removed", type: "bar", xAxisIndex: 1, yAxisIndex: 1, itemStyle: { color: "#c62828" },
          data: changed.map(function (r) { return { value: -Number(r.removedCount || r.removed || 0), row: r, href: local(r.version) }; }) }
      ])
    };
  }

  function network(rows) {
    var nodes = {}, links = [];
    function node(iri, label, category) {
      var n = nodes[iri] || (nodes[iri] = { id: iri, name: label, category: category, value: 0, href: local(iri) });
      n.value += 1;
      return n;
    }
    var categories = ["country", "organisation", "bilateral", "minilateral", "global", "unclassified"];
    rows.forEach(function (r) {
      node(r.member, r.memberLabel || r.memberId, r.memberType);
      node(r.mechanism, r.mechanismLabel || r.mechanismId, firstKind(r.kindName));
      links.push({ source: r.member, target: r.mechanism, sources: r.sources, claims: r.claims });
    });
    var list = Object.keys(nodes).map(function (k) {
      var n = nodes[k];
      n.symbolSize = 6 + Math.sqrt(n.value) * 4;
      n.symbol = n.category === "country" || n.category === "organisation" ? "circle" : "roundRect";
      n.label = { show: n.value >= 4 };
      n.categoryIndex = categories.indexOf(n.category);
      return n;
    });
    el.style.height = "720px";
    return {
      tooltip: { formatter: function (p) {
        return p.dataType === "edge"
          ? "named by source " + escapeHtml(p.data.sources) + " (" + escapeHtml(p.data.claims) + " claim(s))"
          : escapeHtml(p.data.name) + " · " + escapeHtml(p.data.category) + " · " + p.data.value + " link(s)";
      } },
      legend: { data: categories, top: 0 },
      color: ["#5b6670", "#7b4fa0", KIND_COLOURS.bilateral, KIND_COLOURS.minilateral, KIND_COLOURS.global, KIND_COLOURS.unclassified],
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true, top: 60, bottom: 20,
        categories: categories.map(function (c) { return { name: c }; }),
        data: list.map(function (n) { return Object.assign({}, n, { category: n.categoryIndex }); }),
        links: links, force: { repulsion: 120, edgeLength: [30, 110], gravity: 0.16, layoutAnimation: false },
        label: { color: "#1d2329", textBorderColor: "#fff", textBorderWidth: 2 },
        lineStyle: { color: "source", opacity: 0.35 }, labelLayout: { hideOverlap: true },
        emphasis: { focus: "adjacency" }
      }]
    };
  }

  var draw = { timeline: timeline, lists: lists, network: network }[el.dataset.view];
  var url = "/queries/" + el.dataset.query + "?" + (el.dataset.params ? el.dataset.params + "&" : "") + "format=json";
  fetch(url, { headers: { Accept: "application/sparql-results+json" } })
    .then(function (r) { if (!r.ok) throw new Error(r.status + " " + r.statusText); return r.json(); })
    .then(function (data) {
      var rows = rowsOf(data);
      status.textContent = rows.length + " rows from the stored query " + el.dataset.query + ".";
      if (!rows.length) { status.textContent = "Nothing to show for these filters."; return; }
      // the option first: it sets the box's height, which echarts.init measures once
      var option = draw(rows);
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      chart.on("click", function (p) { if (p.data && p.data.href) location.href = p.data.href; });
      window.addEventListener("resize", function () { chart.resize(); });
      window.mineralgraphChart = chart;  // for the browser tests
      el.dataset.ready = "true";
    })
    .catch(function (err) { status.textContent = "The chart could not be drawn: " + err.message; status.classList.add("error"); });
})();
