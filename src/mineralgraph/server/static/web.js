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
