"""The site's style and its one script, inlined into index.html so the page needs no network
(no CDN) and no other file but its plots.

The script makes every ``table.sortable`` sortable by clicking a column header: numbers by the
cell's ``data-value`` (the unrounded mean; empty cells last either way), text otherwise; a
second click reverses; ``aria-sort`` tells which column is sorted and how.
"""

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 96rem; color: #222; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 1rem 0; }
th, td { padding: 0.25rem 0.5rem; border-bottom: 1px solid #ddd; text-align: right;
         white-space: nowrap; }
th { cursor: pointer; background: #f4f4f4; position: sticky; top: 0; }
th[aria-sort="ascending"]::after { content: " ▲"; }
th[aria-sort="descending"]::after { content: " ▼"; }
td.label, th.label, td.flags { text-align: left; }
tr.reference td { background: #f7fbff; }
tr.collapsed td, td.flags { color: #a33; }
td.best { font-weight: bold; }
figure { display: inline-block; margin: 0.5rem 1rem 0.5rem 0; }
ul.notes { font-size: 0.8rem; color: #555; }
footer { margin-top: 3rem; font-size: 0.8rem; color: #666; border-top: 1px solid #ddd; }
"""

SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  var headers = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(headers, function (th, column) {
    th.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(headers, function (h) { h.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var numeric = th.dataset.type === "number";
      var key = function (row) {
        var cell = row.cells[column];
        if (!numeric) { return cell.textContent; }
        var text = cell.dataset.value;
        return text === undefined || text === "" ? null : parseFloat(text);
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === null || y === null) { return (x === null) - (y === null); }
        var order = numeric ? x - y : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""
