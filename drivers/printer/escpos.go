// Package printer drives ESC/POS receipt printers: an encoder that builds the bytes of a job, and
// the real-time status (DLE EOT) that says whether the printer can print. It does no I/O itself.
package printer

import (
	"bytes"
	"fmt"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Align is ESC a's argument.
type Align byte

// Alignments.
const (
	Left   Align = 0
	Center Align = 1
	Right  Align = 2
)

// ECLevel is the QR error-correction level for GS ( k fn 169.
type ECLevel byte

// Error-correction levels.
const (
	ECLow     ECLevel = 0x30
	ECMedium  ECLevel = 0x31
	ECQuart   ECLevel = 0x32
	ECHighest ECLevel = 0x33
)

// Encoder accumulates one print job. Methods chain; the first error sticks and Bytes reports it.
type Encoder struct {
	buf bytes.Buffer
	err error
}

// Init resets the printer (ESC @) and turns on Chinese mode (FS &), harmless where not needed.
func (e *Encoder) Init() *Encoder { e.buf.Write([]byte{0x1B, 0x40, 0x1C, 0x26}); return e }

// Align sets justification (ESC a n).
func (e *Encoder) Align(a Align) *Encoder { e.buf.Write([]byte{0x1B, 0x61, byte(a)}); return e }

// Bold turns emphasis on or off (ESC E n).
func (e *Encoder) Bold(on bool) *Encoder {
	e.buf.Write([]byte{0x1B, 0x45, boolByte(on)})
	return e
}

// Size sets character magnification 1-8 in each direction (GS ! n).
func (e *Encoder) Size(width, height int) *Encoder {
	if width < 1 || width > 8 || height < 1 || height > 8 {
		e.fail(fmt.Errorf("character size %dx%d out of 1-8", width, height))
		return e
	}
	e.buf.Write([]byte{0x1D, 0x21, byte((width-1)<<4 | (height - 1))})
	return e
}

// Text writes s in GB18030. Control characters other than newline are refused: they would be read
// by the printer as commands.
func (e *Encoder) Text(s string) *Encoder {
	for _, r := range s {
		if r < 0x20 && r != '\n' || r == 0x7F {
			e.fail(fmt.Errorf("text holds control character %U", r))
			return e
		}
	}
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		e.fail(fmt.Errorf("encode %q as GB18030: %w", s, err))
		return e
	}
	e.buf.Write(b)
	return e
}

// Line writes s and a line feed.
func (e *Encoder) Line(s string) *Encoder { return e.Text(s).Text("\n") }

// Feed prints n empty lines.
func (e *Encoder) Feed(n int) *Encoder {
	for i := 0; i < n; i++ {
		e.buf.WriteByte('\n')
	}
	return e
}

// QR prints data as a QR code drawn by the printer (GS ( k, model 2): a few dozen bytes instead
// of a raster image. module is the dot size of one module, 1-16.
func (e *Encoder) QR(data string, module int, ec ECLevel) *Encoder {
	if module < 1 || module > 16 {
		e.fail(fmt.Errorf("QR module size %d out of 1-16", module))
		return e
	}
	n := len(data) + 3
	if len(data) == 0 || n > 0xFFFF {
		e.fail(fmt.Errorf("QR data of %d bytes", len(data)))
		return e
	}
	e.buf.Write([]byte{0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00})
	e.buf.Write([]byte{0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, byte(module)})
	e.buf.Write([]byte{0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, byte(ec)})
	e.buf.Write([]byte{0x1D, 0x28, 0x6B, byte(n), byte(n >> 8), 0x31, 0x50, 0x30})
	e.buf.WriteString(data)
	e.buf.Write([]byte{0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30})
	return e
}

// Raster prints a 1-bit image (GS v 0): rows of widthBytes bytes, most significant bit leftmost,
// 1 = black. For printers without native QR.
func (e *Encoder) Raster(widthBytes int, rows []byte) *Encoder {
	if widthBytes <= 0 || widthBytes > 0xFFFF || len(rows)%widthBytes != 0 {
		e.fail(fmt.Errorf("raster of %d bytes is not whole rows of %d", len(rows), widthBytes))
		return e
	}
	h := len(rows) / widthBytes
	e.buf.Write([]byte{0x1D, 0x76, 0x30, 0x00, byte(widthBytes), byte(widthBytes >> 8), byte(h), byte(h >> 8)})
	e.buf.Write(rows)
	return e
}

// Cut feeds past the cutter and cuts (GS V); partial leaves a hinge.
func (e *Encoder) Cut(partial bool) *Encoder {
	e.buf.Write([]byte{0x1D, 0x56, boolByte(partial)})
	return e
}

// Bytes returns the job, or the first error met while building it.
func (e *Encoder) Bytes() ([]byte, error) {
	if e.err != nil {
		return nil, e.err
	}
	return bytes.Clone(e.buf.Bytes()), nil
}

func (e *Encoder) fail(err error) {
	if e.err == nil {
		e.err = fmt.Errorf("escpos: %w", err)
	}
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}
