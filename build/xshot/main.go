// Command xshot saves what an X display shows (its root window) as a PNG: the screenshot scripts
// use it under Xvfb so the picture is what a person at the screen would see, drawn by the real
// binary with the real GL driver.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"

	"github.com/BurntSushi/xgb"
	"github.com/BurntSushi/xgb/xproto"
)

func main() {
	out := flag.String("o", "screen.png", "output PNG")
	flag.Parse()
	if err := shoot(*out); err != nil {
		fmt.Fprintln(os.Stderr, "xshot:", err)
		os.Exit(1)
	}
}

func shoot(path string) error {
	conn, err := xgb.NewConn()
	if err != nil {
		return fmt.Errorf("connect to X display %q: %w", os.Getenv("DISPLAY"), err)
	}
	defer conn.Close()
	screen := xproto.Setup(conn).DefaultScreen(conn)
	w, h := int(screen.WidthInPixels), int(screen.HeightInPixels)
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	// Fetch in bands: one GetImage reply is limited by the X request size.
	const band = 64
	for y := 0; y < h; y += band {
		bh := min(band, h-y)
		reply, err := xproto.GetImage(conn, xproto.ImageFormatZPixmap, xproto.Drawable(screen.Root),
			0, int16(y), uint16(w), uint16(bh), 0xffffffff).Reply()
		if err != nil {
			return fmt.Errorf("read screen rows %d-%d: %w", y, y+bh, err)
		}
		if len(reply.Data) < w*bh*4 {
			return fmt.Errorf("screen depth %d not supported (want 24/32-bit)", screen.RootDepth)
		}
		for i := 0; i < w*bh; i++ { // BGRX -> RGBA
			o := (y*w + i) * 4
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] =
				reply.Data[i*4+2], reply.Data[i*4+1], reply.Data[i*4], 0xff
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
