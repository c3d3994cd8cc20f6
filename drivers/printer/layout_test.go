package printer

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func gb(s string) []byte {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

func sampleReceipt() Receipt {
	return Receipt{Hall: "王上村便民服务站", CaseNumber: "WS-20261123-0007", Item: "最低生活保障申请",
		Submitted: time.Date(2026, 11, 23, 9, 30, 0, 0, time.Local), Name: "欧阳淼喆", IDNumber: "610403198802293049",
		Promised: time.Date(2026, 12, 21, 0, 0, 0, 0, time.Local), Collect: "到村便民服务站领取",
		LookupURL: "https://zw.example.cn/q/WS-20261123-0007", Missing: []string{"户口簿"}}
}

func TestReceiptMasksPersonalData(t *testing.T) {
	job, err := ReceiptBytes(Paper58, sampleReceipt())
	if err != nil {
		t.Fatal(err)
	}
	for _, whole := range []string{"欧阳淼喆", "610403198802293049", "19880229"} {
		if bytes.Contains(job, gb(whole)) {
			t.Errorf("receipt prints %s whole", whole)
		}
	}
	for _, want := range []string{"欧**喆", "6104**********3049", "WS-20261123-0007", "2026年12月21日", "户口簿"} {
		if !bytes.Contains(job, gb(want)) {
			t.Errorf("receipt lacks %s", want)
		}
	}
	if !bytes.Contains(job, []byte("https://zw.example.cn/q/WS-20261123-0007")) {
		t.Error("receipt lacks the native QR data")
	}
	if !bytes.HasSuffix(job, []byte{0x1D, 0x56, 0x01}) {
		t.Error("receipt does not end with a cut")
	}
}

// TestNativeQRKeepsReceiptsSmall is the wire-size goal: under 1.5 KB with GS ( k, against the same
// receipt with a raster QR.
func TestNativeQRKeepsReceiptsSmall(t *testing.T) {
	native, err := ReceiptBytes(Paper58, sampleReceipt())
	if err != nil {
		t.Fatal(err)
	}
	raster, err := ReceiptBytes(Paper{Dots: 384}, sampleReceipt())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("receipt: native QR %d bytes, raster QR %d bytes (%.1fx)", len(native), len(raster), float64(len(raster))/float64(len(native)))
	if len(native) >= 1536 {
		t.Errorf("native-QR receipt is %d bytes, goal under 1.5 KB", len(native))
	}
	if len(raster) <= len(native) || !bytes.Contains(raster, []byte{0x1D, 0x76, 0x30, 0x00}) {
		t.Error("raster fallback missing")
	}
}

func TestTicketAndSlip(t *testing.T) {
	tk, err := TicketBytes(Paper80, Ticket{Hall: "王上村便民服务站", Number: "A012", Business: "社会救助", Waiting: 3,
		Issued: time.Date(2026, 11, 23, 9, 0, 0, 0, time.Local)})
	if err != nil || !bytes.Contains(tk, []byte("A012")) || !bytes.Contains(tk, gb("您前面还有 3 人")) {
		t.Errorf("ticket: %v", err)
	}
	slip, err := SlipBytes(Paper80, Slip{Hall: "王上村便民服务站", CaseNumber: "WS-1", Item: "高龄津贴申请", Name: "王䶮",
		IDNumber: "610403195103072011", Proxy: "李建国", Staff: "张红",
		Materials: []SlipMaterial{{"居民身份证", true}, {"户口簿", false}}, Accepted: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"王*", "李*国", "[√] 已收 居民身份证", "[ ] 未收 户口簿", "全程代办"} {
		if !bytes.Contains(slip, gb(want)) {
			t.Errorf("slip lacks %s", want)
		}
	}
	if bytes.Contains(slip, gb("王䶮")) || bytes.Contains(slip, gb("李建国")) {
		t.Error("slip prints a name whole")
	}
}

// Long lines are wrapped to the paper, never wider than it, with nothing lost.
func TestReceiptWrapsLongLines(t *testing.T) {
	long := "自取、上门送达（王上村便民服务站综合窗口，或由网格员送到家中）"
	job, err := ReceiptBytes(Paper58, Receipt{Hall: "王上村便民服务站", CaseNumber: "260302-K001-001", Item: "困难残疾人生活补贴和重度残疾人护理补贴申请",
		Submitted: time.Now(), Name: "王䶮", IDNumber: "610403195103072011", Collect: long, LookupURL: "https://x/q?c=1"})
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
