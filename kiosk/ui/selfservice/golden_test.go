package selfservice

import (
	"image"
	"testing"

	"hallkiosk/kiosk/ui/uitest"
)

// golden compares a resident screen with its stored picture (uitest.Golden).
func golden(t *testing.T, name string, img image.Image) { uitest.Golden(t, name, img) }

var (
	half            = uitest.Half
	diff            = uitest.Diff
	goldenMaxPixels = uitest.GoldenMaxPixels
)
