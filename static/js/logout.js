// Logging out forgets the vote receipts this browser kept for the ballot forms (see ballot.js),
// so that the next person at a shared computer does not find them.
(function () {
  "use strict";
  var script = document.currentScript;
  var action = script && script.getAttribute("data-logout-url");
  if (!action) return;
  function forget() {
    try {
      var storage = window.localStorage;
      for (var i = storage.length - 1; i >= 0; i -= 1) {
        var key = storage.key(i);
        if (key && key.indexOf("carecoop-receipt:") === 0) storage.removeItem(key);
      }
    } catch (error) {
      /* storage blocked: nothing was kept */
    }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.getAttribute && form.getAttribute("action") === action) forget();
  });
})();
