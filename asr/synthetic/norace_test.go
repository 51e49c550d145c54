//go:build !race

package synthetic

// raceEnabled: the race detector inflates memory figures.
const raceEnabled = false
