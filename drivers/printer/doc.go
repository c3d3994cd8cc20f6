package printer

import (
	"fmt"
	"image"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Paper describes a roll: 58 mm printers are 384 dots wide, 80 mm ones 576.
type Paper struct {
	Dots int
	// NativeQR: the printer draws QR codes itself (GS ( k); false prints a raster image instead.
	NativeQR bool
}

// Paper sizes.
var (
	Paper58 = Paper{Dots: 384, NativeQR: true}
	Paper80 = Paper{Dots: 576, NativeQR: true}
)

// Columns is how many half-width characters fit a line (12-dot font); a Chinese character takes two.
func (p Paper) Columns() int { return p.Dots / 12 }

// Doc is a printed document in the terms a layout thinks in (lines, sizes, alignment, rules, QR
// codes, images, a cut), kept apart from the bytes so the kiosk owns what a receipt says and the
// driver owns how it reaches the paper: wrapping to the roll's width and drawing a QR as an image
// on printers without GS ( k.
type Doc struct{ blocks []block }

type blockKind int

const (
	bText blockKind = iota
	bField
	bAlign
	bSize
	bRule
	bQR
	bImage
	bFeed
	bCut
)

type block struct {
	kind        blockKind
	label, text string
	align       Align
	w, h        int
	img         image.Image
}

func (d *Doc) add(b block) *Doc { d.blocks = append(d.blocks, b); return d }

// Line prints s, wrapped to the paper's width.
func (d *Doc) Line(s string) *Doc { return d.add(block{kind: bText, text: s}) }

// Field prints label and value, wrapping the value under itself so a long address stays readable.
func (d *Doc) Field(label, value string) *Doc {
	return d.add(block{kind: bField, label: label, text: value})
}

// Align sets the alignment of the following lines.
func (d *Doc) Align(a Align) *Doc { return d.add(block{kind: bAlign, align: a}) }

// Size sets the character size (1-8 times) of the following lines.
func (d *Doc) Size(w, h int) *Doc { return d.add(block{kind: bSize, w: w, h: h}) }

// Rule prints a dashed line across the paper.
func (d *Doc) Rule() *Doc { return d.add(block{kind: bRule}) }

// QR prints a QR code of data; nothing when data is empty.
func (d *Doc) QR(data string) *Doc { return d.add(block{kind: bQR, text: data}) }

// Image prints an image in black and white (dark pixels black), scaled down to the paper's width.
func (d *Doc) Image(img image.Image) *Doc { return d.add(block{kind: bImage, img: img}) }

// Feed advances the paper n lines.
func (d *Doc) Feed(n int) *Doc { return d.add(block{kind: bFeed, w: n}) }

// Cut cuts the paper (partially, leaving a hinge the resident tears).
func (d *Doc) Cut() *Doc { return d.add(block{kind: bCut}) }

// Text is what the document says, one string per printed line before wrapping, for tests and
// logs that check wording without decoding ESC/POS.
func (d *Doc) Text() []string {
	var out []string
	for _, b := range d.blocks {
		switch b.kind {
		case bText:
			out = append(out, b.text)
		case bField:
			out = append(out, b.label+b.text)
		}
	}
	return out
}

// Bytes encodes the document for a printer with the given paper.
func (d *Doc) Bytes(p Paper) ([]byte, error) {
	e := (&Encoder{}).Init()
	size := 1
	for _, b := range d.blocks {
		switch b.kind {
		case bText:
			wrap(p, e, "", b.text, size)
		case bField:
			wrap(p, e, b.label, b.text, size)
		case bAlign:
			e.Align(b.align)
		case bSize:
			size = max(1, b.w)
			e.Size(b.w, b.h)
		case bRule:
			e.Line(strings.Repeat("-", p.Columns()/size))
		case bQR:
			qr(p, e, b.text)
		case bImage:
			raster(p, e, b.img)
		case bFeed:
			e.Feed(b.w)
		case bCut:
			e.Cut(true)
		}
	}
	return e.Bytes()
}

// wrap prints s in lines of the paper's width (a Chinese character takes two columns, and
// characters size times as wide take size times the room), breaking where the line is full and
// indenting the following lines under the text after label.
func wrap(p Paper, e *Encoder, label, s string, size int) {
	width := p.Columns() / max(1, size)
	indent := cols(label)
	line, w := label, indent
	for _, r := range s {
		rw := 1
		if r >= 0x1100 {
			rw = 2
		}
		if w+rw > width && w > indent {
			e.Line(line)
			line, w = strings.Repeat(" ", indent), indent
		}
		line += string(r)
		w += rw
	}
	e.Line(line)
}

// cols is the printed width of s in half-width columns.
func cols(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// qr prints data natively or, for printers without GS ( k, as a raster drawn with go-qrcode.
func qr(p Paper, e *Encoder, data string) {
	if data == "" {
		return
	}
	if p.NativeQR {
		e.QR(data, 6, ECMedium)
		return
	}
	code, err := qrcode.New(data, qrcode.Medium)
	if err != nil {
		e.fail(fmt.Errorf("QR for %q: %w", data, err))
		return
	}
	code.DisableBorder = true
	bits := code.Bitmap()
	scale := max(1, min(6, (p.Dots/2)/len(bits)))
	rasterBits(e, len(bits)*scale, len(bits)*scale, func(x, y int) bool { return bits[y/scale][x/scale] })
}

// raster prints an image, scaled down (never up) to the paper's width.
func raster(p Paper, e *Encoder, img image.Image) {
	if img == nil {
		return
	}
	bnd := img.Bounds()
	w, h := bnd.Dx(), bnd.Dy()
	if w == 0 || h == 0 {
		return
	}
	scale := 1.0
	if w > p.Dots {
		scale = float64(p.Dots) / float64(w)
	}
	ow, oh := max(1, int(float64(w)*scale)), max(1, int(float64(h)*scale))
	rasterBits(e, ow, oh, func(x, y int) bool {
		r, g, b, a := img.At(bnd.Min.X+int(float64(x)/scale), bnd.Min.Y+int(float64(y)/scale)).RGBA()
		lum := (299*r + 587*g + 114*b) / 1000
		return a > 0x8000 && lum < 0x8000
	})
}

func rasterBits(e *Encoder, w, h int, black func(x, y int) bool) {
	wb := (w + 7) / 8
	rows := make([]byte, 0, wb*h)
	for y := 0; y < h; y++ {
		line := make([]byte, wb)
		for x := 0; x < w; x++ {
			if black(x, y) {
				line[x/8] |= 0x80 >> (x % 8)
			}
		}
		rows = append(rows, line...)
	}
	e.Raster(wb, rows)
}
