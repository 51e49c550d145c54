// Package load is yuecall's load harness: it keeps N simulated callers
// (package sim) on a SIP target for a while (ramp up, hold, ramp down),
// samples the server's CPU, memory and goroutines (its /metrics and
// /proc/PID) and turns the callers' measurements into a Report: the
// server's own pipeline overhead per turn (response latency minus the
// configured provider latencies), barge-in stop times, packet timing,
// dropped frames and resources per active call. The server is expected to
// run with the synthetic ASR and TTS providers, so that what is measured
// is yuecall itself.
//
// Goroutines: Run owns one per call slot and one sampler, and returns
// after all of them ended.
//
// Imports: the standard library and sim.
package load
