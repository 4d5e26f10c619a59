// netorigin's web pages: the only script, and everything works without it. It adds filtering
// as you type (the list's results are fetched from the server again, as the form would) and
// sorting of tables by a click on their heading. It reads no device text into HTML: new
// results are parsed by the browser's DOMParser from the server's escaped page.
"use strict";
(function () {
  var asked = 0;

  function refresh(form) {
    var results = document.getElementById("results");
    if (!results) { return; }
    var mine = ++asked;
    var params = new URLSearchParams(new FormData(form));
    Array.from(params.keys()).forEach(function (k) { if (!params.get(k)) { params.delete(k); } });
    var url = form.getAttribute("action") + (params.toString() ? "?" + params.toString() : "");
    results.classList.add("loading");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (text) {
        // An older answer arriving after a newer question is dropped.
        if (mine !== asked) { return; }
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.getElementById("results");
        var now = document.getElementById("results");
        if (!fresh) {
          // Signed out, or a problem page: the form, submitted, will say what.
          if (now) { now.classList.remove("loading"); }
          return;
        }
        if (now) {
          results = now;
          results.replaceWith(document.importNode(fresh, true));
          sortable(document);
          history.replaceState(null, "", url);
        }
      })
      .catch(function () {
        var now = document.getElementById("results");
        if (now) { now.classList.remove("loading"); }
      });
  }

  function filters() {
    var form = document.getElementById("filters");
    if (!form) { return; }
    var timer = null;
    var later = function () {
      clearTimeout(timer);
      timer = setTimeout(function () { refresh(form); }, 300);
    };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  function key(cell) {
    var t = cell.textContent.trim();
    var num = t.replace(/,/g, "").match(/^-?\d+(\.\d+)?/);
    return num && num[0].length === t.replace(/,/g, "").split(" ")[0].length ? [0, parseFloat(num[0]), t] : [1, 0, t.toLowerCase()];
  }

  function sortable(root) {
    root.querySelectorAll("table.sortable").forEach(function (table) {
      if (table.dataset.sortable) { return; }
      table.dataset.sortable = "1";
      table.querySelectorAll("thead th").forEach(function (th, col) {
        th.addEventListener("click", function () {
          var body = table.tBodies[0];
          if (!body) { return; }
          var asc = !th.classList.contains("sorted-asc");
          table.querySelectorAll("thead th").forEach(function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
          th.classList.add(asc ? "sorted-asc" : "sorted-desc");
          var rows = Array.from(body.rows);
          rows.sort(function (a, b) {
            var x = key(a.cells[col] || a), y = key(b.cells[col] || b);
            var c = x[0] - y[0] || (x[0] === 0 ? x[1] - y[1] : (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0));
            return asc ? c : -c;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    filters();
    sortable(document);
  });
})();
