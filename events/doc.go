// Package events is yuecall's NATS event contract: subjects built by functions,
// typed and versioned payloads (call.started.v1 …) in one envelope
// {type, id, call_id, time, data}, a publisher with a bounded outbox that never
// blocks the audio path, an embedded NATS server with JetStream for one-node
// deployments, and an in-memory bus for unit tests.
//
// It imports only NATS and the standard library. Payload text must already be
// masked (package redact) by the caller: events leave the call.
package events
