// yuecall softphone: one WebRTC call to the hotline, signalled on /ws/call
// (see media/webrtc/SIGNALLING.md). No framework and no build step.
"use strict";

const TEXT = {
  zh: { title: "粵通銀行客戶熱線", status: "狀態", call: "致電", hangup: "掛線", mute: "靜音", unmute: "取消靜音",
        rx: "收到封包", jitter: "抖動", lost: "遺失", captions: "對話字幕", caller: "你", bot: "助理", agent: "職員",
        privacy: "通話可能會被錄音。個人資料（身份證、卡號、電話）喺字幕入面會被遮蓋。",
        idle: "未接通", connecting: "接駁緊…", connected: "通話中", ended: "已掛線",
        nomic: "用唔到咪高峰：", failed: "接駁失敗：" },
  en: { title: "Yuet Tung Bank hotline", status: "Status", call: "Call", hangup: "Hang up", mute: "Mute", unmute: "Unmute",
        rx: "Packets received", jitter: "Jitter", lost: "Lost", captions: "Captions", caller: "You", bot: "Assistant", agent: "Agent",
        privacy: "Calls may be recorded. Personal data (HKID, card and phone numbers) is masked in captions.",
        idle: "Not connected", connecting: "Connecting…", connected: "In call", ended: "Ended",
        nomic: "No microphone: ", failed: "Call failed: " },
};

const $ = (id) => document.getElementById(id);
const ui = { status: $("status"), statusText: $("status-text"), call: $("call"), hangup: $("hangup"), mute: $("mute"),
             rx: $("rx-packets"), jitter: $("jitter"), lost: $("lost"), captions: $("captions"), partial: $("partial"),
             remote: $("remote"), lang: $("lang") };

let lang = localStorage.getItem("yuecall.lang") === "en" ? "en" : "zh";
let ws = null, pc = null, mic = null, sender = null, statsTimer = null, pending = [], state = "idle";

function t(key) { return TEXT[lang][key] || key; }

function applyLang() {
  document.documentElement.lang = lang === "en" ? "en" : "zh-HK";
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  ui.lang.textContent = lang === "en" ? "中" : "EN";
  if (mic && !mic.getAudioTracks()[0].enabled) ui.mute.textContent = t("unmute");
  setState(state);
}

// setState shows one of idle, connecting, connected, ended (stable values
// for automation in data-testid=status; the translated label beside it).
function setState(s, detail) {
  state = s;
  ui.status.textContent = s;
  ui.status.dataset.state = s;
  ui.statusText.textContent = t(s) + (detail ? " – " + detail : "");
  const live = s === "connecting" || s === "connected";
  ui.call.disabled = live;
  ui.hangup.disabled = !live;
  ui.mute.disabled = s !== "connected";
}

function send(msg) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}

async function startCall() {
  ui.captions.textContent = "";
  ui.partial.textContent = "";
  ui.rx.textContent = "0";
  setState("connecting");
  try {
    mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
  } catch (e) {
    setState("ended", t("nomic") + e.message);
    return;
  }
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  ws = new WebSocket(scheme + "//" + location.host + "/ws/call");
  ws.onmessage = (ev) => onSignal(JSON.parse(ev.data));
  ws.onclose = () => { if (state !== "ended" && state !== "idle") finish(); };
  ws.onerror = () => setState("ended", t("failed") + "websocket");
}

async function onSignal(m) {
  switch (m.type) {
    case "config":
      await offer(m.ice_servers || []);
      break;
    case "answer":
      await pc.setRemoteDescription({ type: "answer", sdp: m.sdp });
      for (const c of pending) await pc.addIceCandidate(c);
      pending = [];
      break;
    case "candidate":
      if (!m.candidate) break;
      if (pc && pc.remoteDescription) await pc.addIceCandidate(m.candidate);
      else pending.push(m.candidate);
      break;
    case "state":
      if (m.state === "ended") finish(m.reason);
      else setState(m.state);
      break;
    case "transcript":
      caption(m);
      break;
    case "error":
      ui.statusText.textContent = m.message;
      break;
  }
}

async function offer(iceServers) {
  pc = new RTCPeerConnection({ iceServers });
  sender = pc.addTrack(mic.getAudioTracks()[0], mic);
  pc.ontrack = (ev) => { ui.remote.srcObject = ev.streams[0] || new MediaStream([ev.track]); };
  pc.onicecandidate = (ev) => send({ type: "candidate", candidate: ev.candidate ? ev.candidate.toJSON() : null });
  pc.onconnectionstatechange = () => {
    if (pc && (pc.connectionState === "failed" || pc.connectionState === "closed")) finish(pc.connectionState);
  };
  const o = await pc.createOffer();
  await pc.setLocalDescription(o);
  send({ type: "offer", sdp: o.sdp });
  statsTimer = setInterval(updateStats, 500);
}

async function updateStats() {
  if (!pc) return;
  const stats = await pc.getStats();
  stats.forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "audio") {
      ui.rx.textContent = String(s.packetsReceived || 0);
      ui.jitter.textContent = String(Math.round((s.jitter || 0) * 1000));
      ui.lost.textContent = String(s.packetsLost || 0);
    }
  });
}

function caption(m) {
  if (!m.final) {
    ui.partial.textContent = (m.speaker === "bot" ? t("bot") : t("caller")) + "：" + m.text;
    return;
  }
  if (m.speaker !== "bot") ui.partial.textContent = "";
  const li = document.createElement("li");
  li.dataset.testid = "caption";
  li.dataset.speaker = m.speaker;
  li.className = m.speaker + (m.interrupted ? " interrupted" : "");
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = t(m.speaker) + "：";
  li.append(who, document.createTextNode(m.text));
  ui.captions.append(li);
  ui.captions.scrollTop = ui.captions.scrollHeight;
}

function pressKey(key) {
  if (state !== "connected") return;
  const dtmf = sender && sender.dtmf;
  if (dtmf && dtmf.canInsertDTMF) dtmf.insertDTMF(key, 120, 70);
  else send({ type: "dtmf", digit: key });
}

function hangUp() {
  send({ type: "hangup" });
  finish("caller");
}

function finish(reason) {
  clearInterval(statsTimer);
  statsTimer = null;
  if (pc) { updateStats(); pc.close(); pc = null; }
  if (mic) { mic.getTracks().forEach((tr) => tr.stop()); mic = null; }
  if (ws) { const w = ws; ws = null; w.close(); }
  setState("ended", reason || "");
}

ui.call.addEventListener("click", startCall);
ui.hangup.addEventListener("click", hangUp);
ui.mute.addEventListener("click", () => {
  if (!mic) return;
  const track = mic.getAudioTracks()[0];
  track.enabled = !track.enabled;
  ui.mute.setAttribute("aria-pressed", String(!track.enabled));
  ui.mute.textContent = track.enabled ? t("mute") : t("unmute");
});
document.querySelectorAll(".keypad button").forEach((b) => b.addEventListener("click", () => pressKey(b.dataset.key)));
document.addEventListener("keydown", (ev) => { if (/^[0-9*#]$/.test(ev.key)) pressKey(ev.key); });
ui.lang.addEventListener("click", () => {
  lang = lang === "zh" ? "en" : "zh";
  localStorage.setItem("yuecall.lang", lang);
  applyLang();
});
applyLang();
