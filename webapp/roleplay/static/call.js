// Shows the seconds spent on the current customer line, starting from the server's count when the
// page was rendered (a reload does not reset it). Display only: the server measures the reply time
// itself, between serving the line and receiving the reply.
(function () {
  var timer = document.getElementById("reply-timer");
  if (!timer) return;
  var limit = parseInt(timer.dataset.limit, 10);
  var offset = parseInt(timer.dataset.elapsed || "0", 10) * 1000, started = Date.now();
  var warning = document.getElementById("late-warning");
  function tick() {
    var seconds = Math.floor((Date.now() - started + offset) / 1000);
    timer.textContent = seconds;
    timer.classList.toggle("late", seconds > limit);
    if (warning) warning.hidden = seconds <= limit;
  }
  tick();
  setInterval(tick, 1000);
  var form = document.getElementById("reply-form");
  form.addEventListener("submit", function () { form.querySelector("[type=submit]").disabled = true; });
})();
