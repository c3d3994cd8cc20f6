//go:build !race

package facing

const raceOn = false
