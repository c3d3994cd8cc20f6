// Golden images: every screen the tests walk through is compared with a stored picture of it
// (testdata/golden of the test's package, half size), so a visual change fails the suite until
// someone looks at the new pictures and refreshes them on purpose: `make golden`
// (HALLKIOSK_GOLDEN=update).
package uitest

import (
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

const goldenDir = "testdata/golden"

// goldenTolerance: pixels may differ by a rounding step (antialiasing); a changed word, colour,
// icon or layout changes thousands.
const (
	goldenChannelDelta = 24
	GoldenMaxPixels    = 40
)

// Golden compares img with testdata/golden/name.png, or writes it there with HALLKIOSK_GOLDEN=update.
func Golden(t testing.TB, name string, img image.Image) {
	t.Helper()
	small := Half(img)
	path := filepath.Join(goldenDir, name+".png")
	if os.Getenv("HALLKIOSK_GOLDEN") == "update" {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(f, small); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Errorf("screen %s has no golden image (%v): run `make golden`, look at %s, and commit it", name, err, path)
		return
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatalf("golden %s: %v", path, err)
	}
	if n, where := Diff(small, want); n > GoldenMaxPixels {
		out := filepath.Join(os.TempDir(), "hallkiosk-golden-"+name+".png")
		if g, err := os.Create(out); err == nil {
			_ = png.Encode(g, small)
			g.Close()
		}
		t.Errorf("screen %s differs from %s in %d pixels (first at %v); the new picture is %s: if the change is meant, run `make golden`", name, path, n, where, out)
	}
}

// Half shrinks a screen the way golden images are kept: averaging 2x2 blocks, on the pixel
// arrays (the suite runs under the race detector, where image.At per pixel is slow).
func Half(img image.Image) *image.NRGBA {
	b := img.Bounds()
	src := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx()/2, b.Dy()/2))
	for y := 0; y < b.Dy()/2; y++ {
		for x := 0; x < b.Dx()/2; x++ {
			o := out.PixOffset(x, y)
			for c := 0; c < 4; c++ {
				sum := 0
				for dy := 0; dy < 2; dy++ {
					for dx := 0; dx < 2; dx++ {
						sum += int(src.Pix[src.PixOffset(2*x+dx, 2*y+dy)+c])
					}
				}
				out.Pix[o+c] = uint8(sum / 4)
			}
		}
	}
	return out
}

// Diff counts the pixels that differ beyond antialiasing, and where the first one is.
func Diff(a *image.NRGBA, b image.Image) (int, string) {
	if a.Bounds() != b.Bounds() {
		return a.Bounds().Dx() * a.Bounds().Dy(), fmt.Sprintf("size %v vs %v", a.Bounds(), b.Bounds())
	}
	bn := image.NewNRGBA(a.Bounds())
	draw.Draw(bn, bn.Bounds(), b, b.Bounds().Min, draw.Src)
	n, where := 0, ""
	for i := 0; i < len(a.Pix); i += 4 {
		for c := 0; c < 3; c++ {
			d := int(a.Pix[i+c]) - int(bn.Pix[i+c])
			if d > goldenChannelDelta || d < -goldenChannelDelta {
				if n == 0 {
					p := i / 4
					where = fmt.Sprintf("(%d,%d)", p%a.Bounds().Dx(), p/a.Bounds().Dx())
				}
				n++
				break
			}
		}
	}
	return n, where
}
