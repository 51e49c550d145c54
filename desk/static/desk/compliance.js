// Compliance: the review queue of AI drafts (approve, edit, reject, with
// time left) and the audit log with CSV export.
"use strict";
(async () => {
  const { $, el, api } = Desk;
  const reviews = new Map(); // review id → {m, deadline}

  const actionName = (a) => ({ sign_in: "登入", sign_out: "登出", accept: "接聽", hand_back: "交返 AI", end: "結束通話",
    approve: "批准", edit: "修改", reject: "拒絕", barge: "插話", whisper: "耳語", export: "匯出" }[a] || a);

  const roleName = (r) => ({ agent: "職員", supervisor: "主管", compliance: "合規" }[r] || r);

  function renderReviews() {
    const ul = $("#reviews");
    ul.textContent = "";
    const items = [...reviews.values()].sort((a, b) => a.deadline - b.deadline);
    for (const { m, deadline } of items) {
      const left = deadline - Date.now();
      const timedOut = left <= 0 || m.status === "timeout";
      const text = el("textarea", { class: "edit", rows: 3, hidden: true, "aria-label": "修改內容" });
      text.value = m.draft;
      const decide = async (decision) => {
        try {
          await api("POST", "/api/compliance/decision", { review_id: m.review_id, decision, text: decision === "edit" ? text.value : undefined });
          reviews.delete(m.review_id);
          renderReviews();
          Desk.toast({ approve: "已批准", edit: "已修改並發送", reject: "已拒絕" }[decision]);
        } catch (e) { Desk.toast(e.message, true); }
      };
      const editBtn = el("button", { class: "secondary", disabled: timedOut, onclick: () => {
        if (text.hidden) { text.hidden = false; editBtn.textContent = "發送修改"; text.focus(); } else decide("edit");
      } }, "修改");
      ul.append(el("li", { testid: "review-item", class: "item review" + (timedOut ? " timeout" : ""), "data-review": m.review_id },
        el("div", { class: "row" }, el("span", { class: "mono" }, m.call_id), el("span", { class: "tag" }, m.intent || ""),
          el("span", { class: "left", "data-deadline": deadline }, timedOut ? "已逾時" : "剩 " + Math.ceil(left / 1000) + " 秒")),
        m.question ? el("p", { class: "question" }, el("strong", {}, "來電者："), m.question) : null,
        el("p", { class: "draft" }, el("strong", {}, "AI 擬稿："), m.draft),
        (m.sources && m.sources.length) ? el("div", { class: "sources" }, ...m.sources.map((s) => el("span", { class: "cite" }, "📖 " + s))) : null,
        text,
        el("div", { class: "actions" },
          el("button", { testid: "approve", class: "primary", disabled: timedOut, onclick: () => decide("approve") }, "批准"),
          editBtn,
          el("button", { testid: "reject", class: "danger", disabled: timedOut, onclick: () => decide("reject") }, "拒絕"))));
    }
    $("#review-count").textContent = String(items.filter((r) => r.deadline > Date.now()).length);
    $("#reviews-empty").hidden = reviews.size > 0;
  }

  function auditRow(a) {
    return el("tr", {}, el("td", { class: "mono" }, new Date(a.time).toLocaleString("zh-HK")), el("td", {}, a.user),
      el("td", {}, roleName(a.role)), el("td", {}, actionName(a.action)), el("td", { class: "mono" }, a.call_id || ""), el("td", {}, a.detail || ""));
  }

  async function loadAudit() {
    const q = "?from=" + $("#from").value + "&to=" + $("#to").value;
    $("#csv").href = "/api/compliance/audit.csv" + q;
    try {
      const rows = await api("GET", "/api/compliance/audit" + q);
      const tb = $("#audit");
      tb.textContent = "";
      rows.slice().reverse().forEach((a) => tb.append(auditRow(a)));
    } catch (e) { Desk.toast("審計紀錄：" + e.message, true); }
  }

  function onMessage(m) {
    switch (m.type) {
      case "snapshot":
        reviews.clear();
        for (const r of m.reviews || []) reviews.set(r.review_id, { m: r, deadline: Date.now() + r.left_ms });
        renderReviews();
        break;
      case "review":
        reviews.set(m.review_id, { m, deadline: Date.now() + m.left_ms });
        renderReviews();
        break;
      case "review_gone":
        reviews.delete(m.review_id);
        renderReviews();
        break;
      case "audit":
        $("#audit").prepend(auditRow(m));
        break;
      case "compliance_alert": {
        const at = new Date(m.at).toLocaleTimeString("zh-HK", { timeZone: "Asia/Hong_Kong", hour12: false });
        $("#urgent").prepend(el("li", { testid: "compliance-alert", class: "item alert", "data-call": m.call_id },
          el("div", {}, at + "　來電 " + m.call_id + "　" + (m.intent || "") + "（" + (m.reason || "") + "）"),
          el("div", { class: "excerpt" }, m.excerpt || "")));
        $("#urgent-count").textContent = String($("#urgent").children.length);
        break;
      }
    }
  }

  await Desk.init();
  const hk = (d) => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Hong_Kong" }).format(d);
  $("#from").value = hk(new Date(Date.now() - 6 * 86400000));
  $("#to").value = hk(new Date());
  $("#load").addEventListener("click", loadAudit);
  Desk.connect("compliance", onMessage, (s) => { $("#conn").dataset.state = s; $("#conn").textContent = s === "open" ? "已連線" : "重新連線中…"; });
  loadAudit();
  setInterval(() => document.querySelectorAll(".left[data-deadline]").forEach((e) => {
    const left = Number(e.dataset.deadline) - Date.now();
    if (left > 0) { e.textContent = "剩 " + Math.ceil(left / 1000) + " 秒"; return; }
    if (e.textContent !== "已逾時") renderReviews();
  }), 1000);
})();
