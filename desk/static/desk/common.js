// yuecall desk: shared helpers for the agent, supervisor and compliance
// pages. Plain JS, no build step. Text is always set with textContent.
"use strict";

const Desk = (() => {
  let me = null;

  const $ = (sel, root) => (root || document).querySelector(sel);

  // el builds an element: el("li", {testid: "x", class: "y"}, "text", child…).
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "testid") e.dataset.testid = v;
      else if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of kids) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c));
    return e;
  }

  async function api(method, path, body) {
    const opt = { method, headers: {}, credentials: "same-origin" };
    if (method !== "GET") {
      opt.headers["X-CSRF-Token"] = me ? me.csrf : "";
      opt.headers["Content-Type"] = "application/json";
      opt.body = JSON.stringify(body || {});
    }
    const res = await fetch(path, opt);
    if (res.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); throw new Error("未登入"); }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) { const e = new Error(data.message || res.statusText); e.code = data.error; e.status = res.status; throw e; }
    return data;
  }

  async function init() {
    me = await api("GET", "/api/me");
    const who = $("#who");
    if (who) who.textContent = me.name + "（" + roleName(me.role) + "）";
    const out = $("#logout");
    if (out) out.addEventListener("click", async () => { await api("POST", "/api/logout").catch(() => {}); location.href = "/login"; });
    return me;
  }

  function roleName(r) { return { agent: "客服職員", supervisor: "主管", compliance: "合規" }[r] || r; }

  // connect keeps a bridge socket open: auth first, then onMessage for
  // each message; on close (1013 = too slow) it reconnects after a pause
  // and the server resends a snapshot.
  function connect(view, onMessage, onState) {
    let ws, retry = 500;
    const open = () => {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      ws = new WebSocket(scheme + "//" + location.host + "/ws/desk/" + view);
      ws.onopen = () => { ws.send(JSON.stringify({ type: "auth", csrf: me.csrf })); retry = 500; onState && onState("open"); };
      ws.onmessage = (ev) => { try { onMessage(JSON.parse(ev.data)); } catch (e) { console.error(e); } };
      ws.onclose = () => { onState && onState("closed"); setTimeout(open, retry); retry = Math.min(retry * 2, 10000); };
    };
    open();
    return { send: (m) => { if (ws && ws.readyState === 1) ws.send(JSON.stringify(m)); } };
  }

  function duration(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0");
  }

  function reasonName(r) {
    return ({ caller_asked: "來電者要求真人", low_confidence: "AI 唔肯定", anger: "來電者唔開心",
      fraud: "懷疑詐騙", complaint: "投訴", review_timeout: "審批逾時", failure: "系統問題" }[r] || r || "—");
  }

  function speakerName(s) { return { caller: "來電者", bot: "AI 助理", agent: "職員" }[s] || s; }

  function transcriptLine(m) {
    return el("li", { testid: "transcript-line", class: "line " + m.speaker + (m.interrupted ? " interrupted" : "") },
      el("span", { class: "who" }, speakerName(m.speaker) + "："), m.text);
  }

  function toast(msg, bad) {
    const t = $("#toast");
    if (!t) return;
    t.textContent = msg;
    t.className = "toast show" + (bad ? " bad" : "");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.className = "toast"; }, 4000);
  }

  let audioCtx = null;
  // beep plays a short two-tone alert with WebAudio.
  function beep() {
    try {
      audioCtx = audioCtx || new AudioContext();
      const t0 = audioCtx.currentTime;
      [880, 660].forEach((f, i) => {
        const o = audioCtx.createOscillator(), g = audioCtx.createGain();
        o.frequency.value = f;
        g.gain.setValueAtTime(0.2, t0 + i * 0.18);
        g.gain.exponentialRampToValueAtTime(0.001, t0 + i * 0.18 + 0.16);
        o.connect(g).connect(audioCtx.destination);
        o.start(t0 + i * 0.18);
        o.stop(t0 + i * 0.18 + 0.17);
      });
    } catch (e) { /* no audio: the highlight still shows */ }
  }

  return { $, el, api, init, connect, duration, speakerName, reasonName, transcriptLine, toast, beep, me: () => me };
})();
