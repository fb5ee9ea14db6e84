// A chart of SPARQL SELECT results, for the query editor (a YASR plugin, see editor.js) and the
// stored-query pages (query.html). `select` decides from the results alone what, if anything, is
// worth drawing; `draw` draws it with the vendored Apache ECharts. Nothing is fetched from elsewhere.
//   - a numeric column (xsd number datatypes, or every value a plain number) and a column to label
//     it: a bar per row, label -> value, one series per numeric column;
//   - no numeric column but two categorical ones: how many distinct values of one per value of the
//     other (members per source);
//   - otherwise no chart, and the reason in words.
// Dates ("2022", "2022-06", xsd:gYear …) label their bars as the text given, in time order: a year
// is never turned into its first day.
(function (root) {
  "use strict";
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC = ["integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"].map(function (t) { return XSD + t; });
  var DATES = ["gYear", "gYearMonth", "date", "dateTime"].map(function (t) { return XSD + t; });
  var PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
  var ZERO_PADDED = /^0\d/;  // "000", "004": source ids and codes, not quantities
  var DATE_TEXT = /^\d{4}(-\d{2}(-\d{2})?)?$/;
  var DATE_NAME = /year|date|asof|period|when/i;
  var LONG_TEXT = 60;  // average characters above which a column is prose (quotes), not a category
  var MAX_LABEL_PARTS = 3;

  function valuesOf(v, bindings) {
    return bindings.map(function (b) { return b[v]; }).filter(function (t) { return t && t.value !== ""; });
  }

  // What a column holds: "number", "date", "iri", "text" (short categorical), "prose" or "empty".
  function kindOf(v, bindings) {
    var terms = valuesOf(v, bindings);
    if (!terms.length) return "empty";
    var every = function (f) { return terms.every(f); };
    if (every(function (t) { return t.type === "uri"; })) return "iri";
    var literal = every(function (t) { return t.type === "literal" || t.type === "typed-literal"; });
    if (!literal) return "text";  // blank nodes, or IRIs and literals mixed
    if (every(function (t) { return DATES.indexOf(t.datatype) >= 0; })) return "date";
    if (every(function (t) { return NUMERIC.indexOf(t.datatype) >= 0; })) return "number";
    var untyped = every(function (t) { return !t.datatype || t.datatype === XSD + "string"; });
    if (untyped && every(function (t) { return DATE_TEXT.test(t.value); }) &&
        (DATE_NAME.test(v) || terms.some(function (t) { return t.value.indexOf("-") > 0; }))) return "date";
    if (untyped && every(function (t) { return PLAIN_NUMBER.test(t.value) && !ZERO_PADDED.test(t.value); })) return "number";
    var chars = terms.reduce(function (n, t) { return n + t.value.length; }, 0);
    return chars / terms.length > LONG_TEXT ? "prose" : "text";
  }

  // The readable name of an IRI: the text after its last / or #.
  function tail(iri) { var m = /[^/#]*$/.exec(iri); return (m && m[0]) || iri; }

  // An IRI column `x` and its companions `xId`, `xLabel` are one entity: shown by its label (else
  // its id, else the IRI's tail), linking to the IRI.
  function entities(vars, kinds) {
    var taken = {}, out = [];
    vars.forEach(function (v) {
      if (taken[v] || kinds[v] === "empty" || kinds[v] === "prose") return;
      var base = v.replace(/(Id|Label)$/, "");
      var iriVar = kinds[base] === "iri" ? base : (kinds[v] === "iri" ? v : null);
      var group = iriVar ? [iriVar, iriVar + "Label", iriVar + "Id"].filter(function (x) { return vars.indexOf(x) >= 0; }) : [v];
      group.forEach(function (x) { taken[x] = true; });
      var show = iriVar ? (vars.indexOf(iriVar + "Label") >= 0 ? iriVar + "Label" : vars.indexOf(iriVar + "Id") >= 0 ? iriVar + "Id" : iriVar) : v;
      out.push({ name: show, iriVar: iriVar, kind: kinds[v] === "iri" || iriVar ? "entity" : kinds[v], vars: group });
    });
    return out;
  }

  function textOf(entity, b) {
    var t = b[entity.name];
    if (t && t.value !== "") return entity.name === entity.iriVar ? tail(t.value) : t.value;
    var i = entity.iriVar && b[entity.iriVar];
    return i ? tail(i.value) : "";
  }

  function chronological(a, b) { return a.label < b.label ? -1 : a.label > b.label ? 1 : 0; }

  function none(reason) { return { kind: "none", reason: reason }; }

  function select(vars, bindings) {
    if (!vars || !vars.length) return none("No chart: the result has no columns.");
    if (!bindings.length) return none("No chart: the result has no rows.");
    var kinds = {};
    vars.forEach(function (v) { kinds[v] = kindOf(v, bindings); });
    // a quote's `start` and `end` are places in its text, not quantities
    var positions = vars.indexOf("quote") >= 0 || vars.indexOf("claim") >= 0 ? ["start", "end"] : [];
    var numbers = vars.filter(function (v) { return kinds[v] === "number" && positions.indexOf(v) < 0; });
    positions.forEach(function (v) { if (kinds[v] === "number") kinds[v] = "empty"; });
    var labels = entities(vars, kinds).filter(function (e) { return e.kind !== "number"; });
    if (numbers.length) {
      if (!labels.length) {
        return none("No chart: the numbers (" + numbers.join(", ") + ") have no column to label them; add one to the SELECT.");
      }
      return bars(bindings, numbers, labels);
    }
    // columns with one value throughout (role = member) tell nothing apart
    var varied = labels.filter(function (e) { return distinct(e, bindings) > 1; });
    if (varied.length >= 2) return counts(bindings, varied[0], varied[1]);
    return none("No chart: the result has no numeric column (xsd numbers, or values that are all numbers) " +
      "and fewer than two categorical columns with more than one value, to count one by the other.");
  }

  function distinct(e, bindings) {
    return new Set(bindings.map(function (r) { return textOf(e, r); }).filter(Boolean)).size;
  }

  function bars(bindings, numbers, labels) {
    // the label: the first labelling column (a date one gives a time-like axis); where labels
    // repeat, the next columns that tell rows apart are added, up to MAX_LABEL_PARTS; not columns
    // with a value per row (statement hashes read as noise), nor `valueText` beside `value`
    var first = labels[0], parts = [first];
    var rest = labels.slice(1).filter(function (e) {
      var n = distinct(e, bindings);
      return n > 1 && n < bindings.length && !numbers.some(function (v) { return e.name.indexOf(v) === 0; });
    });
    function labelRows(ps) {
      return bindings.map(function (b) {
        return labels.filter(function (e) { return ps.indexOf(e) >= 0; })
          .map(function (e) { return textOf(e, b); }).filter(Boolean).join(" · ");
      });
    }
    function apart(ps) { return new Set(labelRows(ps)).size; }
    rest.forEach(function (e) {
      if (apart(parts) < bindings.length && parts.length < MAX_LABEL_PARTS && apart(parts.concat([e])) > apart(parts)) parts.push(e);
    });
    parts = labels.filter(function (e) { return parts.indexOf(e) >= 0; });
    var texts = labelRows(parts);
    var rows = bindings.map(function (b, i) {
      var iri = first.iriVar && b[first.iriVar] ? b[first.iriVar].value : null;
      return { label: texts[i], iri: iri, values: numbers.map(function (v) { return b[v] ? Number(b[v].value) : null; }) };
    });
    // repeated labels left: number them, so no bar hides behind another of the same name
    var seen = {};
    rows.forEach(function (r) {
      var n = (seen[r.label] = (seen[r.label] || 0) + 1);
      if (n > 1) r.label += " (" + n + ")";
    });
    if (first.kind === "date") rows.sort(chronological);
    return {
      kind: "bar", axis: first.kind === "date" ? "time" : "category",
      labelVar: first.name, labelVars: parts.map(function (e) { return e.name; }),
      iriVar: first.iriVar, series: numbers,
      categories: rows.map(function (r) { return { label: r.label, iri: r.iri }; }),
      data: numbers.map(function (v, i) { return rows.map(function (r) { return r.values[i]; }); })
    };
  }

  function counts(bindings, a, b) {
    // the column with fewer distinct values groups (sources); the other is counted (members)
    var group = distinct(a, bindings) <= distinct(b, bindings) ? a : b, counted = group === a ? b : a;
    var byGroup = {}, order = [];
    bindings.forEach(function (r) {
      var g = textOf(group, r), c = textOf(counted, r);
      if (!g || !c) return;
      if (!byGroup[g]) { byGroup[g] = { label: g, iri: group.iriVar && r[group.iriVar] ? r[group.iriVar].value : null, items: new Set() }; order.push(g); }
      byGroup[g].items.add(c);
    });
    var rows = order.map(function (g) { return byGroup[g]; });
    if (rows.length < 2 && rows.length === bindings.length) {
      return none("No chart: nothing to count; the result has no numeric column and one row.");
    }
    if (group.kind === "date") rows.sort(chronological);
    else rows.sort(function (x, y) { return y.items.size - x.items.size || chronological(x, y); });
    return {
      kind: "count", axis: group.kind === "date" ? "time" : "category",
      labelVar: group.name, labelVars: [group.name], iriVar: group.iriVar, counted: counted.name,
      series: ["distinct " + counted.name],
      categories: rows.map(function (r) { return { label: r.label, iri: r.iri }; }),
      data: [rows.map(function (r) { return r.items.size; })]
    };
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // The chart's option: dates left to right in time order; other labels down the side (they are
  // long), one bar per row, as many rows as fit with a slider beyond.
  function option(spec, width) {
    var across = spec.axis === "time";
    var many = spec.categories.length > (across ? 40 : 30);
    var narrow = width < 600;
    var labelAxis = { type: "category", data: spec.categories.map(function (c) { return c.label; }),
      axisLabel: across ? { hideOverlap: true } : { width: narrow ? 110 : 240, overflow: "truncate", interval: 0 },
      inverse: !across, name: across ? spec.labelVars.join(" · ") : "", nameLocation: "middle", nameGap: 28 };  // down the side the note above names them
    var valueAxis = { type: "value", name: spec.kind === "count" ? "distinct " + spec.counted : (spec.series.length === 1 ? spec.series[0] : ""),
      nameLocation: "middle", nameGap: across ? 45 : 28 };
    var window = many ? [{ type: "slider", orient: across ? "horizontal" : "vertical", startValue: 0,
      endValue: (across ? 40 : 30) - 1, zoomLock: false, width: across ? undefined : 16, right: across ? undefined : 4 }] : [];
    return {
      color: ["#0b5cad", "#e07b00", "#1b7f3b", "#7b4fa0", "#c62828", "#5b6670"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (ps) {
        var c = spec.categories[ps[0].dataIndex];
        return escapeHtml(c.label) + ps.map(function (p) {
          return "<br>" + escapeHtml(p.seriesName) + ": " + (p.value == null ? "—" : escapeHtml(p.value));
        }).join("") + (c.iri ? "<br><small>click to open its page</small>" : "");
      } },
      legend: spec.series.length > 1 ? { top: 0 } : undefined,
      grid: { left: across ? 60 : (narrow ? 120 : 250), right: many && !across ? 40 : 24,
              top: spec.series.length > 1 ? 36 : 24, bottom: across ? (many ? 80 : 50) : 40 },
      xAxis: across ? labelAxis : valueAxis,
      yAxis: across ? valueAxis : labelAxis,
      dataZoom: window,
      series: spec.series.map(function (name, i) {
        return { name: name, type: "bar", data: spec.data[i], barMaxWidth: 28, cursor: spec.iriVar ? "pointer" : "default" };
      })
    };
  }

  // Draw into `box` (its .chart-canvas child holds the chart, its .chart-note the words); `open`
  // turns an IRI into the address to open on click. Returns the spec (kind "none" says why).
  function draw(box, vars, bindings, open) {
    var spec = select(vars, bindings);
    var note = box.querySelector(".chart-note"), canvas = box.querySelector(".chart-canvas");
    var old = root.echarts && canvas && root.echarts.getInstanceByDom(canvas);
    if (old) old.dispose();
    box.dataset.chart = spec.kind;
    if (spec.kind === "none") {
      note.textContent = spec.reason;
      canvas.style.display = "none";
      return spec;
    }
    note.textContent = spec.kind === "count"
      ? "How many distinct " + spec.counted + " each " + spec.labelVar + " has (" + spec.categories.length + " bars)" +
        (spec.iriVar ? "; click a bar to open its page." : ".")
      : spec.series.join(", ") + " by " + spec.labelVars.join(" · ") + " (" + spec.categories.length + " bars)" +
        (spec.axis === "time" ? ", in time order, dates as precise as given" : "") +
        (spec.iriVar ? "; click a bar to open its page." : ".");
    canvas.style.display = "";
    var across = spec.axis === "time", n = Math.min(spec.categories.length, across ? 40 : 30);
    canvas.style.height = (across ? 420 : Math.max(220, 70 + n * (spec.series.length > 1 ? 14 * spec.series.length + 6 : 24))) + "px";
    var chart = root.echarts.init(canvas, null, { renderer: "canvas" });
    chart.setOption(option(spec, canvas.clientWidth));
    chart.on("click", function (p) {
      var c = spec.categories[p.dataIndex];
      if (c && c.iri && open) root.location.href = open(c.iri);
    });
    box.chart = chart;
    return spec;
  }

  // Our own IRIs open on this server (the IRI base may be a domain that does not point here yet).
  function opener(idBase, ontBase) {
    return function (iri) {
      if (idBase && iri.indexOf(idBase) === 0) return "/id/" + iri.slice(idBase.length);
      if (ontBase && iri.indexOf(ontBase) === 0) return "/ont#" + iri.slice(ontBase.length);
      return iri;
    };
  }

  root.MineralgraphResultChart = { select: select, draw: draw, kindOf: kindOf, opener: opener };
})(typeof window !== "undefined" ? window : globalThis);
