// Package opus is yuecall's thin wrapper over a pure-Go Opus codec (RFC 6716),
// github.com/thesyncim/gopus: a mono Encoder that turns one 20 ms frame of
// audio.PCM16 into one Opus packet, and a mono Decoder that turns packets
// (any Opus frame size, mono or stereo) back into PCM16 at the rate it was
// made for, with packet loss concealment.
//
// The binary stays CGO_ENABLED=0. The library was chosen over a ccgo
// transpile of libopus (github.com/kazzmir/opus-go), which aborts under
// `go test -race` (checkptr: pointer arithmetic on Go memory). Interop with
// libopus is proven in interop_test.go against Debian's opus-tools: our
// packets decode in opusdec with the same range-coder final state the
// encoder ended in, and opusenc's packets decode here with the final states
// opusdec reports, besides tone and speech-like signal comparisons.
//
// Neither type is safe for concurrent use; each stream owns one.
//
// Imports: the standard library, the audio package and gopus.
package opus
