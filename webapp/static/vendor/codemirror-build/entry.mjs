// What the editor page needs from CodeMirror 6, exposed as window.HotlineCodeMirror.
export { EditorView, basicSetup } from "codemirror";
export { markdown } from "@codemirror/lang-markdown";
export { setDiagnostics, lintGutter } from "@codemirror/lint";
