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

// Ticking a task saves it without reloading the page, so a visit note being written is not
// lost. Without this script each tick is an ordinary form post.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) return;
  document.querySelectorAll("form[data-task]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      var done = form.elements.done;
      button.disabled = true;
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          var nowDone = done.value === "1";
          done.value = nowDone ? "0" : "1";
          button.setAttribute("aria-pressed", nowDone ? "true" : "false");
          form.querySelector(".task__box").textContent = nowDone ? "\u2713" : "";
          form.closest("li").classList.toggle("task--done", nowDone);
          button.disabled = false;
        })
        .catch(function () {
          form.submit();
        });
    });
  });
})();
