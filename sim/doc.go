// Package sim is a simulated telephone caller (a SIP UAC) for testing and
// load-testing yuecall over the wire: it dials with INVITE/ACK (RFC 3261
// §13.2, github.com/emiago/sipgo), offers G.711 with media/sdp, speaks and
// listens with a media/rtp Session, follows a Script of steps (speak,
// pause, press keys, wait for the bot, talk over it) and measures what a
// caller experiences: how long the bot takes to answer, how fast it stops
// when interrupted, and the timing of the bot's packets.
//
// A Dialer is one SIP endpoint (one UDP socket) that many concurrent calls
// share together with a cache of synthesised speech; Call is the one-shot
// form. Speech for Say steps comes from espeak-ng (synthesised once per text,
// resampled to 8 kHz and trimmed); between utterances the caller sends a
// -60 dBFS line-noise floor as a real phone line does. Keypad digits are
// sent as in-band DTMF tones (media/rtp has no RFC 4733 sender).
//
// The bot's audio is found by energy on the received 20 ms frames: a loud
// frame after a quiet gap starts a bot utterance. Times are taken so that
// a loaded load generator does not count against the server: a received
// frame is timed by the kernel's arrival stamp (rtp.Config.ArrivalStamps),
// and the caller's own speech by when its packets actually left
// (rtp.Config.SendTimes, Session.SentAt). Goroutines: a call runs
// in the goroutine of its caller plus the two of its rtp.Session; a Dialer
// owns sipgo's transport and transaction goroutines until Close.
//
// Scripts can be written as YAML (ParseScript, LoadScript). Package
// simtest holds a scripted answering machine to test callers against.
//
// Imports: the standard library, github.com/emiago/sipgo, gopkg.in/yaml.v3,
// audio, media/sdp and media/rtp. Only cmd and load import this package.
package sim
