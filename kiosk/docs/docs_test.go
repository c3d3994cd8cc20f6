package docs

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"hallkiosk/drivers/printer"
	"hallkiosk/kiosk/text"
)

func gb(s string) []byte {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

func strs(t testing.TB) *text.Strings {
	s, err := text.Load()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sampleReceipt() Receipt {
	return Receipt{Hall: "王上村便民服务站", CaseNumber: "261123-K007-007", Item: "最低生活保障申请",
		Submitted: time.Date(2026, 11, 23, 9, 30, 0, 0, time.Local), Name: "欧阳淼喆", IDNumber: "610403198802293049",
		Promised: time.Date(2026, 12, 21, 0, 0, 0, 0, time.Local), Collect: "到村便民服务站领取",
		LookupURL: "https://zw.example.cn/q/261123-K007-007", Missing: []string{"户口簿"}}
}

func TestReceiptMasksPersonalData(t *testing.T) {
	job, err := sampleReceipt().Doc(strs(t)).Bytes(printer.Paper58)
	if err != nil {
		t.Fatal(err)
	}
	for _, whole := range []string{"欧阳淼喆", "610403198802293049", "19880229"} {
		if bytes.Contains(job, gb(whole)) {
			t.Errorf("receipt prints %s whole", whole)
		}
	}
	for _, want := range []string{"欧**喆", "6104**********3049", "261123-K007-007", "2026年12月21日", "户口簿", "办 件 回 执", "请妥善保管本凭证"} {
		if !bytes.Contains(job, gb(want)) {
			t.Errorf("receipt lacks %s", want)
		}
	}
	if !bytes.Contains(job, []byte("https://zw.example.cn/q/261123-K007-007")) {
		t.Error("receipt lacks the native QR data")
	}
	if !bytes.HasSuffix(job, []byte{0x1D, 0x56, 0x01}) {
		t.Error("receipt does not end with a cut")
	}
}

// TestNativeQRKeepsReceiptsSmall is the wire-size goal: under 1.5 KB with GS ( k, against the same
// receipt with a raster QR.
func TestNativeQRKeepsReceiptsSmall(t *testing.T) {
	native, err := sampleReceipt().Doc(strs(t)).Bytes(printer.Paper58)
	if err != nil {
		t.Fatal(err)
	}
	raster, err := sampleReceipt().Doc(strs(t)).Bytes(printer.Paper{Dots: 384})
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
	s := strs(t)
	tk, err := Ticket{Hall: "王上村便民服务站", Number: "A012", Business: "社会救助", Waiting: 3,
		Issued: time.Date(2026, 11, 23, 9, 0, 0, 0, time.Local)}.Doc(s).Bytes(printer.Paper80)
	if err != nil || !bytes.Contains(tk, []byte("A012")) || !bytes.Contains(tk, gb("您前面还有 3 人")) {
		t.Errorf("ticket: %v", err)
	}
	slip, err := Slip{Hall: "王上村便民服务站", CaseNumber: "261123-K007-001", Item: "高龄津贴申请", Name: "王䶮",
		IDNumber: "610403195103072011", Proxy: "李建国", Staff: "张红",
		Materials: []SlipMaterial{{"居民身份证", true}, {"户口簿", false}}, Accepted: time.Now()}.Doc(s).Bytes(printer.Paper80)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"王*", "李*国", "[√] 已收 居民身份证", "[ ] 未收 户口簿", "全程代办", "6104**********2011"} {
		if !bytes.Contains(slip, gb(want)) {
			t.Errorf("slip lacks %s", want)
		}
	}
	if bytes.Contains(slip, gb("王䶮")) || bytes.Contains(slip, gb("李建国")) {
		t.Error("slip prints a name whole")
	}
}

func TestChecklistSaysWhatToBringAndWhere(t *testing.T) {
	c := Checklist{Hall: "王上村便民服务站", Item: "最低生活保障申请", Missing: []string{"户口簿", "收入证明"},
		Place: "王上村便民服务站综合窗口", Hours: "工作日 8:30-17:30", Phone: "029-87000000",
		GuideURL: "https://zw.example.cn/g?c=1", Printed: time.Now(), Incomplete: true}
	lines := strings.Join(c.Doc(strs(t)).Text(), "\n")
	for _, want := range []string{"1. 户口簿", "2. 收入证明", "办理地点：王上村便民服务站综合窗口", "咨询电话：029-87000000", "可以先提交"} {
		if !strings.Contains(lines, want) {
			t.Errorf("checklist lacks %q:\n%s", want, lines)
		}
	}
}

// BenchmarkReceiptBytes reports the bytes on the wire of a case receipt with native QR beside the
// same receipt with a raster QR (goal: native under 1.5 KB).
func BenchmarkReceiptBytes(b *testing.B) {
	s := strs(b)
	var native, raster []byte
	for i := 0; i < b.N; i++ {
		native, _ = sampleReceipt().Doc(s).Bytes(printer.Paper58)
		raster, _ = sampleReceipt().Doc(s).Bytes(printer.Paper{Dots: 384})
	}
	b.ReportMetric(float64(len(native)), "native-bytes")
	b.ReportMetric(float64(len(raster)), "raster-bytes")
	b.ReportMetric(float64(len(raster))/float64(len(native)), "raster/native")
}
