package printer

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// TestCommandBytesMatchTheReference checks each command against devices.md.
func TestCommandBytesMatchTheReference(t *testing.T) {
	cases := []struct {
		name string
		e    func(*Encoder) *Encoder
		want string
	}{
		{"init", (*Encoder).Init, "1B 40 1C 26"},
		{"center", func(e *Encoder) *Encoder { return e.Align(Center) }, "1B 61 01"},
		{"bold", func(e *Encoder) *Encoder { return e.Bold(true) }, "1B 45 01"},
		{"size 2x2", func(e *Encoder) *Encoder { return e.Size(2, 2) }, "1D 21 11"},
		{"size 1x3", func(e *Encoder) *Encoder { return e.Size(1, 3) }, "1D 21 02"},
		{"full cut", func(e *Encoder) *Encoder { return e.Cut(false) }, "1D 56 00"},
		{"partial cut", func(e *Encoder) *Encoder { return e.Cut(true) }, "1D 56 01"},
		{"qr", func(e *Encoder) *Encoder { return e.QR("AB", 6, ECMedium) },
			"1D 28 6B 04 00 31 41 32 00  1D 28 6B 03 00 31 43 06  1D 28 6B 03 00 31 45 31" +
				"  1D 28 6B 05 00 31 50 30 41 42  1D 28 6B 03 00 31 51 30"},
		{"raster", func(e *Encoder) *Encoder { return e.Raster(2, []byte{0xF0, 0x0F, 0xFF, 0x00}) },
			"1D 76 30 00 02 00 02 00 F0 0F FF 00"},
	}
	for _, c := range cases {
		got, err := c.e(&Encoder{}).Bytes()
		if err != nil || !bytes.Equal(got, unhex(c.want)) {
			t.Errorf("%s: got % X (%v), want %s", c.name, got, err, c.want)
		}
	}
}

func TestChineseTextIsGB18030(t *testing.T) {
	got, err := (&Encoder{}).Line("回执 䶮 No.1").Bytes()
	if err != nil {
		t.Fatal(err)
	}
	back, _ := simplifiedchinese.GB18030.NewDecoder().Bytes(got)
	if string(back) != "回执 䶮 No.1\n" || !bytes.HasPrefix(got, []byte{0xBB, 0xD8, 0xD6, 0xB4}) {
		t.Errorf("got % X", got)
	}
}

func TestBadInputIsRefusedNotPrinted(t *testing.T) {
	for name, e := range map[string]*Encoder{
		"control char": (&Encoder{}).Text("a\x1b@b"),
		"size":         (&Encoder{}).Size(9, 1),
		"qr module":    (&Encoder{}).QR("x", 0, ECLow),
		"empty qr":     (&Encoder{}).QR("", 4, ECLow),
		"raster rows":  (&Encoder{}).Raster(3, []byte{1, 2}),
	} {
		if b, err := e.Cut(false).Bytes(); err == nil || b != nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestStatus(t *testing.T) {
	cases := []struct {
		p, o, paper byte
		want        State
	}{
		{0x12, 0x12, 0x12, Ready},
		{0x12, 0x12, 0x1E, PaperNearEnd},
		{0x12, 0x32, 0x72, PaperOut},
		{0x1A, 0x16, 0x12, CoverOpen},
		{0x1A, 0x52, 0x12, Offline},
		{0x1A, 0x12, 0x12, Offline},
	}
	for _, c := range cases {
		s, err := ParseStatus(c.p, c.o, c.paper)
		if err != nil || s.State() != c.want {
			t.Errorf("% X % X % X: %v (%s) err %v, want %v", c.p, c.o, c.paper, s.State(), s, err, c.want)
		}
		if s.State().String() == "" {
			t.Error("no Chinese text")
		}
	}
	if !Ready.CanPrint() || !PaperNearEnd.CanPrint() || PaperOut.CanPrint() || CoverOpen.CanPrint() {
		t.Error("CanPrint")
	}
	for _, b := range []byte{XON, XOFF, 0x00, 0xFF, 0x92} {
		if IsStatusByte(b) {
			t.Errorf("%02X taken for a status byte", b)
		}
	}
	if _, err := ParseStatus(0x12, XOFF, 0x12); !errors.Is(err, ErrNotStatus) {
		t.Errorf("XOFF as status: %v", err)
	}
}

// FuzzParseStatus: any three bytes either parse to a state or are refused; never both kinds of
// answer for a byte that is not a status byte.
func FuzzParseStatus(f *testing.F) {
	f.Add(byte(0x12), byte(0x12), byte(0x12))
	f.Add(byte(0x1A), byte(0x36), byte(0x72))
	f.Add(byte(XOFF), byte(XON), byte(0))
	f.Fuzz(func(t *testing.T, a, b, c byte) {
		s, err := ParseStatus(a, b, c)
		valid := IsStatusByte(a) && IsStatusByte(b) && IsStatusByte(c)
		if (err == nil) != valid {
			t.Fatalf("% X % X % X: err %v, valid %v", a, b, c, err, valid)
		}
		if err == nil && s.State() == Ready && (s.PaperOut || s.CoverOpen || s.Offline) {
			t.Fatalf("ready with a fault raised: %s", s)
		}
	})
}
