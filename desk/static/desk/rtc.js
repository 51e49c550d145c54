// WebRTC join of a live call (agent accept, supervisor barge/whisper), with
// the signalling protocol of media/webrtc/SIGNALLING.md, as the softphone.
"use strict";

const RTC = (() => {
  // join opens the signalling socket at path (same origin only), sends the
  // microphone and plays the call into audioEl. onState gets
  // connecting/connected/ended. Returns {hangup()}.
  async function join(path, audioEl, onState) {
    if (typeof path !== "string" || !path.startsWith("/") || path.startsWith("//")) throw new Error("bad join path");
    let pc = null, pending = [], done = false;
    const mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(scheme + "//" + location.host + path);
    const send = (m) => { if (ws.readyState === 1) ws.send(JSON.stringify(m)); };
    const finish = (reason) => {
      if (done) return;
      done = true;
      if (pc) pc.close();
      mic.getTracks().forEach((t) => t.stop());
      if (ws.readyState <= 1) ws.close();
      onState && onState("ended", reason || "");
    };
    onState && onState("connecting");
    ws.onmessage = async (ev) => {
      const m = JSON.parse(ev.data);
      switch (m.type) {
        case "config":
          pc = new RTCPeerConnection({ iceServers: m.ice_servers || [] });
          pc.addTrack(mic.getAudioTracks()[0], mic);
          pc.ontrack = (e) => { audioEl.srcObject = e.streams[0] || new MediaStream([e.track]); };
          pc.onicecandidate = (e) => send({ type: "candidate", candidate: e.candidate ? e.candidate.toJSON() : null });
          pc.onconnectionstatechange = () => { if (pc && (pc.connectionState === "failed")) finish("failed"); };
          await pc.setLocalDescription(await pc.createOffer());
          send({ type: "offer", sdp: pc.localDescription.sdp });
          break;
        case "answer":
          await pc.setRemoteDescription({ type: "answer", sdp: m.sdp });
          for (const c of pending) await pc.addIceCandidate(c);
          pending = [];
          break;
        case "candidate":
          if (!m.candidate) break;
          if (pc && pc.remoteDescription) await pc.addIceCandidate(m.candidate); else pending.push(m.candidate);
          break;
        case "state":
          if (m.state === "ended") finish(m.reason); else onState && onState(m.state);
          break;
      }
    };
    ws.onclose = () => finish("socket_closed");
    // stats reports the call audio received so far (for the desk's own
    // diagnostics and for automated tests): packets and total audio energy.
    const stats = async () => {
      const out = { packets: 0, energy: 0 };
      if (!pc) return out;
      (await pc.getStats()).forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "audio") { out.packets = s.packetsReceived || 0; out.energy = s.totalAudioEnergy || 0; }
      });
      return out;
    };
    return { hangup: () => { send({ type: "hangup" }); finish("hangup"); }, mute: (on) => { mic.getAudioTracks()[0].enabled = !on; }, stats };
  }
  return { join };
})();
