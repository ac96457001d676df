// derivtutor's practice page. Every piece of text from the server or the student is
// inserted with textContent; only KaTeX writes markup, from LaTeX, with trust off.
"use strict";

const PAGE = JSON.parse(document.getElementById("page-data").textContent);
const LANG = PAGE.lang;
const T = (code) => PAGE.strings[code] || code;
const $ = (id) => document.getElementById(id);
let bank = [], hintShown = 0, steps = [], stepShown = 0, previewTimer = null, previewSeq = 0;

function math(element, latex, text) {
  element.textContent = "";
  try {
    katex.render(latex, element, { throwOnError: false, trust: false, output: "htmlAndMathml" });
  } catch (err) {
    element.textContent = text || latex;
  }
  if (text) element.setAttribute("aria-label", text);
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ...body, lang: LANG }),
  });
  let data = null;
  try { data = await response.json(); } catch (err) { data = { error: { message: T("web.error") } }; }
  return data;
}

function current() {
  const id = $("exercise").value;
  return bank.find((e) => e.id === id) || null;
}

function target() {
  const exercise = current();
  if (exercise) return { exercise: exercise.id };
  return { function: $("function").value, var: $("variable").value || "x" };
}

function resetFeedback() {
  hintShown = 0; steps = []; stepShown = 0;
  for (const id of ["hints", "steps-list", "result", "derivation-lines", "derivation-result"]) $(id).textContent = "";
  $("result").className = "result";
  $("next-step").hidden = true;
}

function showPrompt() {
  const exercise = current();
  $("own").hidden = !!exercise;
  const prompt = $("prompt");
  prompt.textContent = exercise ? exercise.prompt : "";
  prompt.hidden = !exercise;
  if (exercise && window.renderMathInElement) {
    renderMathInElement(prompt, { delimiters: [{ left: "$$", right: "$$", display: true }, { left: "$", right: "$", display: false }],
                                  throwOnError: false, trust: false });
  }
  resetFeedback();
}

function fillExercises() {
  const topic = $("topic").value;
  const select = $("exercise");
  select.textContent = "";
  select.append(new Option(T("web.own-function"), ""));
  for (const e of bank) {
    if (!topic || e.topic === topic) select.append(new Option(e.title, e.id));
  }
  showPrompt();
}

async function loadBank() {
  const response = await fetch("api/exercises?lang=" + LANG);
  bank = (await response.json()).filter((e) => ["derivative", "derivation", "identity", "value", "matrix"].includes(e.kind));
  const topics = $("topic");
  topics.append(new Option(T("web.all-topics"), ""));
  for (const topic of [...new Set(bank.map((e) => e.topic))].sort()) topics.append(new Option(topic, topic));
  fillExercises();
}

function showParseError(text, error) {
  const box = $("preview-error");
  box.textContent = "";
  const shown = document.createElement("div");
  const at = error.position == null ? text.length : Math.min(error.position, text.length);
  const mark = document.createElement("mark");
  mark.className = "at";
  mark.textContent = text.slice(at, at + 1) || " ";
  shown.append(document.createTextNode(text.slice(0, at)), mark, document.createTextNode(text.slice(at + 1)));
  const sentence = document.createElement("div");
  sentence.textContent = error.message;
  box.append(shown, sentence);
}

async function preview() {
  const text = $("answer").value;
  const seq = ++previewSeq;
  $("preview-error").textContent = "";
  if (!text.trim()) { $("preview-math").textContent = ""; return; }
  const data = await post("api/parse", { text, syntax: "auto" });
  if (seq !== previewSeq) return;  // a newer keystroke has its own preview
  if (data.error) {
    $("preview-math").textContent = "";
    showParseError(text, data.error);
  } else {
    math($("preview-math"), data.latex, data.expression);
  }
}

async function check() {
  const result = $("result");
  result.className = "result";
  result.textContent = T("web.busy");
  const body = { ...target(), answer: $("answer").value };
  if ($("student").value.trim()) body.student = $("student").value.trim();
  const data = await post("api/check", body);
  result.textContent = "";
  if (data.error) {
    result.className = "result invalid";
    result.textContent = data.error.message;
    return;
  }
  result.className = "result " + data.verdict;
  const verdict = document.createElement("span");
  verdict.className = "verdict";
  verdict.textContent = T("web.verdict." + data.verdict);
  const sentence = document.createElement("span");
  sentence.className = "message";
  sentence.textContent = data.message || "";
  result.append(verdict, sentence);
  if (data.counterexample) {
    const ce = document.createElement("div");
    const point = Object.entries(data.counterexample.point || {}).map(([k, v]) => `${k} = ${v}`).join(", ");
    ce.textContent = `${T("web.counterexample")}: ${point}; ${T("web.expected-value")} ${data.counterexample.expected}, `
      + `${T("web.your-value")} ${data.counterexample.answer}`;
    result.append(ce);
  }
}

function hint() {
  const exercise = current();
  const hints = exercise ? exercise.hints : [];
  const list = $("hints");
  if (hintShown >= hints.length) {
    if (!list.querySelector(".none")) {
      const none = document.createElement("li");
      none.className = "none";
      none.textContent = T("web.no-more-hints");
      list.append(none);
    }
    return;
  }
  const item = document.createElement("li");
  item.textContent = hints[hintShown++];
  list.append(item);
}

function flatten(stepList, out) {
  for (const step of stepList) {
    out.push(step);
    flatten(step.substeps || [], out);
  }
  return out;
}

async function showSteps() {
  const exercise = current();
  const func = exercise ? exercise.function : $("function").value;
  const variable = exercise ? exercise.variable : ($("variable").value || "x");
  if (!func) { $("result").textContent = T("web.no-exercise"); return; }
  const data = await post("api/diff", { function: func, var: variable });
  $("steps-list").textContent = "";
  if (data.error) { $("result").textContent = data.error.message; return; }
  steps = flatten(data.steps || [], []);
  steps.push({ text: "", latex: `\\frac{d}{d${variable}} = ${data.derivative_latex}`, final: data.derivative });
  stepShown = 0;
  nextStep();
}

function nextStep() {
  if (stepShown >= steps.length) return;
  const step = steps[stepShown++];
  const item = document.createElement("li");
  const sentence = document.createElement("div");
  sentence.textContent = step.text;
  const formula = document.createElement("div");
  math(formula, step.latex, step.final || step.result || "");
  item.append(sentence, formula);
  $("steps-list").append(item);
  $("next-step").hidden = stepShown >= steps.length;
  if (stepShown >= steps.length) {
    const done = document.createElement("li");
    done.className = "none";
    done.textContent = T("web.all-steps-shown");
    $("steps-list").append(done);
  }
}

async function checkDerivation() {
  const box = $("derivation-result");
  box.className = "result";
  box.textContent = T("web.busy");
  const data = await post("api/check", { ...target(), derivation: $("derivation-text").value });
  box.textContent = "";
  $("derivation-lines").textContent = "";
  if (data.error) { box.className = "result invalid"; box.textContent = data.error.message; return; }
  box.className = "result " + data.verdict;
  box.textContent = T("web.verdict." + data.verdict);
  for (const line of data.lines || []) {
    const item = document.createElement("li");
    item.className = line.verdict === "correct" ? "ok" : line.verdict === "incorrect" ? "bad" : "unsure";
    item.textContent = `${T("web.line")} ${line.line}: ${line.text}` + (line.message ? ` — ${line.message}` : "");
    $("derivation-lines").append(item);
  }
}

function showTab(name) {
  for (const tab of ["practice", "derivation"]) {
    $(tab).hidden = tab !== name;
    $("tab-" + tab).setAttribute("aria-selected", String(tab === name));
  }
}

function init() {
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = T(el.dataset.t); });
  $("lang").value = LANG;
  $("lang").addEventListener("change", () => { location.search = "?lang=" + $("lang").value; });
  $("topic").addEventListener("change", fillExercises);
  $("exercise").addEventListener("change", showPrompt);
  $("answer").addEventListener("input", () => { clearTimeout(previewTimer); previewTimer = setTimeout(preview, 200); });
  $("answer").addEventListener("keydown", (event) => { if (event.key === "Enter") check(); });
  $("check").addEventListener("click", check);
  $("hint").addEventListener("click", hint);
  $("steps").addEventListener("click", showSteps);
  $("next-step").addEventListener("click", nextStep);
  $("derivation-check").addEventListener("click", checkDerivation);
  $("tab-practice").addEventListener("click", () => showTab("practice"));
  $("tab-derivation").addEventListener("click", () => showTab("derivation"));
  loadBank();
}

init();
