// The query editor at /: YASGUI (vendored under static/yasgui) wired to this server's /sparql,
// one tab per stored query. Nothing is fetched from elsewhere: the autocompleters that call
// prefix.cc and LOV are off, the endpoint catalogue holds only this endpoint, and tabs are not
// persisted (the stored queries are always fresh).
(function () {
  var endpoint = location.origin + "/sparql";
  var tabs = JSON.parse(document.getElementById("stored-queries").textContent || "[]");
  var starter = [
    "PREFIX mg: <https://w3id.org/mineralgraph/ont#>",
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>",
    "",
    "# Classes and how many instances each has",
    "SELECT ?class (COUNT(DISTINCT ?s) AS ?instances) WHERE {",
    "  ?s a ?class .",
    "  FILTER(STRSTARTS(STR(?class), STR(mg:)))",
    "}",
    "GROUP BY ?class",
    "ORDER BY DESC(?instances)",
    ""
  ].join("\n");
  Yasgui.Yasqe.defaults.value = starter;
  registerChartPlugin();
  Yasgui.Yasqe.defaults.autocompleters = ["variables"];
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    tabName: "Query",
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { autocompleters: ["variables"] },
    yasr: { pluginOrder: ["table", "chart", "response"], prefixes: {
      mg: "https://w3id.org/mineralgraph/ont#", skos: "http://www.w3.org/2004/02/skos/core#",
      prov: "http://www.w3.org/ns/prov#", org: "http://www.w3.org/ns/org#", oa: "http://www.w3.org/ns/oa#",
      // datatypes read "2022"^^xsd:gYear, not "2022"^^<http://www.w3.org/2001/XMLSchema#gYear>
      xsd: "http://www.w3.org/2001/XMLSchema#", rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      rdfs: "http://www.w3.org/2000/01/rdf-schema#", dcterms: "http://purl.org/dc/terms/" } }
  });
  var firstId = Object.keys(yasgui._tabs)[0];
  tabs.forEach(function (t) {
    yasgui.addTab(false, {
      name: t.label || t.name,  // the query's human label (#+ label:); its slug stays in the text
      yasqe: { value: t.query },
      requestConfig: { endpoint: endpoint, method: "POST" }
    });
  });
  if (firstId) yasgui.selectTabId(firstId);
  window.mineralgraphEditor = yasgui;
})();

// Result links to the graph's own IRIs open their page on this server (the IRI base may be a
// domain that does not point here yet).
(function () {
  var root = document.getElementById("yasgui");
  var idBase = root && root.getAttribute("data-id-base");
  if (!idBase) return;
  function localise(e) {
    var a = e.target && e.target.closest && e.target.closest("a[href]");
    if (!a || !root.contains(a)) return;
    var href = a.getAttribute("href");
    if (href && href.indexOf(idBase) === 0) {
      a.setAttribute("href", "/id/" + href.slice(idBase.length));
    }
  }
  ["mousedown", "focusin", "mouseover"].forEach(function (type) {
    root.addEventListener(type, localise, true);
  });
})();

// The "Chart" tab beside YASR's table: static/resultchart.js picks what to draw (or says why not).
function registerChartPlugin() {
  var root = document.getElementById("yasgui");
  var open = MineralgraphResultChart.opener(root.getAttribute("data-id-base"), root.getAttribute("data-ont-base"));
  function ChartPlugin(yasr) { this.yasr = yasr; }
  ChartPlugin.prototype.priority = 5;  // below the table, which stays the first view
  ChartPlugin.prototype.label = "Chart";
  ChartPlugin.prototype.helpReference = "/queries";
  ChartPlugin.prototype.canHandleResults = function () {
    var r = this.yasr.results;
    return !!(r && r.getVariables && r.getVariables().length && r.getBindings);
  };
  ChartPlugin.prototype.getIcon = function () {
    var icon = document.createElement("span");
    icon.className = "chart-icon";
    icon.textContent = "\u2590";  // a bar
    return icon;
  };
  ChartPlugin.prototype.draw = function () {
    var box = document.createElement("div");
    box.className = "result-chart";
    box.innerHTML = '<p class="chart-note"></p><div class="chart-canvas"></div>';
    this.yasr.resultsEl.appendChild(box);
    MineralgraphResultChart.draw(box, this.yasr.results.getVariables(), this.yasr.results.getBindings(), open);
    this.box = box;
  };
  ChartPlugin.prototype.destroy = function () {
    if (this.box && this.box.chart) this.box.chart.dispose();
    this.box = null;
  };
  Yasgui.Yasr.registerPlugin("chart", ChartPlugin);
}
