//go:build race

package selfservice

// raceOn: under the race detector a software render of a 1920x1080 screen takes seconds, so the
// golden comparison runs in the suite's second, race-free pass of this package (make unit).
const raceOn = true
