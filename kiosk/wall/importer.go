package wall

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/unicode/norm"
)

// ErrImport is a file that holds no table the wall can take: no header, no rows, an unknown type.
var ErrImport = errors.New("no table in the file")

// MaxImportRows bounds a table read from a file (a 低保 roster of a large village is hundreds).
const MaxImportRows = 5000

// ImportTable reads a table or roster as a village keeps it in Excel: the first non-empty row is
// the header, each column's type comes from its header (身份证 an ID number, 姓名 or 户主 a name,
// 金额 or 元 money, 人数 or 人口 a number), and a last row starting 合计 or 总计 is the totals row.
// A CSV may be UTF-8 (with or without a byte-order mark) or GB18030, as Excel on a Chinese Windows
// PC saves it. Nothing is masked here: Check refuses a whole name or ID number with its row named,
// so what the station head publishes is what they checked.
func ImportTable(name string, data []byte) (*Table, error) {
	var rows [][]string
	var err error
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx":
		rows, err = readXLSX(data)
	case ".csv":
		rows, err = readCSV(data)
	default:
		return nil, fmt.Errorf("import %s: %w: use an .xlsx or .csv file", name, ErrImport)
	}
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", name, err)
	}
	var clean [][]string
	for _, r := range rows {
		for i := range r {
			r[i] = norm.NFC.String(strings.TrimSpace(r[i]))
		}
		if strings.Join(r, "") != "" {
			clean = append(clean, r)
		}
	}
	if len(clean) < 2 {
		return nil, fmt.Errorf("import %s: %w: a header row and at least one row are needed", name, ErrImport)
	}
	if len(clean) > MaxImportRows+2 {
		return nil, fmt.Errorf("import %s: %w: %d rows, at most %d", name, ErrImport, len(clean)-1, MaxImportRows)
	}
	head := clean[0]
	for len(head) > 0 && head[len(head)-1] == "" {
		head = head[:len(head)-1]
	}
	t := &Table{}
	for _, h := range head {
		t.Columns = append(t.Columns, Column{Title: h, Type: columnType(h)})
	}
	fit := func(r []string) []string {
		out := make([]string, len(head))
		copy(out, r)
		return out
	}
	body := clean[1:]
	if last := body[len(body)-1]; len(body) > 1 && (strings.HasPrefix(last[0], "合计") || strings.HasPrefix(last[0], "总计")) {
		t.Totals, body = fit(last), body[:len(body)-1]
	}
	for _, r := range body {
		if len(r) > len(head) && strings.Join(r[len(head):], "") != "" {
			t.Rows = append(t.Rows, r) // more cells than columns: Check names the row
			continue
		}
		t.Rows = append(t.Rows, fit(r))
	}
	return t, nil
}

// columnType guesses a column's type from its header, as villages title them.
func columnType(h string) string {
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(h, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("身份证", "证件号"):
		return ColID
	case has("姓名", "户主", "户名", "名字", "申请人", "领取人", "户主姓名"):
		return ColName
	case has("金额", "（元）", "(元)", "元）", "收入", "支出", "资金", "补贴", "保障金", "余额", "资产", "负债", "债务"):
		return ColMoney
	case has("人数", "人口", "户数", "数量"):
		return ColNumber
	}
	return ColText
}

func readCSV(data []byte) ([][]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return nil, fmt.Errorf("neither UTF-8 nor GB18030: %w", err)
		}
		data = dec
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	return r.ReadAll()
}

func readXLSX(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, ErrImport
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return rows, nil
}
