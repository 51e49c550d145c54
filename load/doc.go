// Package load is yuecall's load harness: it keeps N simulated callers
// (package sim) on a SIP target for a while (ramp up, hold, ramp down),
// samples the server's CPU, memory and goroutines (its /metrics and
// /proc/PID) and turns the callers' measurements into a Report: the
// server's own pipeline overhead per turn (response latency minus the
// configured provider latencies), barge-in stop times, packet timing,
// dropped frames and resources per active call. For a soak (a long hold)
// it also reports how much the server's goroutines and RSS grew from the
// start to the end of the hold (goroutine_growth, mem_growth_kb: the
// difference of the means over two windows of two call lengths, the first
// after a warm-up of a fifth of the hold up to a minute, so that the
// calls' phases, in step or not, cancel out) and
// fails the run with ErrGrowth beyond the tolerance
// (Config.MaxGoroutineGrowth, Config.MaxMemGrowthKB; by default
// max(20, calls/20) goroutines and max(8 MiB, 5 % of the RSS), memory
// only for holds of two minutes or more). The server is expected to
// run with the synthetic ASR and TTS providers, so that what is measured
// is yuecall itself.
//
// Goroutines: Run owns one per call slot and one sampler, and returns
// after all of them ended.
//
// Imports: the standard library and sim.
package load
