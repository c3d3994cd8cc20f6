//go:build race

package disclosure

// raceOn: renders under the race detector take seconds; pictures are compared in the race-free pass.
const raceOn = true
