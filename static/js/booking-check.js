// The booking form, as the worker, the days and the times are chosen: fetch the check from the
// server (the worker's free and busy times, the warnings, the cost) and put each part in its
// place. The warnings' place is a polite live region, so a screen reader hears them; it is only
// replaced when what it says changes. Without this script, "Check the times and cost" asks the
// same of the server by submitting the form.
(function () {
  "use strict";
  var form = document.querySelector("form[data-check-url]");
  if (!form || !window.fetch || !window.URLSearchParams || !window.DOMParser) return;
  var url = form.getAttribute("data-check-url");
  var skipped = { csrfmiddlewaretoken: true, tasks: true, notes: true };
  var timer = null;
  var latest = 0;

  var query = function () {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (!skipped[name]) params.append(name, value);
    });
    return params.toString();
  };

  var place = function (html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    form.querySelectorAll("[data-check-slot]").forEach(function (slot) {
      var part = parsed.querySelector('[data-check-part="' + slot.getAttribute("data-check-slot") + '"]');
      if (part && slot.innerHTML.trim() !== part.innerHTML.trim()) slot.innerHTML = part.innerHTML;
    });
  };

  var check = function () {
    var asked = ++latest;
    fetch(url + "?" + query(), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.text(); })
      .then(function (html) { if (asked === latest) place(html); })
      .catch(function () { /* the "Check" button still asks the server */ });
  };

  var soon = function (event) {
    if (event.target && skipped[event.target.name]) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 400);
  };
  form.addEventListener("change", soon);
  form.addEventListener("input", soon);
})();
