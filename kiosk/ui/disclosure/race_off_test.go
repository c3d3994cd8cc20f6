//go:build !race

package disclosure

const raceOn = false
