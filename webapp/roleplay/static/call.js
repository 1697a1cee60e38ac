// Shows the seconds spent on the current customer line. Display only: the server measures the
// reply time itself, between serving the line and receiving the reply.
(function () {
  var timer = document.getElementById("reply-timer");
  if (!timer) return;
  var limit = parseInt(timer.dataset.limit, 10), started = Date.now();
  setInterval(function () {
    var seconds = Math.floor((Date.now() - started) / 1000);
    timer.textContent = seconds;
    timer.classList.toggle("late", seconds > limit);
  }, 1000);
  var form = document.getElementById("reply-form");
  form.addEventListener("submit", function () { form.querySelector("[type=submit]").disabled = true; });
})();
