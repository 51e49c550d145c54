// Supervisor console: KPIs, anger alerts (highlight + sound), the live
// board, listening to a call's transcript, barge-in and whisper.
"use strict";
(async () => {
  const { $, el, api } = Desk;
  const board = new Map(); // call id → {row, at}
  const alerts = [];
  let listening = null, rtc = null, sock = null, soundOn = true, kpiQ = "";

  const stateName = (s) => ({ ai: "AI 處理中", handoff: "等候職員", agent: "職員接聽", ended: "已結束" }[s] || s);
  const pct = (x) => (x * 100).toFixed(1) + "%";

  async function loadKPI(q) {
    try {
      const k = await api("GET", "/api/supervisor/kpi" + (q || ""));
      $("#kpi-calls").textContent = String(k.calls);
      $("#kpi-containment").textContent = k.finished ? pct(k.containment) : "–";
      $("#kpi-handoffs").textContent = String(k.handoffs);
      $("#kpi-aht").textContent = k.finished ? Desk.duration(k.avg_handle_ms) : "–";
      $("#kpi-anger").textContent = String(k.anger_alerts);
      const list = (id, items) => { const ul = $(id); ul.textContent = ""; items.forEach((i) => ul.append(i)); if (!items.length) ul.append(el("li", { class: "muted" }, "—")); };
      list("#kpi-reasons", Object.entries(k.handoffs_by_reason || {}).sort((a, b) => b[1] - a[1]).map(([r, n]) => el("li", {}, Desk.reasonName(r) + "：" + n)));
      list("#kpi-topics", (k.unresolved_topics || []).map((t) => el("li", {}, t.intent + "：" + t.count)));
      list("#kpi-qa", (k.qa_sample || []).slice(-20).map((c) => el("li", {}, el("span", { class: "mono" }, c.call_id), " ", c.outcome + " · " + Desk.duration(c.duration_ms) + (c.intent ? " · " + c.intent : ""))));
    } catch (e) { Desk.toast("指標：" + e.message, true); }
  }

  function renderAlerts() {
    const ul = $("#alerts");
    ul.textContent = "";
    for (const a of alerts.slice().reverse()) {
      ul.append(el("li", { testid: "anger-alert", class: "item alert" + (a.fresh ? " fresh" : ""), "data-call": a.call_id },
        el("div", { class: "row" }, el("strong", { class: "mono" }, a.call_id), el("span", { class: "tag bad" }, "憤怒 " + a.score.toFixed(2)),
          el("span", { class: "muted" }, new Date(a.at).toLocaleTimeString("zh-HK")),
          el("button", { class: "primary", onclick: () => listen(a.call_id) }, "監聽")),
        el("p", { class: "excerpt" }, "「" + a.excerpt + "」")));
    }
    $("#alert-count").textContent = String(alerts.length);
    $("#alerts-empty").hidden = alerts.length > 0;
  }

  function renderBoard() {
    const tb = $("#board");
    tb.textContent = "";
    const rows = [...board.values()].sort((a, b) => (a.row.state === "ended") - (b.row.state === "ended") || a.at - b.at);
    for (const { row, at } of rows) {
      const dur = row.state === "ended" ? row.duration_ms : row.duration_ms + (Date.now() - at);
      tb.append(el("tr", { class: "st-" + row.state + (row.anger ? " angry" : ""), "data-call": row.call_id },
        el("td", { class: "mono" }, row.call_id), el("td", { class: "mono" }, row.from || ""),
        el("td", {}, stateName(row.state) + (row.outcome ? "（" + row.outcome + "）" : "")),
        el("td", { class: "dur", "data-at": row.state === "ended" ? "" : at - row.duration_ms }, Desk.duration(dur)),
        el("td", {}, row.intent || ""), el("td", {}, (row.anger ? "😠 " : "") + (row.sentiment || 0).toFixed(2)),
        el("td", {}, row.agent || ""),
        el("td", {}, row.state === "ended" ? "" : el("button", { onclick: () => listen(row.call_id) }, "監聽"))));
    }
    $("#board-count").textContent = String(rows.filter((r) => r.row.state !== "ended").length);
  }

  function listen(id) {
    if (listening && sock) sock.send({ type: "unlisten", call_id: listening });
    listening = id;
    $("#listen-id").textContent = id;
    $("#listen-transcript").textContent = "";
    $("#listen-partial").textContent = "";
    $("#barge").disabled = $("#whisper").disabled = false;
    sock.send({ type: "listen", call_id: id });
    const a = alerts.find((x) => x.call_id === id);
    if (a) { a.fresh = false; renderAlerts(); }
  }

  async function join(mode) {
    if (!listening) return;
    try {
      const rep = await api("POST", "/api/supervisor/join", { call_id: listening, mode });
      if (rtc) rtc.hangup();
      rtc = await RTC.join(rep.join_path, $("#remote"), (s, why) => { $("#join-state").textContent = (mode === "barge" ? "插話" : "耳語") + "：" + s + (why ? "（" + why + "）" : ""); });
      $("#leave").disabled = false;
    } catch (e) { Desk.toast(e.message, true); }
  }

  function onMessage(m) {
    switch (m.type) {
      case "snapshot":
        board.clear();
        for (const r of m.board || []) board.set(r.call_id, { row: r, at: Date.now() });
        alerts.length = 0;
        alerts.push(...(m.alerts || []));
        renderBoard(); renderAlerts();
        if (listening) sock.send({ type: "listen", call_id: listening });
        break;
      case "call":
        board.set(m.call_id, { row: m, at: Date.now() });
        renderBoard();
        break;
      case "alert":
        m.fresh = true;
        alerts.push(m);
        if (alerts.length > 100) alerts.shift();
        renderAlerts();
        if (soundOn) Desk.beep();
        if (!kpiQ) $("#kpi-anger").textContent = String((Number($("#kpi-anger").textContent) || 0) + 1);
        break;
      case "transcript":
        if (m.call_id !== listening) break;
        if (!m.final) { $("#listen-partial").textContent = Desk.speakerName(m.speaker) + "：" + m.text; break; }
        $("#listen-partial").textContent = "";
        $("#listen-transcript").append(Desk.transcriptLine(m));
        $("#listen-transcript").scrollTop = $("#listen-transcript").scrollHeight;
        break;
    }
  }

  await Desk.init();
  const hk = (d) => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Hong_Kong" }).format(d);
  $("#from").value = $("#to").value = hk(new Date());
  $("#range").addEventListener("click", () => { kpiQ = "?from=" + $("#from").value + "&to=" + $("#to").value; loadKPI(kpiQ); });
  $("#today").addEventListener("click", () => { kpiQ = ""; loadKPI(kpiQ); });
  $("#barge").addEventListener("click", () => join("barge"));
  $("#whisper").addEventListener("click", () => join("whisper"));
  $("#leave").addEventListener("click", () => { if (rtc) rtc.hangup(); rtc = null; $("#leave").disabled = true; });
  $("#sound").addEventListener("click", () => {
    soundOn = !soundOn;
    $("#sound").setAttribute("aria-pressed", String(soundOn));
    $("#sound").textContent = soundOn ? "🔔 提示音開" : "🔕 提示音關";
    if (soundOn) Desk.beep();
  });
  sock = Desk.connect("supervisor", onMessage, (s) => { $("#conn").dataset.state = s; $("#conn").textContent = s === "open" ? "已連線" : "重新連線中…"; });
  loadKPI("");
  setInterval(() => loadKPI(kpiQ), 30000);
  setInterval(() => document.querySelectorAll("td.dur[data-at]").forEach((td) => { if (td.dataset.at) td.textContent = Desk.duration(Date.now() - Number(td.dataset.at)); }), 1000);
})();
