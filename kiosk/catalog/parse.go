package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Problem is one thing wrong with a catalog file, precise enough for whoever edits it to fix it.
type Problem struct {
	File  string
	Code  string // item code, or "" for the document or a window
	Index int    // position of the item in the file, from 0; -1 for the document
	Field string
	Msg   string
}

func (p Problem) Error() string {
	where := p.File
	if p.Code != "" {
		where += fmt.Sprintf(": item %s", p.Code)
	} else if p.Index >= 0 {
		where += fmt.Sprintf(": item #%d", p.Index+1)
	}
	if p.Field != "" {
		where += ": field " + p.Field
	}
	return where + ": " + p.Msg
}

// ErrUnusable means nothing of the file could be used (not JSON, no windows, no valid item).
var ErrUnusable = errors.New("catalog unusable")

type document struct {
	Version string            `json:"version"`
	Windows []Window          `json:"windows"`
	Items   []json.RawMessage `json:"items"`
}

// ItemTypes are the 事项类型 a guide may carry, with the letters used in legacy item codes.
var ItemTypes = map[string]string{
	"行政许可": "XK", "行政确认": "QR", "行政给付": "JF", "行政奖励": "JL",
	"行政备案": "BA", "公共服务": "GG", "其他": "QT",
}

var (
	materialForms = map[string]bool{"原件": true, "复印件": true, "原件及复印件": true, "电子": true, "表格": true}
	deliveryWays  = map[string]bool{"自取": true, "邮寄": true, "电子送达": true, "上门送达": true, "当场领取": true}
	codePattern   = regexp.MustCompile(`^[0-9]{8}[A-Z]{2,4}-(XK|QR|JF|JL|BA|GG|QT)-[0-9]{4}$`)
	phonePattern  = regexp.MustCompile(`^[0-9][0-9-]{2,19}$`)
	idPattern     = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
)

// Parse decodes and validates a catalog file. Bad items are left out and reported as Problems; the
// error is non-nil only when nothing usable remains.
func Parse(file string, data []byte) (*Catalog, []Problem, error) {
	var doc document
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		p := Problem{File: file, Index: -1, Msg: describeJSONError(data, err)}
		return nil, []Problem{p}, fmt.Errorf("%w: %s", ErrUnusable, p.Error())
	}
	var probs []Problem
	docProblem := func(field, msg string) { probs = append(probs, Problem{File: file, Index: -1, Field: field, Msg: msg}) }
	if strings.TrimSpace(doc.Version) == "" {
		docProblem("version", "missing")
	}
	cat := &Catalog{Version: doc.Version}
	seenWin := map[string]bool{}
	for i, w := range doc.Windows {
		field := fmt.Sprintf("windows[%d]", i)
		switch {
		case !idPattern.MatchString(w.ID):
			docProblem(field+".id", fmt.Sprintf("%q is not a lower-case id", w.ID))
		case seenWin[w.ID]:
			docProblem(field+".id", fmt.Sprintf("duplicate window id %q", w.ID))
		case strings.TrimSpace(w.Name) == "":
			docProblem(field+".name", "missing")
		default:
			seenWin[w.ID] = true
			cat.Windows = append(cat.Windows, w)
		}
	}
	if len(cat.Windows) == 0 {
		probs = append(probs, Problem{File: file, Index: -1, Field: "windows", Msg: "no usable window"})
		return nil, probs, fmt.Errorf("%w: %s: no usable window", ErrUnusable, file)
	}
	seenCode := map[string]int{}
	for i, raw := range doc.Items {
		it, field, msg := decodeItem(raw)
		if msg == "" {
			field, msg = validateItem(&it, seenWin)
		}
		if msg == "" {
			if prev, dup := seenCode[it.Code]; dup {
				field, msg = "code", fmt.Sprintf("duplicate of item #%d", prev+1)
			}
		}
		if msg != "" {
			probs = append(probs, Problem{File: file, Code: it.Code, Index: i, Field: field, Msg: msg})
			continue
		}
		seenCode[it.Code] = i
		cat.Items = append(cat.Items, it)
	}
	if len(cat.Items) == 0 {
		return nil, probs, fmt.Errorf("%w: %s: no valid item", ErrUnusable, file)
	}
	return cat, probs, nil
}

// decodeItem decodes one item on its own, so a type error in one item does not hide the others.
func decodeItem(raw json.RawMessage) (Item, string, string) {
	var it Item
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(&it)
	if err == nil {
		return it, "", ""
	}
	// Recover the code for the report even when the item does not decode.
	var head struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(raw, &head)
	it.Code = head.Code
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return it, te.Field, fmt.Sprintf("is %s, want %s", te.Value, te.Type)
	}
	if m := regexp.MustCompile(`unknown field "([^"]+)"`).FindStringSubmatch(err.Error()); m != nil {
		return it, m[1], "unknown field (misspelt?)"
	}
	return it, "", err.Error()
}

func describeJSONError(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("not valid JSON at line %d: %v", line, err)
	}
	return fmt.Sprintf("not a catalog: %v", err)
}

// validateItem returns the first field that is wrong and why, or "", "" when the item is complete.
var fieldID = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

func validateItem(it *Item, windows map[string]bool) (string, string) {
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	switch {
	case !codePattern.MatchString(it.Code):
		return "code", fmt.Sprintf("%q is not an item code like 61040300MZ-JF-0001", it.Code)
	case blank(it.Name):
		return "name", "missing"
	case !windows[it.Window]:
		return "window", fmt.Sprintf("%q is not one of the catalog's windows", it.Window)
	case ItemTypes[it.Type] == "":
		return "type", fmt.Sprintf("%q is not an item type (行政许可, 行政确认, 行政给付, 行政奖励, 行政备案, 公共服务, 其他)", it.Type)
	case !strings.Contains(it.Code, "-"+ItemTypes[it.Type]+"-"):
		return "code", fmt.Sprintf("type letters do not match type %s (want -%s-)", it.Type, ItemTypes[it.Type])
	case blank(it.Body):
		return "implementing_body", "missing"
	case blank(it.Department):
		return "department", "missing"
	case len(nonBlank(it.Basis)) == 0:
		return "legal_basis", "missing"
	case len(nonBlank(it.Conditions)) == 0:
		return "conditions", "missing"
	case blank(it.Scope):
		return "scope", "missing"
	case len(it.Materials) == 0:
		return "materials", "missing"
	case len(nonBlank(it.Steps)) == 0:
		return "steps", "missing"
	case it.PromisedLimitDays < 0:
		return "promised_limit_days", "negative"
	case it.LegalLimitDays != nil && *it.LegalLimitDays < it.PromisedLimitDays:
		return "promised_limit_days", fmt.Sprintf("%d is longer than the legal limit %d", it.PromisedLimitDays, *it.LegalLimitDays)
	case it.Visits < 0 || it.Visits > 5:
		return "visits", fmt.Sprintf("%d is not between 0 and 5", it.Visits)
	case blank(it.Fee):
		return "fee", "missing"
	case len(it.Delivery) == 0:
		return "delivery", "missing"
	case blank(it.Place):
		return "place", "missing"
	case blank(it.Hours):
		return "hours", "missing"
	case !phonePattern.MatchString(it.Phone):
		return "phone", fmt.Sprintf("%q is not a phone number", it.Phone)
	case !phonePattern.MatchString(it.ComplaintPhone):
		return "complaint_phone", fmt.Sprintf("%q is not a phone number", it.ComplaintPhone)
	}
	seen := map[string]bool{}
	for i, fl := range it.Form {
		f := fmt.Sprintf("form[%d]", i)
		switch {
		case !fieldID.MatchString(fl.ID):
			return f + ".id", fmt.Sprintf("%q is not a field id (a-z, 0-9, _)", fl.ID)
		case seen[fl.ID]:
			return f + ".id", fmt.Sprintf("%q is used twice", fl.ID)
		case blank(fl.Label):
			return f + ".label", "missing"
		}
		seen[fl.ID] = true
		switch fl.Type {
		case FieldChoice, FieldMulti, FieldText:
			if len(nonBlank(fl.Options)) < 1 || (fl.Type != FieldText && len(fl.Options) < 2) {
				return f + ".options", "a " + fl.Type + " field needs options to pick from"
			}
		case FieldNumber:
			if fl.Min != nil && fl.Max != nil && *fl.Min > *fl.Max {
				return f + ".min", "larger than max"
			}
		case FieldPhone, FieldDate, FieldYesNo:
		default:
			return f + ".type", fmt.Sprintf("%q is not one of text, number, phone, date, choice, multi, yesno", fl.Type)
		}
	}
	for i, m := range it.Materials {
		f := fmt.Sprintf("materials[%d]", i)
		switch {
		case blank(m.Name):
			return f + ".name", "missing"
		case !materialForms[m.Form]:
			return f + ".form", fmt.Sprintf("%q is not one of 原件, 复印件, 原件及复印件, 电子, 表格", m.Form)
		case m.Copies < 1 && m.Form != "电子":
			return f + ".copies", "must be at least 1"
		case !m.Required && blank(m.Condition):
			return f + ".condition", "a material that is not always required must say when it is"
		case blank(m.Source):
			return f + ".source", "missing"
		}
	}
	for i, d := range it.Delivery {
		if !deliveryWays[d] {
			return fmt.Sprintf("delivery[%d]", i), fmt.Sprintf("%q is not one of 自取, 邮寄, 电子送达, 上门送达, 当场领取", d)
		}
	}
	for i, q := range it.FAQ {
		if blank(q.Q) || blank(q.A) {
			return fmt.Sprintf("faq[%d]", i), "question and answer are both needed"
		}
	}
	return "", ""
}

func nonBlank(ss []string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}
