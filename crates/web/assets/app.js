// riskreg's progressive enhancement: everything works without it. It only saves clicks.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Filter forms marked data-autosubmit submit when a select or date changes.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function (e) {
      if (e.target.matches("select, input[type=date]")) form.requestSubmit();
    });
  });
  // Buttons that ask before doing something that cannot be undone.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (e) {
      if (!window.confirm(el.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
  // The impact guidance follows the impact chosen: highlight its column.
  var impact = document.getElementById("impact");
  if (impact) {
    var mark = function () {
      document.querySelectorAll("#classification [data-level]").forEach(function (cell) {
        cell.classList.toggle("on", cell.getAttribute("data-level") === impact.value);
      });
      document.querySelectorAll("#impact-guide [data-guide]").forEach(function (g) {
        g.classList.toggle("on", g.getAttribute("data-guide") === impact.value);
      });
    };
    impact.addEventListener("change", mark);
    mark();
  }
});
