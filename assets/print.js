/* Companion of print.css: Plotly draws charts at the screen's width, so before printing every
 * chart is redrawn at the width of A4 landscape paper (print.css's @page), and after printing it
 * follows its container again. Without this, a chart drawn on a wide screen is clipped on paper. */
(function () {
  var PRINT_WIDTH = 980; /* CSS px: 297 mm minus 2 x 10 mm margins, at 96 px per inch, rounded down */
  function graphs() { return window.Plotly ? document.querySelectorAll(".js-plotly-plot") : []; }
  window.addEventListener("beforeprint", function () {
    graphs().forEach(function (gd) { window.Plotly.relayout(gd, {width: PRINT_WIDTH, autosize: false}); });
  });
  window.addEventListener("afterprint", function () {
    graphs().forEach(function (gd) { window.Plotly.relayout(gd, {width: null, autosize: true}); });
  });
})();
