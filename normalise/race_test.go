//go:build race

package normalise

// raceEnabled is set under -race: the corpus runs then sample every few
// lines, since the race detector slows this single-goroutine code tenfold.
const raceEnabled = true
