/* A link such as /plans?flag=cin_review_overdue#plans-drift-list lands on that element: the browser
 * cannot scroll there itself, as the page's parts are drawn by callbacks after it has loaded. So on
 * load and after each in-app navigation (dcc.Link), watch the page until the element exists and no
 * part is still loading, then scroll it into view; parts drawn above it later push it down, so it
 * is scrolled to again until the page settles: nothing loading and the page's size unchanged for
 * SETTLE_MS (a chart grows to its height only once Plotly has drawn it, after its callback has
 * finished). The reader scrolling (wheel, touch, keys) stops it, and so does MAX_MS. */
(function () {
  var SETTLE_MS = 1500, MAX_MS = 20000;
  var observer = null, resizes = null, settle = null, give_up = null;

  function stop() {
    if (observer) { observer.disconnect(); observer = null; }
    if (resizes) { resizes.disconnect(); resizes = null; }
    clearTimeout(settle);
    clearTimeout(give_up);
  }

  function loading() {
    return document.querySelector('[data-dash-is-loading="true"], ._dash-loading, .dash-spinner') !== null;
  }

  function target() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    return id ? document.getElementById(id) : null;
  }

  function place() {
    var el = target();
    if (!el) { return; }
    el.scrollIntoView({block: "start"});
    clearTimeout(settle);
    if (!loading()) { settle = setTimeout(stop, SETTLE_MS); }
  }

  function follow() {
    stop();
    if (!window.location.hash || window.location.hash.length < 2) { return; }
    var again = function () { window.requestAnimationFrame(place); };
    observer = new MutationObserver(again);
    observer.observe(document.body, {childList: true, subtree: true, attributes: true,
                                     attributeFilter: ["data-dash-is-loading", "class"]});
    if (window.ResizeObserver) {
      resizes = new ResizeObserver(again);
      resizes.observe(document.body);
    }
    give_up = setTimeout(stop, MAX_MS);
    place();
  }

  ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (name) {
    window.addEventListener(name, stop, {passive: true});
  });
  window.addEventListener("_dashprivate_pushstate", function () { window.requestAnimationFrame(follow); });
  window.addEventListener("popstate", follow);
  window.addEventListener("hashchange", follow);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", follow);
  } else {
    follow();
  }
})();
