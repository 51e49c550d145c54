// Agent desk: the hand-off queue, the current call's live transcript,
// suggested replies and summary; accept joins the call over WebRTC.
"use strict";
(async () => {
  const { $, el, api } = Desk;
  const queue = new Map(); // call id → {m, at}
  let current = null, rtc = null, summary = null;

  const reasonName = Desk.reasonName;

  function renderQueue() {
    const ul = $("#queue");
    ul.textContent = "";
    const items = [...queue.values()].sort((a, b) => (b.m.urgent - a.m.urgent) || (a.at - b.at));
    for (const { m, at } of items) {
      const tail = el("ol", { class: "tail" }, ...(m.transcript_tail || []).slice(-4).map((l) => Desk.transcriptLine(l)));
      ul.append(el("li", { testid: "handoff-item", class: "item" + (m.urgent ? " urgent" : ""), "data-call": m.call_id },
        el("div", { class: "row" },
          el("strong", { class: "mono" }, m.from || "未知號碼"),
          el("span", { class: "tag" }, reasonName(m.reason)),
          el("span", { class: "wait", "data-at": at }, Desk.duration(Date.now() - at)),
          el("button", { testid: "accept", class: "primary", disabled: current !== null, onclick: () => accept(m) }, "接聽")),
        m.summary ? el("p", { class: "summary-line" }, m.summary) : null, tail));
    }
    $("#queue-count").textContent = String(queue.size);
    $("#queue-empty").hidden = queue.size > 0;
  }

  async function accept(m) {
    try {
      const rep = await api("POST", "/api/agent/accept", { call_id: m.call_id });
      setCall(m.call_id, m.transcript_tail || []);
      if (m.summary) showSummary({ text: m.summary, intent: m.intent });
      if (rep.join_path) {
        rtc = await RTC.join(rep.join_path, $("#remote"), (s, why) => setState(s, why)).catch((e) => { Desk.toast("接唔到聲音：" + e.message, true); return null; });
        window.deskRTC = rtc; // diagnostics: deskRTC.stats()
      }
    } catch (e) {
      Desk.toast(e.message, true);
    }
  }

  function setState(s, why) {
    const names = { connecting: "接駁緊", connected: "通話中", ended: "聲音已斷", joined: "已接聽" };
    $("#call-state").textContent = (names[s] || s) + (why ? "（" + why + "）" : "");
    $("#call-state").dataset.state = s;
    $("#mute").disabled = s !== "connected";
  }

  function setCall(id, tail) {
    current = id;
    $("#call-id").textContent = id || "";
    $("#transcript").textContent = "";
    $("#partial").textContent = "";
    $("#suggestions").textContent = "";
    for (const l of tail) $("#transcript").append(Desk.transcriptLine(l));
    $("#hand-back").disabled = $("#end").disabled = !id;
    if (!id) { setState(""); showSummary(null); }
    renderQueue();
  }

  function clearCall(msg) {
    if (rtc) { rtc.hangup(); rtc = null; }
    setCall(null, []);
    if (msg) Desk.toast(msg);
  }

  function showSummary(s) {
    summary = s;
    const box = $("#summary");
    box.textContent = "";
    if (!s) { box.textContent = "未有摘要。"; box.className = "summary muted"; return; }
    box.className = "summary";
    if (s.intent) box.append(el("p", {}, el("strong", {}, "意圖："), s.intent));
    box.append(el("p", {}, s.text || ""));
    if (s.pending && s.pending.length) box.append(el("p", {}, el("strong", {}, "未完成："), s.pending.join("、")));
    if (s.done && s.done.length) box.append(el("p", {}, el("strong", {}, "已完成："), s.done.join("、")));
  }

  function addSuggestion(m) {
    const ul = $("#suggestions");
    const li = el("li", { testid: "suggestion", class: "item suggestion", title: "撳一下複製",
      onclick: () => navigator.clipboard && navigator.clipboard.writeText(m.text).then(() => Desk.toast("已複製")) },
      el("p", {}, m.text),
      el("div", { class: "sources" }, ...(m.sources || []).map((s) => el("span", { class: "cite" }, "📖 " + s))));
    ul.prepend(li);
    while (ul.children.length > 3) ul.lastChild.remove();
  }

  function onMessage(m) {
    switch (m.type) {
      case "snapshot":
        queue.clear();
        for (const h of m.queue || []) queue.set(h.call_id, { m: h, at: Date.now() - h.waiting_ms });
        if (m.calls && m.calls.length && current !== m.calls[0]) setCall(m.calls[0], []);
        renderQueue();
        break;
      case "handoff":
        queue.set(m.call_id, { m, at: Date.now() - (m.waiting_ms || 0) });
        renderQueue();
        break;
      case "handoff_gone":
        queue.delete(m.call_id);
        renderQueue();
        break;
      case "transcript":
        if (m.call_id !== current) break;
        if (!m.final) { $("#partial").textContent = Desk.speakerName(m.speaker) + "：" + m.text; break; }
        $("#partial").textContent = "";
        $("#transcript").append(Desk.transcriptLine(m));
        $("#transcript").scrollTop = $("#transcript").scrollHeight;
        break;
      case "suggestion":
        if (m.call_id === current) addSuggestion(m);
        break;
      case "summary":
        if (m.call_id === current) showSummary(m.summary);
        break;
      case "agent":
        if (m.call_id === current && m.user === Desk.me().name && (m.state === "hand_back" || m.state === "left")) clearCall("通話已交返俾 AI");
        else if (m.call_id === current && m.state === "barged") Desk.toast("主管加入咗通話");
        // "joined" confirms what the WebRTC state already shows: the line
        // keeps the connection's own state (connecting, connected, ended).
        break;
      case "ended":
        if (m.call_id === current) clearCall("通話已結束");
        break;
    }
  }

  async function control(action, msg) {
    if (!current) return;
    try {
      await api("POST", "/api/agent/" + action, { call_id: current });
      clearCall(msg);
    } catch (e) { Desk.toast(e.message, true); }
  }

  await Desk.init();
  $("#hand-back").addEventListener("click", () => control("hand_back", "已交返俾 AI"));
  $("#end").addEventListener("click", () => { if (confirm("確定結束呢個通話？")) control("end", "通話已結束"); });
  $("#mute").addEventListener("click", () => {
    const on = $("#mute").getAttribute("aria-pressed") !== "true";
    $("#mute").setAttribute("aria-pressed", String(on));
    $("#mute").textContent = on ? "取消靜音" : "靜音";
    if (rtc) rtc.mute(on);
  });
  $("#cmd").addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") return;
    if (ev.target.value.trim() === "/summary") {
      const flash = () => { $("#summary-box").classList.add("flash"); setTimeout(() => $("#summary-box").classList.remove("flash"), 800); };
      if (!current) { showSummary(summary); flash(); }
      else api("GET", "/api/agent/summary?call_id=" + encodeURIComponent(current), null)
        .then((s) => { showSummary(s); flash(); })
        .catch((e) => { Desk.toast(e.message, true); showSummary(summary); });
    }
    ev.target.value = "";
  });
  setInterval(() => document.querySelectorAll(".wait[data-at]").forEach((w) => { w.textContent = Desk.duration(Date.now() - Number(w.dataset.at)); }), 1000);
  Desk.connect("agent", onMessage, (s) => { $("#conn").dataset.state = s; $("#conn").textContent = s === "open" ? "已連線" : "重新連線中…"; });
})();
