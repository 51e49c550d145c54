"use strict";
(() => {
  const form = document.getElementById("login-form"), err = document.getElementById("error");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    err.textContent = "";
    const body = { name: document.getElementById("user").value.trim(), password: document.getElementById("password").value };
    try {
      const res = await fetch("/api/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), credentials: "same-origin" });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) { err.textContent = data.message || "登入失敗"; return; }
      const next = new URLSearchParams(location.search).get("next");
      location.href = next && /^\/(desk|supervisor|compliance)$/.test(next) ? next : data.home;
    } catch (e) {
      err.textContent = "連線失敗：" + e.message;
    }
  });
})();
