// Ballot pages. Without this script every page still works: the receipt is shown to copy by
// hand, and the receipt field of the vote form is an ordinary field to type into.
(function () {
  "use strict";

  function store() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // storage blocked by the browser's settings
    }
  }

  // After voting: keep the receipt in this browser, keyed by ballot and member, so that the
  // change form can fill it in; and offer a copy button.
  var code = document.querySelector("[data-receipt-store]");
  var status = document.querySelector("[data-copy-status]");
  if (code) {
    var storage = store();
    if (storage) {
      try {
        storage.setItem(code.getAttribute("data-receipt-store"), code.textContent.trim());
        if (status) status.textContent = status.getAttribute("data-saved");
      } catch (error) {
        /* full or refused: the receipt is still on the page */
      }
    }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(
        function () {
          if (status) status.textContent = status.getAttribute("data-copied");
        },
        function () {
          if (status) status.textContent = status.getAttribute("data-failed");
        }
      );
    });
  });

  // The vote form: fill in the receipt kept for whoever the vote is for.
  var form = document.querySelector("form[data-vote-form]");
  if (!form || !form.elements.receipt) return;
  var saved = store();
  if (!saved) return;
  var prefix = form.getAttribute("data-receipt-prefix");
  var receipt = form.elements.receipt;
  var filledByUs = false;
  function fill() {
    var chosen = form.querySelector("input[name=for_member]:checked");
    var number = chosen && chosen.value !== "me" ? chosen.value : form.getAttribute("data-self");
    var value = null;
    try {
      value = saved.getItem(prefix + number);
    } catch (error) {
      value = null;
    }
    if (receipt.value === "" || filledByUs) {
      receipt.value = value || "";
      filledByUs = Boolean(value);
    }
  }
  receipt.addEventListener("input", function () {
    filledByUs = false;
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "for_member") fill();
  });
  fill();
})();
