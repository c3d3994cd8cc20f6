package wall

import "math"

// MMPerMetre is how tall body text must be for each metre of reading distance: 45 mm at 5 m, as
// domain.md gives for a wall read from across the hall (about 1/110 of the distance, the usual
// signage rule for comfortable reading).
const MMPerMetre = 9.0

// BodyPixels is the body text's height in pixels for a screen of the given diagonal (inches) and
// resolution, read from distance metres: 55" at 1920x1080 from 5 m gives 71 px, the same screen
// at 3840x2160 twice that. Headings go larger from it; nothing on the wall goes smaller.
func BodyPixels(diagonalInches float64, widthPx, heightPx int, distance float64) float32 {
	if diagonalInches <= 0 || widthPx <= 0 || heightPx <= 0 || distance <= 0 {
		return 0
	}
	w, h := float64(widthPx), float64(heightPx)
	screenHeightMM := diagonalInches * 25.4 * h / math.Hypot(w, h)
	return float32(MMPerMetre * distance * h / screenHeightMM)
}
