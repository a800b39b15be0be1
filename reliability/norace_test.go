//go:build !race

package reliability_test

// raceEnabled reports a -race build: the chaos run sizes itself down under it.
const raceEnabled = false
