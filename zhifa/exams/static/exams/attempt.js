// The exam taking page: navigator, flags, a server-owned countdown, and autosave that never loses an answer.
//
// Save protocol (docs/exams.md): every change goes into `pending` (kept in localStorage with the device token and
// the last sequence number), then into a batch POSTed with seq+1. A batch always carries every pending answer, so
// a lost or reordered batch is harmless: the server keeps the highest seq and upserts by (attempt, question).
// An answer leaves `pending` only after the server acknowledged the batch that carried that very version.
// Autosave runs on change (a click after 300 ms, typing after 1 s: several changes, one save) and every 30 s;
// when a save fails the badge shows "未保存" and the batch is retried.

const app = document.getElementById("exam-app");
const api = app.dataset.api;
const storeKey = `zhifa-exam-${app.dataset.attempt}`;
const $ = (id) => document.getElementById(id);
const badge = $("save-state");

const saved = JSON.parse(localStorage.getItem(storeKey) || "{}");
const state = {
  token: saved.token || "",
  seq: saved.seq || 0,
  pending: saved.pending || {}, // question id → {response, flagged, v}
  current: saved.current || 0,
  version: saved.version || 0,
  questions: [],
  offsetMs: 0,
  deadline: 0,
  inflight: false,
  failing: false,
  stopped: false,
  retryMs: 2000,
  timer: null,
};

function persist() {
  localStorage.setItem(storeKey, JSON.stringify({
    token: state.token, seq: state.seq, pending: state.pending, current: state.current, version: state.version,
  }));
}

function headers() {
  return { "Content-Type": "application/json", "X-CSRFToken": app.dataset.csrf, "X-Device-Token": state.token };
}

async function call(path, options = {}) {
  const response = await fetch(api + path, { credentials: "same-origin", headers: headers(), ...options });
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  return { status: response.status, body };
}

function notice(text) {
  const box = $("exam-notice");
  box.textContent = text;
  box.hidden = !text;
}

function showBadge() {
  const waiting = Object.keys(state.pending).length;
  if (state.stopped) {
    badge.textContent = "已停止保存";
    badge.className = "badge err";
  } else if (waiting && state.failing) {
    badge.textContent = `未保存（${waiting}）`;
    badge.className = "badge err";
  } else if (waiting || state.inflight) {
    badge.textContent = "保存中…";
    badge.className = "badge warn";
  } else {
    badge.textContent = "已保存";
    badge.className = "badge ok";
  }
}

// ---- saving -------------------------------------------------------------------------------------------------

function record(question, response) {
  const old = state.pending[question] || {};
  const q = state.questions.find((item) => item.question === question);
  state.version += 1;
  state.pending[question] = { response, flagged: q ? q.flagged : Boolean(old.flagged), v: state.version };
  if (q) q.response = response;
  persist();
  showBadge();
  renderNavigator();
}

async function flush() {
  if (state.inflight || state.stopped) return;
  const batch = Object.entries(state.pending);
  if (!batch.length) return;
  state.inflight = true;
  state.seq += 1;
  persist();
  showBadge();
  const answers = batch.map(([question, a]) => ({ question: Number(question), response: a.response, flagged: a.flagged }));
  try {
    const { status, body } = await call("/answers", { method: "POST", body: JSON.stringify({ seq: state.seq, answers }) });
    if (status === 200 && body.replay) {
      state.seq = Math.max(state.seq, body.seq); // the server has seen a higher seq: send again above it
      throw new Error("replay");
    }
    if (status === 200) {
      for (const [question, a] of batch) {
        if (state.pending[question] && state.pending[question].v === a.v) delete state.pending[question];
      }
      state.failing = false;
      state.retryMs = 2000;
    } else if (status === 409 && body && body.code === "taken_over") {
      stop(body.message);
    } else if (status === 409) {
      stop(body ? body.message : "考试已结束。");
      window.setTimeout(() => { window.location.href = app.dataset.resultUrl; }, 1500);
    } else if (status === 400 && body && body.message && body.message.includes("序号")) {
      await resync();
      throw new Error("resync");
    } else {
      throw new Error(`HTTP ${status}`);
    }
  } catch (error) {
    state.failing = true;
    window.setTimeout(flush, state.retryMs);
    state.retryMs = Math.min(state.retryMs * 2, 30000);
  } finally {
    state.inflight = false;
    persist();
    showBadge();
  }
  if (Object.keys(state.pending).length && !state.failing) window.setTimeout(flush, 50);
}

function stop(message) {
  state.stopped = true;
  notice(message);
  showBadge();
}

async function resync() {
  const { status, body } = await call("/paper", { method: "GET" });
  if (status === 200) state.seq = body.last_seq;
}

// ---- clock --------------------------------------------------------------------------------------------------

function tick() {
  const left = Math.max(0, Math.floor((state.deadline - (Date.now() + state.offsetMs)) / 1000));
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  $("countdown").textContent = `${h ? `${h}:` : ""}${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  $("countdown").classList.toggle("ending", left < 300);
  if (left <= 10 && Object.keys(state.pending).length) flush();
  if (left === 0 && !state.stopped) {
    state.stopped = true;
    notice("考试时间到，正在交卷…");
    submit(false);
  }
}

// ---- rendering ----------------------------------------------------------------------------------------------

function renderNavigator() {
  const nav = $("navigator");
  nav.replaceChildren(...state.questions.map((q, i) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = String(q.number);
    const answered = q.response !== null && q.response !== undefined && q.response !== "" &&
      !(Array.isArray(q.response) && q.response.every((x) => x === "" || x === null));
    button.className = [answered ? "answered" : "", q.flagged ? "flagged" : "", i === state.current ? "current" : "",
      state.pending[q.question] ? "unsaved" : ""].join(" ").trim();
    button.setAttribute("aria-label", `第 ${q.number} 题${answered ? "，已作答" : ""}${q.flagged ? "，已标记" : ""}`);
    button.addEventListener("click", () => show(i));
    return button;
  }));
}

// Batching: a click is sent 300 ms later and typing 1 s after the last key, so a quick run of changes (or an
// answer changed twice) travels as one save; the pending answers are in localStorage meanwhile.
let saveTimer = null;
function saveSoon(ms) {
  window.clearTimeout(saveTimer);
  saveTimer = window.setTimeout(flush, ms);
}

function typed(question, value) {
  record(question, value);
  saveSoon(1000);
}

function choiceInputs(q, type) {
  const chosen = new Set(Array.isArray(q.response) ? q.response : q.response ? [q.response] : []);
  return q.options.map((option, i) => {
    const label = document.createElement("label");
    label.className = "choice";
    const input = document.createElement("input");
    input.type = type;
    input.name = `q${q.question}`;
    input.value = option.key;
    input.checked = chosen.has(option.key);
    input.addEventListener("change", () => {
      const picked = [...document.querySelectorAll(`input[name="q${q.question}"]:checked`)].map((x) => x.value);
      record(q.question, picked);
      saveSoon(300);
    });
    label.append(input, ` ${String.fromCharCode(65 + i)}. ${option.text}`);
    return label;
  });
}

function judgeInputs(q) {
  return [[true, "正确"], [false, "错误"]].map(([value, text]) => {
    const label = document.createElement("label");
    label.className = "choice";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = `q${q.question}`;
    input.checked = Array.isArray(q.response) ? q.response[0] === value : q.response === value;
    input.addEventListener("change", () => { record(q.question, [value]); saveSoon(300); });
    label.append(input, ` ${text}`);
    return label;
  });
}


function textInputs(q) {
  if (q.kind === "blank") {
    const values = Array.isArray(q.response) ? [...q.response] : [];
    return Array.from({ length: Math.max(q.blanks, 1) }, (_, i) => {
      const input = document.createElement("input");
      input.type = "text";
      input.value = values[i] || "";
      input.setAttribute("aria-label", `第 ${i + 1} 空`);
      input.addEventListener("input", () => { values[i] = input.value; typed(q.question, [...values]); });
      return input;
    });
  }
  const area = document.createElement("textarea");
  area.rows = 8;
  area.value = typeof q.response === "string" ? q.response : "";
  area.setAttribute("aria-label", "作答");
  area.addEventListener("input", () => typed(q.question, area.value));
  return [area];
}

function show(index) {
  state.current = Math.max(0, Math.min(index, state.questions.length - 1));
  persist();
  const q = state.questions[state.current];
  const box = $("question");
  const head = document.createElement("p");
  head.className = "question-head";
  const part = q.case ? `案例分析第 ${q.sub} 小题 · ` : "";
  head.textContent = `第 ${q.number} 题 · ${part}${q.kind_label} · ${q.points} 分`;
  const stem = document.createElement("div");
  stem.className = "stem";
  stem.innerHTML = q.stem; // sanitised by nh3 when the question was saved
  const parts = [head];
  if (q.case) { // the case text stays above each of its sub-questions
    const text = document.createElement("div");
    text.className = "case-text";
    text.innerHTML = q.case_stem; // sanitised by nh3 too
    parts.push(text);
  }
  let inputs;
  if (q.kind === "single") inputs = choiceInputs(q, "radio");
  else if (q.kind === "multiple") inputs = choiceInputs(q, "checkbox");
  else if (q.kind === "judge") inputs = judgeInputs(q);
  else inputs = textInputs(q);
  box.replaceChildren(...parts, stem, ...inputs);
  $("flag").setAttribute("aria-pressed", String(q.flagged));
  $("flag").textContent = q.flagged ? "取消标记" : "标记";
  renderNavigator();
}

// ---- submit, evidence, start-up -----------------------------------------------------------------------------

async function submit(ask = true) {
  if (ask) {
    const open = state.questions.filter((q) => q.response === null || q.response === undefined).length;
    if (!window.confirm(open ? `还有 ${open} 题未作答，确定交卷吗？` : "确定交卷吗？")) return;
  }
  state.stopped = false;
  for (let i = 0; i < 5 && Object.keys(state.pending).length; i += 1) {
    await flush();
    if (Object.keys(state.pending).length) await new Promise((r) => window.setTimeout(r, 1000));
  }
  if (Object.keys(state.pending).length && ask) {
    notice(`还有 ${Object.keys(state.pending).length} 题的答案未保存，请检查网络后再交卷。`);
    return;
  }
  const { status, body } = await call("/submit", { method: "POST", body: "{}" });
  if (status === 200) {
    localStorage.removeItem(storeKey);
    window.location.href = body.result_url;
  } else {
    notice("交卷未成功，请检查网络后重试。");
  }
}

function evidence(kind) {
  call("/events", { method: "POST", body: JSON.stringify({ kind }) }).catch(() => {});
}

async function start() {
  const claimed = await call("/claim", { method: "POST", body: JSON.stringify({ device_token: state.token }) });
  if (claimed.status === 409) {
    window.location.href = app.dataset.resultUrl;
    return;
  }
  if (claimed.status !== 200) {
    notice("无法连接服务器，请检查网络后刷新页面。");
    return;
  }
  state.token = claimed.body.device_token;
  if (claimed.body.taken_over) notice("已在本设备继续作答；其他设备上的作答将不再保存。");
  const { body } = await call("/paper", { method: "GET" });
  state.offsetMs = new Date(body.server_now).getTime() - Date.now();
  state.deadline = new Date(body.deadline).getTime();
  state.seq = Math.max(state.seq, body.last_seq);
  state.questions = body.questions.map((q) => {
    const local = state.pending[q.question];
    return local ? { ...q, response: local.response, flagged: local.flagged } : q;
  });
  persist();
  show(state.current);
  showBadge();
  tick();
  state.timer = window.setInterval(tick, 1000);
  window.setInterval(flush, 30000);
  flush(); // answers kept from before a reload or a network failure go out first
}

$("prev").addEventListener("click", () => show(state.current - 1));
$("next").addEventListener("click", () => show(state.current + 1));
$("flag").addEventListener("click", () => {
  const q = state.questions[state.current];
  q.flagged = !q.flagged;
  record(q.question, q.response === undefined ? null : q.response);
  show(state.current);
  flush();
});
$("submit").addEventListener("click", () => submit(true));
window.addEventListener("online", flush);
document.addEventListener("visibilitychange", () => { if (document.hidden) { evidence("tab_hidden"); flush(); } });
document.addEventListener("copy", () => evidence("copy"));
start();
