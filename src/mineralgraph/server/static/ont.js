// /ont#Term for a term the ontology lacks: fragments never reach the server, so the page says
// so itself and offers the closest term names.
(function () {
  var box = document.getElementById("missing-term");
  if (!box) return;
  var names = Array.prototype.map.call(document.querySelectorAll("dl.terms > dt[id]"), function (d) { return d.id; });
  function distance(a, b) {
    a = a.toLowerCase(); b = b.toLowerCase();
    var row = [], i, j, prev, tmp;
    for (j = 0; j <= b.length; j++) row[j] = j;
    for (i = 1; i <= a.length; i++) {
      prev = row[0]; row[0] = i;
      for (j = 1; j <= b.length; j++) {
        tmp = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = tmp;
      }
    }
    return row[b.length];
  }
  function check() {
    var term = decodeURIComponent(location.hash.slice(1));
    box.hidden = true;
    box.textContent = "";
    if (!term || document.getElementById(term)) return;
    var close = names.map(function (n) { return [distance(term, n), n]; })
      .filter(function (x) { return x[0] <= Math.max(2, Math.floor(term.length / 3)); })
      .sort(function (x, y) { return x[0] - y[0]; }).slice(0, 5);
    box.appendChild(document.createTextNode("The ontology has no term mg:" + term + "."));
    if (close.length) {
      box.appendChild(document.createTextNode(" Did you mean: "));
      close.forEach(function (x, i) {
        var a = document.createElement("a");
        a.href = "#" + x[1]; a.textContent = "mg:" + x[1];
        box.appendChild(a);
        if (i < close.length - 1) box.appendChild(document.createTextNode(", "));
      });
      box.appendChild(document.createTextNode("?"));
    }
    box.hidden = false;
  }
  window.addEventListener("hashchange", check);
  check();
})();
