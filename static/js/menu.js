// The main menu: on a phone one "Menu" button opens every destination; on a wide screen "More"
// opens the rest below the first few. Without this script both buttons stay hidden and every link
// shows. Loaded without `defer`, right after the menu, so the page never flashes the full list.
(function () {
  "use strict";
  var nav = document.querySelector(".site-nav");
  if (!nav) return;
  var toggles = Array.prototype.slice.call(nav.querySelectorAll("[data-menu-toggle]"));
  if (!toggles.length) return;

  function shown(element) {
    return element.getClientRects().length > 0;
  }
  function setOpen(toggle, open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  function openToggles() {
    return toggles.filter(function (toggle) {
      return toggle.getAttribute("aria-expanded") === "true";
    });
  }
  function closeAll() {
    openToggles().forEach(function (toggle) {
      setOpen(toggle, false);
    });
  }

  toggles.forEach(function (toggle) {
    setOpen(toggle, false);
    toggle.addEventListener("click", function () {
      setOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
    });
  });
  document.documentElement.classList.add("js-menu");

  // Escape closes what is open and gives focus back to the button that opened it (the innermost
  // one a person can see: "More" inside the phone menu is hidden there).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") return;
    var open = openToggles();
    if (!open.length) return;
    var visible = open.filter(shown);
    var target = visible.length ? visible[visible.length - 1] : null;
    closeAll();
    if (target) target.focus();
    event.preventDefault();
  });
  // A click elsewhere, or focus moving on past the menu, closes it: it would otherwise lie over the page.
  document.addEventListener("click", function (event) {
    if (!nav.contains(event.target)) closeAll();
  });
  nav.addEventListener("focusout", function (event) {
    if (event.relatedTarget && !nav.contains(event.relatedTarget)) closeAll();
  });
})();
