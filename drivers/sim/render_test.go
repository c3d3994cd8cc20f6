package sim

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"hallkiosk/drivers/printer"
)

// The simulator gets the kiosk's font as a file: drivers import nothing of the kiosk's.
func testRenderer(t *testing.T, dots int) *Renderer {
	t.Helper()
	data, err := os.ReadFile("../../assets/fonts/NotoSansCJKsc-Regular.otf")
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRenderer(data, dots)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("no QR found on the rendered receipt: %v", err)
	}
	return res.GetText()
}

func TestRenderedReceiptQRDecodes(t *testing.T) {
	const url = "https://zw.example.cn/q/261123-K001-001"
	for name, paper := range map[string]printer.Paper{"native58": printer.Paper58, "raster58": {Dots: 384}, "native80": printer.Paper80} {
		r := testRenderer(t, paper.Dots)
		img, err := r.Render(receiptJob(t, paper))
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != paper.Dots || img.Bounds().Dy() < 400 {
			t.Errorf("%s: rendered %v", name, img.Bounds())
		}
		if got := decodeQR(t, img); got != url {
			t.Errorf("%s: QR says %q", name, got)
		}
		if dir := os.Getenv("HALLKIOSK_SHOTS"); dir != "" {
			f, _ := os.Create(filepath.Join(dir, "receipt-"+name+".png"))
			_ = png.Encode(f, img)
			f.Close()
		}
	}
}
