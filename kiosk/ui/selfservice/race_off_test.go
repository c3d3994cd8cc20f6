//go:build !race

package selfservice

const raceOn = false
