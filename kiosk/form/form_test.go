package form

import (
	"strings"
	"testing"
	"time"

	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/text"
)

func fptr(f float64) *float64 { return &f }

func TestCheckSaysWhatToFix(t *testing.T) {
	s, err := text.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local)
	household := catalog.Field{ID: "h", Label: "家庭人口", Type: catalog.FieldNumber, Required: true, Min: fptr(1), Max: fptr(20), Unit: "人"}
	phone := catalog.Field{ID: "p", Label: "联系电话", Type: catalog.FieldPhone, Required: true}
	reasons := catalog.Field{ID: "r", Label: "申请原因", Type: catalog.FieldMulti, Required: true, Options: []string{"疾病", "残疾", "失业"}}
	due := catalog.Field{ID: "d", Label: "预产期", Type: catalog.FieldDate}
	yn := catalog.Field{ID: "y", Label: "有残疾人吗", Type: catalog.FieldYesNo, Required: true}
	cases := []struct {
		f         catalog.Field
		v, expect string
	}{
		{household, "", "请填写“家庭人口”"},
		{household, "0", "不能小于 1人"},
		{household, "35", "不能大于 20人"},
		{household, "3", ""},
		{household, "三", "只能填数字"},
		{phone, "1391234", "只有 7 位"},
		{phone, "23912345678", "1 开头的 11 位"},
		{phone, "13912345678", ""},
		{phone, "0298765432", ""},
		{reasons, "", "请选择“申请原因”"},
		{reasons, "疾病、失业", ""},
		{reasons, "疾病、赌博", "选项里选"},
		{due, "", ""},
		{due, "2026-02-30", "不是一个日期"},
		{due, "2026-09-01", ""},
		{yn, "也许", "“是”或“否”"},
		{yn, No, ""},
	}
	for _, c := range cases {
		got := Check(s, c.f, c.v, now)
		if (c.expect == "") != (got == "") || !strings.Contains(got, c.expect) {
			t.Errorf("%s = %q: got %q, want %q", c.f.Label, c.v, got, c.expect)
		}
	}
	probs := CheckAll(s, []catalog.Field{household, phone, due}, map[string]string{"h": "2"}, now)
	if len(probs) != 1 || probs["p"] == "" {
		t.Fatalf("CheckAll = %v", probs)
	}
}

func TestToggleKeepsOptionOrder(t *testing.T) {
	f := catalog.Field{Options: []string{"疾病", "残疾", "失业"}}
	v := Toggle(f, "", "失业")
	v = Toggle(f, v, "疾病")
	if v != "疾病、失业" || !Picked(v, "失业") || Picked(v, "残疾") {
		t.Fatalf("%q", v)
	}
	if v = Toggle(f, v, "疾病"); v != "失业" {
		t.Fatalf("untoggle: %q", v)
	}
}
