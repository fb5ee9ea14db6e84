// Source pages: a claim can be cut into several <mark> pieces (claims overlap); light up every
// piece of the claim the address points at, not only the first.
(function () {
  function light() {
    document.querySelectorAll("mark.current").forEach(function (m) { m.classList.remove("current"); });
    var id = decodeURIComponent(location.hash.slice(1));
    if (!/^claim-\d+-\d+$/.test(id)) return;
    document.querySelectorAll("mark." + id).forEach(function (m) { m.classList.add("current"); });
  }
  window.addEventListener("hashchange", light);
  document.addEventListener("DOMContentLoaded", light);
})();

// Autocomplete: inputs marked data-suggest ask /search as the reader types and fill their
// <datalist>. The site's search box (data-suggest="1") goes straight to a picked entity's page;
// a stored-query field (data-suggest="country", "mechanism" …) gets the entity's id as its value.
(function () {
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    var type = input.dataset.suggest === "1" ? "" : input.dataset.suggest;
    var timer = null, asked = "", byLabel = {};
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (!type && byLabel[q]) { location.href = byLabel[q]; return; }
      clearTimeout(timer);
      if (!q || q === asked) return;
      timer = setTimeout(function () {
        asked = q;
        var url = "/search?limit=12&q=" + encodeURIComponent(q) + (type ? "&type=" + encodeURIComponent(type) : "");
        fetch(url, { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (rows) {
            byLabel = {};
            list.replaceChildren.apply(list, rows.map(function (r) {
              var o = document.createElement("option");
              o.value = type ? r.id : r.label;
              o.label = type ? r.label + " · " + r.type : r.type + " · " + (r.source ? "source " + r.source : r.id);
              // a close name for a typo: the browser lists only options holding what was typed, so say it
              if (r.match === "close") o.label = "did you mean? “" + q + "” · " + o.label;
              byLabel[r.label] = r.href;
              return o;
            }));
          })
          .catch(function () {});
      }, 150);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-suggest]").forEach(attach);
  });
})();

// Citations: "Copy citation" puts the plain-text citation on the clipboard (and selects it, so
// Ctrl+C works where the clipboard API is not allowed, e.g. over plain http).
(function () {
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("button[data-copy]");
    if (!button) return;
    var box = document.getElementById(button.dataset.copy);
    if (!box) return;
    box.focus();
    box.select();
    var done = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy citation"; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value).then(done, function () { document.execCommand("copy") && done(); });
    } else if (document.execCommand("copy")) {
      done();
    }
  });
})();
