//go:build race

package facing

// raceOn: renders under the race detector take seconds; pictures are compared in the race-free pass.
const raceOn = true
