package wall

import (
	"bytes"
	"errors"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func withTable(kind string, t *Table) Item {
	it := notice("x")
	it.Kind, it.Part, it.Body, it.Table = kind, PartService, "", t
	return it
}

// A roster saved by Excel as CSV (UTF-8 with its byte-order mark): columns typed from their
// headers, rows as given, and it passes the checks.
func TestImportRosterCSV(t *testing.T) {
	csv := "\xef\xbb\xbf户主姓名,身份证号码,保障人口,月保障金（元）\r\n李*喆,6104**********1230,3,1260\r\n王*,6104**********0012,1,480.00\r\n,,,\r\n"
	tab, err := ImportTable("低保名单.csv", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	types := []string{ColName, ColID, ColNumber, ColMoney}
	for i, c := range tab.Columns {
		if c.Type != types[i] {
			t.Errorf("column %q: %s, want %s", c.Title, c.Type, types[i])
		}
	}
	if len(tab.Rows) != 2 || tab.Rows[1][3] != "480.00" {
		t.Fatalf("rows: %q", tab.Rows)
	}
	if r := Check(withTable(KindRoster, tab)); r != nil {
		t.Fatalf("refused: %v", r)
	}
}

// The same roster saved in GB18030 (Excel on a Chinese Windows PC) with whole names: read, and
// refused with the row named.
func TestImportGB18030RefusesWholeNames(t *testing.T) {
	csv, _ := simplifiedchinese.GB18030.NewEncoder().String("户主,身份证号,月保障金\n李*喆,6104**********1230,1260\n王小明,6104**********0012,480\n")
	tab, err := ImportTable("名单.CSV", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	r := Check(withTable(KindRoster, tab))
	if r == nil || r.Code != CodeNameWhole || r.Row != 2 || r.Column != "户主" {
		t.Fatalf("refusal: %+v", r)
	}
}

// A finance table from an Excel workbook: its 合计 row is the totals, and a total that does not
// match its rows is refused in the totals row.
func TestImportFinanceXLSX(t *testing.T) {
	f := excelize.NewFile()
	rows := [][]any{{"项目", "收入（元）", "支出（元）"}, {"上级转移支付", 120000, 0}, {"道路维修", 0, 48230.5}, {"合计", 120000, 48230.5}}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	tab, err := ImportTable("2026年10月.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 2 || tab.Totals[0] != "合计" || tab.Columns[1].Type != ColMoney {
		t.Fatalf("table: %+v", tab)
	}
	if r := Check(withTable(KindTable, tab)); r != nil {
		t.Fatalf("refused: %v", r)
	}
	tab.Totals[2] = "48230"
	if r := Check(withTable(KindTable, tab)); r == nil || r.Code != CodeTotal || r.Row != TotalsRow || r.Column != "支出（元）" {
		t.Fatalf("a wrong total: %+v", r)
	}
}

func TestImportRefusesWhatIsNoTable(t *testing.T) {
	for name, data := range map[string]string{"名单.docx": "x", "空.csv": "户主\n", "坏.xlsx": "not a workbook"} {
		if _, err := ImportTable(name, []byte(data)); err == nil {
			t.Errorf("%s imported", name)
		} else if name != "坏.xlsx" && !errors.Is(err, ErrImport) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
