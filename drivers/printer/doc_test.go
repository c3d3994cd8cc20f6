package printer

import (
	"bytes"
	"image"
	"image/color"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func gb(s string) []byte {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

func sampleDoc() *Doc {
	var d Doc
	return d.Align(Center).Line("王上村便民服务站").Size(2, 2).Line("办 件 回 执").Size(1, 1).Align(Left).Rule().
		Field("办件编号：", "260302-K001-001").Field("办理事项：", "最低生活保障申请").Rule().
		Align(Center).QR("https://zw.example.cn/q?c=260302-K001-001").Feed(3).Cut()
}

func TestDocEncodesEveryBlock(t *testing.T) {
	job, err := sampleDoc().Bytes(Paper58)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range [][]byte{{0x1B, 0x40}, {0x1B, 0x61, 1}, {0x1D, 0x21, 0x11}, gb("办 件 回 执"),
		gb("办件编号：260302-K001-001"), []byte("https://zw.example.cn/q?c=260302-K001-001"), []byte("\n\n\n")} {
		if !bytes.Contains(job, want) {
			t.Errorf("job lacks % X", want)
		}
	}
	if !bytes.HasSuffix(job, []byte{0x1D, 0x56, 0x01}) {
		t.Error("job does not end with a cut")
	}
	if got := strings.Join(sampleDoc().Text(), "|"); !strings.Contains(got, "办理事项：最低生活保障申请") {
		t.Errorf("Text = %q", got)
	}
}

// TestNativeQRKeepsJobsSmall: a printer without GS ( k gets the same QR as a raster image.
func TestNativeQRKeepsJobsSmall(t *testing.T) {
	native, err := sampleDoc().Bytes(Paper58)
	if err != nil {
		t.Fatal(err)
	}
	raster, err := sampleDoc().Bytes(Paper{Dots: 384})
	if err != nil {
		t.Fatal(err)
	}
	if len(raster) <= len(native) || !bytes.Contains(raster, []byte{0x1D, 0x76, 0x30, 0x00}) || bytes.Contains(raster, []byte{0x1D, 0x28, 0x6B}) {
		t.Error("raster fallback missing")
	}
}

// Long lines are wrapped to the paper, never wider than it, with nothing lost.
func TestLongLinesWrapToThePaper(t *testing.T) {
	long := "自取、上门送达（王上村便民服务站综合窗口，或由网格员送到家中）"
	var d Doc
	job, err := d.Field("领取方式：", long).Line(long + long).Bytes(Paper58)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := simplifiedchinese.GB18030.NewDecoder().Bytes(job)
	var joined strings.Builder
	for _, line := range strings.Split(string(text), "\n") {
		if c := cols(line); c > Paper58.Columns() && !strings.ContainsAny(line, "\x1d\x1b") {
			t.Errorf("line of %d columns on %d-column paper: %q", c, Paper58.Columns(), line)
		}
		joined.WriteString(strings.TrimSpace(line))
	}
	if !strings.Contains(joined.String(), long) {
		t.Error("wrapping lost text")
	}
}

func TestImageIsScaledToThePaper(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 800, 10))
	for x := 0; x < 800; x++ {
		img.Set(x, 5, color.Black)
	}
	var d Doc
	job, err := d.Image(img).Bytes(Paper58)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(job, []byte{0x1D, 0x76, 0x30, 0x00})
	if i < 0 {
		t.Fatal("no raster command")
	}
	if wb := int(job[i+4]) | int(job[i+5])<<8; wb != 384/8 {
		t.Errorf("raster %d bytes wide, want %d (the paper)", wb, 384/8)
	}
}
