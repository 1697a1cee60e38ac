// Attempt page: save every answer as the trainee goes, and count down to the server's deadline.
// Without JavaScript the form still works: submitting it saves and grades every answer shown.
(function () {
  "use strict";
  const form = document.getElementById("attempt-form");
  if (!form) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.getElementById("save-status");
  const queues = new Map();  // one chain of saves per question: answers arrive in order
  let submitting = false;

  function answerOf(fieldset) {
    const position = Number(fieldset.dataset.position);
    const values = [];
    fieldset.querySelectorAll('[name="q' + position + '"]').forEach(function (field) {
      if (field.type === "radio" || field.type === "checkbox") {
        if (field.checked) values.push(field.value);
      } else {
        values.push(field.value);
      }
    });
    return {position: position, values: values};
  }

  async function send(fieldset) {
    status.textContent = form.dataset.saving;
    try {
      const response = await fetch(form.dataset.saveUrl, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": token},
        body: JSON.stringify(answerOf(fieldset)),
      });
      if (response.status === 409) {
        submitting = true;
        window.location.assign((await response.json()).result_url);
        return;
      }
      fieldset.dataset.saved = response.ok ? "yes" : "no";
      status.textContent = response.ok ? form.dataset.saved : form.dataset.failed;
    } catch (error) {
      fieldset.dataset.saved = "no";
      status.textContent = form.dataset.failed;
    }
  }

  function save(fieldset) {
    if (submitting) return;
    const key = fieldset.dataset.position;
    const chain = (queues.get(key) || Promise.resolve()).then(function () { return send(fieldset); });
    queues.set(key, chain);
  }

  const typing = new Map();
  form.addEventListener("change", function (event) {
    const fieldset = event.target.closest(".quiz-question");
    if (fieldset) save(fieldset);
  });
  form.addEventListener("input", function (event) {
    if (event.target.type !== "text") return;
    const fieldset = event.target.closest(".quiz-question");
    clearTimeout(typing.get(fieldset));
    typing.set(fieldset, setTimeout(function () { save(fieldset); }, 800));
  });
  // Before submitting, name the questions without an answer; the server asks again when this
  // acknowledgement is missing (no JavaScript), so nothing depends on it.
  const acknowledged = document.getElementById("acknowledged");
  function unansweredNumbers() {
    const numbers = [];
    form.querySelectorAll(".quiz-question").forEach(function (fieldset) {
      if (!answerOf(fieldset).values.some(function (value) { return value !== ""; })) {
        numbers.push(Number(fieldset.dataset.position) + 1);
      }
    });
    return numbers;
  }
  form.addEventListener("submit", function (event) {
    const numbers = unansweredNumbers();
    if (numbers.length && !window.confirm(form.dataset.unanswered.replace("{numbers}", numbers.join(", ")))) {
      event.preventDefault();
      return;
    }
    acknowledged.value = "1";
    submitting = true;
  });

  const timer = document.getElementById("quiz-timer");
  if (!timer) return;
  const end = Date.now() + Number(timer.dataset.remaining) * 1000;
  function tick() {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    timer.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    timer.classList.toggle("quiz-timer-low", left <= 60);
    if (left === 0 && !submitting) {
      submitting = true;
      acknowledged.value = "1";  // the time is up: grade what there is
      form.submit();  // the server accepts it within the grace period, else grades what was saved
      return;
    }
    setTimeout(tick, 1000);
  }
  tick();
})();
