//go:build !race

package normalise

// raceEnabled is set under -race (see race_test.go).
const raceEnabled = false
