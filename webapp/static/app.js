// Narrow screens show each table row as a card (app.css); every cell is labelled there with its
// column's header, copied here so that templates need not repeat each header on every cell.
(function () {
  "use strict";
  document.querySelectorAll("table.table").forEach(function (table) {
    const headers = [];
    table.querySelectorAll("thead tr:last-child th").forEach(function (th) {
      for (let span = 0; span < th.colSpan; span++) headers.push(th.textContent.trim());
    });
    if (!headers.length) return;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      let column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (!cell.hasAttribute("data-label") && headers[column]) cell.setAttribute("data-label", headers[column]);
        column += cell.colSpan;
      });
    });
  });
})();
