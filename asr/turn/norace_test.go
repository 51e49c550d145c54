//go:build !race

package turn

// raceEnabled is set under -race (see race_test.go).
const raceEnabled = false
