// On a visit's page: add where the worker is to the check-in, if they allow it. The check-in
// goes ahead without a location when the browser has none, is refused, or takes too long.
(function () {
  "use strict";
  var form = document.querySelector("form[data-check-in]");
  if (!form || !navigator.geolocation) return;
  form.addEventListener("submit", function (event) {
    var share = form.querySelector("#share-location");
    if (!share || !share.checked || form.dataset.located) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    var send = function () {
      form.dataset.located = "1";
      form.submit();
    };
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.latitude.value = position.coords.latitude;
        form.elements.longitude.value = position.coords.longitude;
        send();
      },
      send,
      { timeout: 8000, maximumAge: 60000 }
    );
  });
})();
