// Package resilient wraps asr recognisers so that a stalled or dropped
// provider connection costs the caller no words.
//
// New returns a Recognizer whose streams keep a ring buffer of the audio
// written since the last final result they delivered. When the inner stream
// stalls, ends with an error, or ends cleanly although CloseSend was never
// called (a half-closed socket, or a provider's session cap), the wrapper
// closes it, opens a new one with backoff, replays the buffered audio and
// carries on with live audio; a CloseSend already made is repeated after
// the replay. Results keep coming on one channel, numbered by the wrapper;
// partials of the dead stream are superseded by the new stream's, whose
// final covers the replayed audio. Err stays nil when recovery succeeds.
//
// A stall is Config.StallTimeout without any result while one is owed:
// after voiced audio (louder than -40 dBFS) or CloseSend was passed on.
// Silence alone never stalls a stream, because providers (the sherpa client
// among them) send nothing while nothing is said.
//
// After each final the buffer is trimmed to the audio the final did not
// cover, found from the final's timing when the provider gives it and from
// the silence that ends an endpointed utterance otherwise (see coverage in
// cover.go); when unsure it keeps audio, so a replay may repeat words but
// does not drop them. The buffer holds at most Config.ReplayBuffer (30 s at
// 16 kHz is 960 KB per stream); older audio is dropped and counted
// (Stream.Evicted).
//
// Fallback tries recognisers in order when opening a stream. Compose them as
// New(Fallback(primary, secondary), ...): every (re)connect then tries the
// primary first and falls through to the secondary on a connect error or
// timeout, and a stream that spends Config.MaxReconnects in a row on one
// provider fails over to the next, with replay. Fallback(New(a), New(b))
// only fails over at NewStream, after New(a) has spent its retries, and
// cannot move a live stream: do not use it.
//
// Goroutines: each Stream has one owner goroutine (the only caller of the
// inner stream's methods and the only sender on Results); Close cancels it
// and waits. Each connect attempt dials on a goroutine of its own so that a
// provider which ignores a cancelled context mid-handshake (gorilla/websocket
// honours only its deadline) cannot hold up failover or Close: the attempt
// is abandoned at ConnectTimeout or Close, and its goroutine closes whatever
// it opened once the provider's own connect timeout ends the dial. Lock
// order: Stream.mu is a leaf, never held while calling out.
//
// It imports asr and audio only; never media, tts, dialog, ivr or call.
package resilient
