// Swagger UI renders some controls without names and scrolling examples that a keyboard cannot
// reach. This names each parameter's select after its parameter, and lets examples take focus.
(function () {
  function mend(root) {
    root.querySelectorAll("tr[data-param-name] select:not([aria-label])").forEach(function (select) {
      select.setAttribute("aria-label", select.closest("tr").getAttribute("data-param-name"));
    });
    root.querySelectorAll(".highlight-code > pre:not([tabindex]), .highlight-code > .microlight:not([tabindex])")
      .forEach(function (block) {
        block.setAttribute("tabindex", "0");
        block.setAttribute("role", "region");
        block.setAttribute("aria-label", "Example");
      });
  }
  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root) { return; }
    new MutationObserver(function () { mend(root); }).observe(root, { childList: true, subtree: true });
    mend(root);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
