// Package desk serves the web pages of yuecall, embedded in the binary so
// users need no build step:
//
//   - the softphone at / (a browser caller talks to the same IVR and AI
//     agent as a phone caller, over WebRTC signalled on /ws/call);
//   - the agent desk (/desk): the hand-off queue, accept (the agent joins
//     the call over WebRTC on the call's JoinPath), hand back, end, the live
//     masked transcript, suggested replies with knowledge-base citations and
//     the call summary;
//   - the supervisor console (/supervisor): the live board, anger alerts
//     with sound, listening to a call's transcript, barge-in and whisper,
//     KPIs for today or a range and the 5% QA sample;
//   - the compliance review queue (/compliance): approve, edit or reject
//     AI drafts, and the audit log with CSV export.
//
// Users (users.go) live in DataDir/users.json with argon2id hashes; the
// `yuecall user` command manages them. Sessions (session.go) are in memory:
// 256-bit ids in an HttpOnly, SameSite=Strict cookie (Secure on TLS or when
// configured), idle and absolute expiry, a per-session CSRF token required
// on every state-changing request and as the first WebSocket message, and
// the role checked on every API route and socket (Require).
//
// The bridge (bridge.go, ingest.go) is one set of NATS subscriptions per
// process, fanned out to browser sockets through bounded per-socket queues
// that never block a NATS callback (overflow policy on outQueue). Hand-offs
// arrive through the queue group "desk", so each goes to one desk node.
// KPIs replay the durable event stream (kpi.go); audit records are
// published to JetStream and read back for the log and the CSV (audit.go).
//
// It imports the standard library, events, NATS, gorilla/websocket and
// x/crypto/argon2; it never imports media, asr, tts, dialog, ivr or call
// (cmd joins them).
package desk
