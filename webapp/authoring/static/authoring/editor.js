// The content editor, progressively enhanced: CodeMirror over the textarea when the bundle loaded,
// problems and preview refreshed as the trainer types, the draft autosaved. Without JavaScript the
// form still saves and the page still shows problems and preview after each save.
(function () {
  "use strict";
  const form = document.getElementById("editor-form");
  if (!form) return;
  const textarea = form.querySelector("textarea[data-editor]");
  const baseHash = form.querySelector('input[name="base_hash"]');
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const problemList = document.getElementById("editor-problems");
  const problemCount = document.getElementById("problem-count");
  const preview = document.getElementById("editor-preview");
  const saveState = document.getElementById("autosave-state");
  const conflict = document.getElementById("autosave-conflict");
  const CM = window.HotlineCodeMirror;
  let view = null;
  let checkTimer = null;
  let saveTimer = null;
  let checking = 0;
  let autosaving = true;

  function text() { return view ? view.state.doc.toString() : textarea.value; }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
  }

  function showProblems(problems) {
    problemList.replaceChildren();
    for (const problem of problems) {
      const item = document.createElement("li");
      item.dataset.line = problem.line;
      item.dataset.here = problem.here ? "yes" : "no";
      const where = document.createElement("span");
      where.className = "problem-where";
      where.textContent = problem.where;
      const message = document.createElement("code");
      message.textContent = problem.message;
      item.append(where, " ", message);
      problemList.append(item);
    }
    problemCount.textContent = String(problems.length);
    problemCount.className = "badge " + (problems.length ? "badge-bad" : "badge-ok");
    if (!view) return;
    const doc = view.state.doc;
    const diagnostics = problems.filter((p) => p.here).map((p) => {
      const line = doc.line(Math.min(Math.max(p.line, 1), doc.lines));
      return { from: line.from, to: line.to, severity: "error", message: p.message };
    });
    view.dispatch(CM.setDiagnostics(view.state, diagnostics));
  }

  function check() {
    const sent = ++checking;
    post(form.dataset.checkUrl, { path: form.dataset.path, text: text() })
      .then((response) => response.ok ? response.json() : null)
      .then((data) => {
        if (!data || sent !== checking) return;  // a newer check is on its way
        const sample = preview.querySelector("#try-reply-text");
        const reply = sample ? sample.value : "";
        preview.innerHTML = data.preview;  // rendered by the server with the trainees' templates, raw HTML refused
        showProblems(data.problems);
        const again = preview.querySelector("#try-reply-text");
        if (again && reply) {  // the sample reply stays and is scored again with the edited norms
          again.value = reply;
          tryReply();
        }
      });
  }

  // Norms: score a sample reply with the norms as typed (the scorecard's own turn partial).
  let trying = 0;
  function tryReply() {
    const box = preview.querySelector("#try-reply");
    const reply = box.querySelector("#try-reply-text").value;
    const result = preview.querySelector("#try-reply-result");
    if (!reply.trim()) return;
    const sent = ++trying;
    post(box.dataset.url, { path: box.dataset.path, text: text(), reply: reply })
      .then((response) => response.json())
      .then((data) => {
        if (sent !== trying) return;
        if (data.scorecard) {
          result.innerHTML = data.scorecard;
        } else {
          const message = document.createElement("p");
          message.className = "flash flash-error";
          message.textContent = data.message || "";
          result.replaceChildren(message);
        }
      });
  }

  preview.addEventListener("submit", (event) => {
    if (event.target.id !== "try-reply") return;
    event.preventDefault();
    tryReply();
  });

  function autosave() {
    if (!autosaving) return;
    saveState.textContent = form.dataset.savingText;
    post(form.dataset.autosaveUrl, { path: form.dataset.path, text: text(), base_hash: baseHash.value })
      .then((response) => response.json().then((data) => ({ status: response.status, data })))
      .then(({ status, data }) => {
        if (status === 409) {
          autosaving = false;
          saveState.textContent = "";
          document.getElementById("autosave-conflict-diff").innerHTML = data.diff;
          conflict.hidden = false;
          return;
        }
        saveState.textContent = data.saved ? form.dataset.savedText : "";
      })
      .catch(() => { saveState.textContent = ""; });
  }

  function changed() {
    textarea.value = text();
    clearTimeout(checkTimer);
    clearTimeout(saveTimer);
    checkTimer = setTimeout(check, 400);
    saveTimer = setTimeout(autosave, 1500);
  }

  if (CM) {
    const holder = document.createElement("div");
    holder.className = "code-editor";
    textarea.after(holder);
    view = new CM.EditorView({
      doc: textarea.value,
      parent: holder,
      extensions: [CM.basicSetup, CM.markdown(), CM.lintGutter(), CM.EditorView.lineWrapping,
        CM.EditorView.contentAttributes.of({ "aria-label": textarea.getAttribute("aria-label") || "Markdown" }),
        CM.EditorView.updateListener.of((update) => { if (update.docChanged) changed(); })],
    });
    textarea.hidden = true;
    form.addEventListener("submit", () => { textarea.value = text(); });
  } else {
    textarea.addEventListener("input", changed);
  }
  check();

  // From item statistics: put the cursor on the question's heading ("## <id>").
  const wanted = location.hash.startsWith("#question-") ? "## " + decodeURIComponent(location.hash.slice(10)) : null;
  if (view && wanted) {
    const at = view.state.doc.toString().split("\n").findIndex((line) => line.trim() === wanted);
    if (at >= 0) {
      const line = view.state.doc.line(at + 1);
      view.dispatch({ selection: { anchor: line.from }, scrollIntoView: true });
      view.focus();
    }
  }
})();
