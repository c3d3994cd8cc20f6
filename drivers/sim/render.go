package sim

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Renderer draws ESC/POS jobs as the paper would look: text in a CJK font at the printer's dot
// width, QR codes drawn from the GS ( k data, raster images, and a dashed line where it cut.
type Renderer struct {
	Dots  int // 384 (58 mm) or 576 (80 mm)
	fonts map[int]font.Face
	otf   *opentype.Font
}

// NewRenderer parses an OpenType font (the kiosk's bundled CJK face) for rendering.
func NewRenderer(fontData []byte, dots int) (*Renderer, error) {
	f, err := opentype.Parse(fontData)
	if err != nil {
		return nil, fmt.Errorf("render font: %w", err)
	}
	return &Renderer{Dots: dots, otf: f, fonts: map[int]font.Face{}}, nil
}

func (r *Renderer) face(px int) font.Face {
	if f, ok := r.fonts[px]; ok {
		return f
	}
	f, _ := opentype.NewFace(r.otf, &opentype.FaceOptions{Size: float64(px), DPI: 72, Hinting: font.HintingNone})
	r.fonts[px] = f
	return f
}

type run struct {
	text  []byte
	w, h  int
	bold  bool
	align byte
}

// Render draws one job. Unknown commands are skipped by the same parser the simulator uses.
func (r *Renderer) Render(job []byte) (image.Image, error) {
	const maxH = 20000
	img := image.NewGray(image.Rect(0, 0, r.Dots, maxH))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	y := 8
	align, bold, sw, sh := byte(0), false, 1, 1
	var line []run
	var text []byte
	var qrData []byte
	qrModule := 3
	flushText := func() {
		if len(text) > 0 {
			line = append(line, run{text: text, w: sw, h: sh, bold: bold, align: align})
			text = nil
		}
	}
	newline := func() {
		flushText()
		lh := 30
		for _, ru := range line {
			lh = max(lh, 30*ru.h)
		}
		if len(line) > 0 {
			r.drawLine(img, line, y, lh)
		}
		y += lh
		line = nil
	}
	for len(job) > 0 {
		size, ok := commandSize(job)
		if !ok {
			return nil, fmt.Errorf("render: truncated command % X", job[:min(8, len(job))])
		}
		c := job[:size]
		job = job[size:]
		switch {
		case size == 1 && c[0] == '\n':
			newline()
		case size == 1 && c[0] >= 0x20 || size == 1 && c[0] >= 0x80:
			text = append(text, c[0])
		case c[0] == 0x1B && len(c) == 3 && c[1] == 0x61:
			flushText()
			align = c[2]
		case c[0] == 0x1B && len(c) == 3 && c[1] == 0x45:
			flushText()
			bold = c[2] != 0
		case c[0] == 0x1D && c[1] == 0x21:
			flushText()
			sw, sh = int(c[2]>>4)+1, int(c[2]&0x0F)+1
		case c[0] == 0x1D && c[1] == 0x28 && len(c) >= 8 && c[5] == 0x31:
			switch c[6] {
			case 0x43:
				qrModule = int(c[7])
			case 0x50:
				qrData = append([]byte(nil), c[8:]...)
			case 0x51:
				if len(line) > 0 || len(text) > 0 {
					newline()
				}
				y = r.drawQR(img, qrData, qrModule, align, y)
			}
		case c[0] == 0x1D && c[1] == 0x76:
			if len(line) > 0 || len(text) > 0 {
				newline()
			}
			y = r.drawRaster(img, c, align, y)
		case c[0] == 0x1D && c[1] == 0x56:
			if len(line) > 0 || len(text) > 0 {
				newline()
			}
			for x := 0; x < r.Dots; x += 12 {
				for dx := 0; dx < 6; dx++ {
					img.SetGray(x+dx, y+6, color.Gray{0x60})
				}
			}
			y += 14
		}
		if y > maxH-200 {
			return nil, fmt.Errorf("render: job longer than %d dots", maxH)
		}
	}
	if len(line) > 0 || len(text) > 0 {
		newline()
	}
	return img.SubImage(image.Rect(0, 0, r.Dots, y+8)), nil
}

// drawLine draws a line as a thermal printer does: every half-width character in a 12x24-dot
// cell, every other character in a 24x24 cell, then each dot magnified by the GS ! factors.
func (r *Renderer) drawLine(img *image.Gray, line []run, y, lh int) {
	const cellH = 30
	type piece struct {
		cells *image.Gray
		w, h  int
	}
	var pieces []piece
	total := 0
	face := r.face(24)
	for _, ru := range line {
		s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(ru.text)
		if err != nil {
			s = []byte("?")
		}
		width := 0
		for _, c := range string(s) {
			width += cellWidth(c)
		}
		cells := image.NewGray(image.Rect(0, 0, max(width, 1), cellH))
		draw.Draw(cells, cells.Bounds(), image.White, image.Point{}, draw.Src)
		x := 0
		for _, c := range string(s) {
			cw := cellWidth(c)
			adv, _ := face.GlyphAdvance(c)
			off := (cw - adv.Round()) / 2
			for pass := 0; pass < 1+boolInt(ru.bold); pass++ {
				d := font.Drawer{Dst: cells, Src: image.Black, Face: face, Dot: fixed.P(x+off+pass, 24)}
				d.DrawString(string(c))
			}
			x += cw
		}
		pieces = append(pieces, piece{cells, ru.w, ru.h})
		total += width * ru.w
	}
	x := 0
	switch line[0].align {
	case 1:
		x = (r.Dots - total) / 2
	case 2:
		x = r.Dots - total
	}
	x = max(0, x)
	for _, p := range pieces {
		b := p.cells.Bounds()
		top := y + lh - cellH*p.h
		for cy := 0; cy < b.Dy(); cy++ {
			for cx := 0; cx < b.Dx(); cx++ {
				v := p.cells.GrayAt(cx, cy)
				if v.Y == 0xFF {
					continue
				}
				for dy := 0; dy < p.h; dy++ {
					for dx := 0; dx < p.w; dx++ {
						if px := x + cx*p.w + dx; px < r.Dots { // a real printer wraps; the test layouts fit
							img.SetGray(px, top+cy*p.h+dy, v)
						}
					}
				}
			}
		}
		x += b.Dx() * p.w
	}
}

func cellWidth(c rune) int {
	if c < 0x80 {
		return 12
	}
	return 24
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (r *Renderer) drawQR(img *image.Gray, data []byte, module int, align byte, y int) int {
	if len(data) == 0 {
		return y
	}
	code, err := qrcode.New(string(data), qrcode.Medium)
	if err != nil {
		return y
	}
	bits := code.Bitmap() // includes the quiet zone
	size := len(bits) * module
	x := 0
	if align == 1 {
		x = (r.Dots - size) / 2
	}
	for row, line := range bits {
		for col, black := range line {
			if black {
				draw.Draw(img, image.Rect(x+col*module, y+row*module, x+(col+1)*module, y+(row+1)*module),
					image.Black, image.Point{}, draw.Src)
			}
		}
	}
	return y + size
}

func (r *Renderer) drawRaster(img *image.Gray, c []byte, align byte, y int) int {
	wb, h := int(c[4])|int(c[5])<<8, int(c[6])|int(c[7])<<8
	data := c[8:]
	x0 := 0
	if align == 1 {
		x0 = (r.Dots - wb*8) / 2
	}
	for row := 0; row < h; row++ {
		for col := 0; col < wb*8; col++ {
			if data[row*wb+col/8]&(0x80>>(col%8)) != 0 {
				img.SetGray(x0+col, y+row, color.Gray{0})
			}
		}
	}
	return y + h
}
