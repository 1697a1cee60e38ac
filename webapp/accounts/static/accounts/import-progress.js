// Roster import page: poll the job's status, move the progress bar, and reload the page (which
// then shows the result) once the job has finished. Without JavaScript the refresh link works.
(function () {
  "use strict";
  const box = document.getElementById("import-progress");
  if (!box) return;
  const bar = box.querySelector(".progress-bar");
  const meter = box.querySelector("[role=progressbar]");

  function show(status) {
    bar.style.width = status.percent + "%";
    meter.setAttribute("aria-valuenow", status.percent);
    box.querySelectorAll("[data-phase]").forEach(function (label) {
      label.hidden = label.dataset.phase !== (status.phase || "queued");
    });
  }

  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, {credentials: "same-origin"});
      if (response.ok) {
        const status = await response.json();
        if (status.finished) {
          window.location.reload();
          return;
        }
        show(status);
      }
    } catch (error) {
      // a dropped connection: try again at the next tick
    }
    window.setTimeout(poll, 1000);
  }

  window.setTimeout(poll, 500);
})();
