// On an allocation's page while its dividends are being calculated: ask the server how far the
// calculation has gone every second, move the progress bar and say so in the status line (read
// out by screen readers), and show the finished page once it is done. Without this script the
// page shows where it stood when loaded, and a reload shows more.
(function () {
  "use strict";
  var bar = document.querySelector("progress[data-progress-url]");
  if (!bar || !window.fetch) return;
  var status = document.getElementById(bar.getAttribute("aria-describedby"));
  var url = bar.getAttribute("data-progress-url");
  var poll = function () {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (progress) {
        if (progress.total > 0) {
          bar.max = progress.total;
          bar.value = progress.done;
        }
        bar.textContent = progress.percent + "%";
        if (status && status.textContent !== progress.message) status.textContent = progress.message;
        if (progress.finished) {
          bar.max = Math.max(progress.total, 1);
          bar.value = bar.max;
          window.setTimeout(function () { window.location.reload(); }, 1500);
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  };
  window.setTimeout(poll, 1000);
})();
