// The practice player: one question a screen, immediate feedback, works offline.
// The day's session is cached (localStorage + service worker); answers go to an outbox in localStorage and are
// synced to the server, which deduplicates them by client_id, whenever the network is there.
(function () {
  "use strict";
  const root = document.getElementById("practice");
  if (!root) return;
  const itemBox = document.getElementById("item");
  const OUTBOX = "zhifa.practice.outbox";
  const sessionKey = "zhifa.practice.session." + root.dataset.mode + "?" + root.dataset.query;
  let items = [];
  let index = 0;
  let shownAt = 0;
  let rightCount = 0;

  function csrf() { return document.querySelector("meta[name=csrf-token]").content; }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "r" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }
  function readOutbox() { try { return JSON.parse(localStorage.getItem(OUTBOX) || "[]"); } catch (e) { return []; } }
  function writeOutbox(list) { localStorage.setItem(OUTBOX, JSON.stringify(list)); showBadges(); }
  function showBadges() {
    const n = readOutbox().length;
    document.getElementById("outbox-count").textContent = n;
    document.getElementById("sync-badge").hidden = n === 0;
    document.getElementById("offline-badge").hidden = navigator.onLine;
  }

  // Local check for immediate feedback, also offline. The server's check is the one recorded.
  function norm(text) {
    return String(text == null ? "" : text).normalize("NFKC").toLowerCase().replace(/\s+/g, "").replace(/[。.，,；;、!！?？]+$/, "");
  }
  function isCorrect(item, response) {
    const key = item.answer;
    if (item.kind === "single" || item.kind === "multiple") {
      const want = [...key].sort().join(""), got = [...(response || [])].sort().join("");
      return want === got;
    }
    if (item.kind === "judge") return response === key[0];
    if (item.kind === "blank") {
      return key.length === (response || []).length &&
        key.every((accepted, i) => accepted.some((a) => norm(a) === norm(response[i])));
    }
    return false;
  }
  function answerText(item) {
    if (item.kind === "judge") return item.answer[0] ? "正确" : "错误";
    if (item.kind === "blank") return item.answer.map((a) => a[0]).join("；");
    return item.answer.join("");
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text != null) node.textContent = text;
    return node;
  }

  function render() {
    showBadges();
    document.getElementById("progress").textContent = items.length ? `第 ${Math.min(index + 1, items.length)} / ${items.length} 题` : "";
    itemBox.innerHTML = "";
    if (!items.length) { itemBox.append(el("p", {}, "今天没有需要练习的题目，明天再来。")); return; }
    if (index >= items.length) {
      itemBox.append(el("h2", {}, "今日练习完成"), el("p", { id: "summary" }, `答对 ${rightCount} / ${items.length} 题。`));
      return;
    }
    const item = items[index];
    shownAt = performance.now();
    itemBox.append(el("p", { class: "badge" }, item.kind_label));
    const stem = el("div", { class: "stem" });
    stem.innerHTML = item.stem; // sanitised by the server (nh3) when the question was saved
    itemBox.append(stem);
    const form = el("form", { id: "answer-form" });
    if (item.kind === "single" || item.kind === "multiple") {
      item.options.forEach((o) => {
        const label = el("label", { class: "choice" });
        const input = el("input", { type: item.kind === "single" ? "radio" : "checkbox", name: "choice", value: o.label });
        label.append(input, document.createTextNode(` ${o.label}. ${o.text}`));
        form.append(label);
      });
    } else if (item.kind === "judge") {
      [["true", "正确"], ["false", "错误"]].forEach(([v, t]) => {
        const label = el("label", { class: "choice" });
        label.append(el("input", { type: "radio", name: "choice", value: v }), document.createTextNode(" " + t));
        form.append(label);
      });
    } else {
      item.answer.forEach((_, i) => {
        form.append(el("label", { for: "blank-" + i }, `第 ${i + 1} 空`), el("input", { id: "blank-" + i, name: "blank", autocomplete: "off" }));
      });
    }
    const submit = el("button", { type: "submit", class: "primary block" }, "提交");
    form.append(submit);
    form.addEventListener("submit", (event) => { event.preventDefault(); answer(item, form); });
    itemBox.append(form);
  }

  function responseOf(item, form) {
    if (item.kind === "blank") return [...form.querySelectorAll("input[name=blank]")].map((i) => i.value);
    const picked = [...form.querySelectorAll("input[name=choice]:checked")].map((i) => i.value);
    if (item.kind === "judge") return picked.length ? picked[0] === "true" : null;
    return picked;
  }

  function answer(item, form) {
    const response = responseOf(item, form);
    const correct = isCorrect(item, response);
    if (correct) rightCount += 1;
    const outbox = readOutbox();
    outbox.push({ client_id: uuid(), question_id: item.id, response: response,
                  response_ms: Math.round(performance.now() - shownAt), reviewed_at: new Date().toISOString() });
    writeOutbox(outbox);
    flush();
    form.querySelector("button[type=submit]").remove();
    form.querySelectorAll("input").forEach((i) => { i.disabled = true; });
    const feedback = el("div", { class: "feedback " + (correct ? "ok" : "error"), role: "status" });
    feedback.append(el("p", { class: "verdict" }, correct ? "回答正确" : "回答错误"));
    feedback.append(el("p", {}, "正确答案：" + answerText(item)));
    if (item.explanation) feedback.append(el("p", { class: "help" }, "解析：" + item.explanation));
    item.articles.forEach((a) => {
      const p = el("p"); p.append("法条依据："); p.append(el("a", { href: a.url }, a.key)); feedback.append(p);
    });
    const next = el("button", { type: "button", class: "primary block", id: "next" }, index + 1 < items.length ? "下一题" : "完成");
    next.addEventListener("click", () => { index += 1; render(); });
    feedback.append(next);
    itemBox.append(feedback);
    next.focus();
  }

  let flushing = false;
  async function flush() {
    const outbox = readOutbox();
    if (flushing || !outbox.length || !navigator.onLine) { showBadges(); return; }
    flushing = true;
    try {
      const response = await fetch(root.dataset.reviewsUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ sent_at: new Date().toISOString(), reviews: outbox }),
      });
      if (response.ok) {
        const body = await response.json();
        // Both recorded and refused reviews leave the outbox: a refused one would be refused again.
        const done = new Set(body.results.map((r) => r.client_id));
        writeOutbox(readOutbox().filter((r) => !done.has(r.client_id)));
      }
    } catch (e) { /* offline: keep them, try again later */ }
    flushing = false;
    showBadges();
  }

  async function load() {
    const url = root.dataset.sessionUrl + "?mode=" + encodeURIComponent(root.dataset.mode) + "&" + root.dataset.query;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const session = await response.json();
      localStorage.setItem(sessionKey, JSON.stringify(session));
      items = session.items;
    } catch (e) {
      const cached = localStorage.getItem(sessionKey);
      items = cached ? JSON.parse(cached).items : [];
      if (!cached) { itemBox.textContent = "网络不可用，且本机没有缓存的练习。请联网后重试。"; return; }
    }
    render();
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.swUrl, { scope: "/practice/" }).catch(() => {});
  }
  window.addEventListener("online", flush);
  window.addEventListener("offline", showBadges);
  setInterval(flush, 15000);
  load().then(flush);
})();
