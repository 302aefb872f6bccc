// A form that creates something (it carries a one-time token, {% sent_once %}, or is marked
// data-send-once) is sent once: after the first press its button is disabled and "Sending…" is
// said. The server does not act on a second post of the same form anyway; this spares the person
// the doubt, and the server the work.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form");
  Array.prototype.forEach.call(forms, function (form) {
    var token = form.querySelector('input[name="sent_once"]');
    var sending = token ? token.getAttribute("data-sending") : form.getAttribute("data-send-once");
    if (sending === null) return;
    // The live region is on the page before it speaks, so that screen readers announce it.
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    status.setAttribute("data-send-once-status", "");
    form.appendChild(status);
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      if (form.getAttribute("data-sending") === "true") {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sending", "true");
      status.textContent = sending || "Sending…";
      // Disabled after the browser has taken the pressed button's name and value into the post.
      window.setTimeout(function () {
        var buttons = form.querySelectorAll('button[type="submit"], button:not([type]), input[type="submit"]');
        Array.prototype.forEach.call(buttons, function (button) {
          button.disabled = true;
          button.setAttribute("aria-disabled", "true");
        });
      }, 0);
    });
  });
  // Coming back to the page from the browser's history shows its form ready to use again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    Array.prototype.forEach.call(document.querySelectorAll('form[data-sending="true"]'), function (form) {
      form.removeAttribute("data-sending");
      Array.prototype.forEach.call(form.querySelectorAll("[aria-disabled=\"true\"]"), function (button) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
      });
      var status = form.querySelector("[data-send-once-status]");
      if (status) status.textContent = "";
    });
  });
})();
