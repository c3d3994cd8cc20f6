package api

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestValidateNamesTheField(t *testing.T) {
	good := map[string]string{
		KindCase:    `{"number":"261124-K001-007","item_code":"61040300MZ-JF-0001","item_name":"低保申请","applicant":{"name":"李淼喆","id_number":"110101199003070038"},"form":{"家庭人口":"3"},"submitted_at":"2026-11-24T09:00:00Z","promised_by":"2026-12-08T00:00:00Z"}`,
		KindTicket:  `{"number":"A001","business":"社会救助","day":"2026-11-24","taken_at":"2026-11-24T09:00:00Z"}`,
		KindRating:  `{"case_number":"261124-K001-007","grade":1,"reasons":["等待时间长"],"rated_at":"2026-11-24T09:00:00Z"}`,
		KindMessage: `{"id":"m-1","topic":"道路交通","text":"路灯坏了\n请修","created_at":"2026-11-24T09:00:00Z"}`,
		KindVote:    `{"poll_id":"p1","option":"同意","voter":"` + VoterToken([]byte("k"), "p1", "110101199003070038") + `","voted_at":"2026-11-24T09:00:00Z"}`,
		KindCaseStep: `{"number":"261124-K001-007","steps":[{"from":"accepted","to":"result_back","actor":"S01","role":"worker","result":"已办结","at":"2026-11-24T09:00:00Z"},` +
			`{"from":"result_back","to":"ready","actor":"S01","role":"worker","at":"2026-11-24T09:00:00Z"},` +
			`{"from":"ready","to":"handed_over","actor":"S01","role":"worker","how":"collected","at":"2026-11-24T09:00:00Z"}]}`,
		"proxy": `{"number":"261124-K001-008","item_code":"61040300MZ-JF-0001","item_name":"低保申请","applicant":{"name":"李淼喆","id_number":"110101199003070038"},` +
			`"proxy":true,"entrustment":{"proxy_name":"李明","proxy_id_number":"11010519491231002X","relation":"child","consent":true,"written":true,` +
			`"visited_on":"2026-11-23","visit_place":"三组王家","forward_by":"2026-11-26T15:59:59Z"},"submitted_at":"2026-11-24T09:00:00Z","promised_by":"2026-12-08T00:00:00Z"}`,
		KindCaseAmend: `{"number":"261124-K001-007","form":{"家庭人口":"3"},"missing":[],"received":["户口簿"],"actor":"S01","at":"2026-11-24T09:00:00Z"}`,
		KindAudit:     `{"seq":7,"at":"2026-11-24T09:00:00Z","actor":"S01","action":"case.accept","subject":"261124-K001-007"}`,
	}
	for kind, p := range good {
		if kind == "proxy" {
			kind = KindCase
		}
		if err := Validate(kind, []byte(p)); err != nil {
			t.Errorf("good %s refused: %v", kind, err)
		}
	}
	bad := []struct{ kind, from, to, want string }{
		{KindCase, `"李淼喆"`, `"李\u202e淼喆"`, "applicant.name: U+202E"},
		{KindCase, `"家庭人口":"3"`, `"家庭人口":"3\u0000"`, "form.家庭人口: U+0000"},
		{KindCase, `"家庭人口"`, `"家庭\u200b人口"`, "form key: U+200B"},
		{KindCase, `"261124-K001-007"`, `"WS-20260302-0001"`, "number"},
		{KindCase, `"110101199003070038"`, `"110101199003070035"`, "check digit"},
		{KindCase, `"applicant":{`, `"applicant":{"id_type":"Z",`, "id_type"},
		{KindCase, `"低保申请"`, `"` + strings.Repeat("低", 101) + `"`, "item_name: has 101 characters"},
		{KindTicket, `"2026-11-24"`, `"24/11/2026"`, "day"},
		{KindTicket, `"社会救助"`, `"社会\n救助"`, "business: U+000A"},
		{KindRating, `"grade":1`, `"grade":6`, "grade 6"},
		{KindRating, `"等待时间长"`, `"等待\u2066"`, "reasons[0]: U+2066"},
		{KindMessage, `"道路交通"`, `"道路\u001b"`, "topic: U+001B"},
		{KindMessage, `路灯坏了\n请修`, `路灯坏了\r\n请修`, "text: U+000D"},
		{KindMessage, `"m-1"`, `"m 1"`, "id"},
		{KindVote, `"同意"`, `"同意\ue000"`, "option: U+E000"},
		{KindVote, `"voter":"`, `"voter":"x`, "voter"},
		{KindVote, `"option"`, `"choice"`, "unknown field"},
		{KindCase, `"promised_by"`, `"channel":"fax","promised_by"`, "channel"},
		{"proxy", `"proxy":true`, `"proxy":false`, "proxy is false"},
		{"proxy", `"relation":"child"`, `"relation":"friend"`, `entrustment.relation "friend"`},
		{"proxy", `"consent":true`, `"consent":false`, "entrustment.consent must be true"},
		{"proxy", `"written":true`, `"written":false`, "entrustment.written must be true"},
		{"proxy", `"11010519491231002X"`, `"110101199003070038"`, "the applicant's own"},
		{"proxy", `"proxy_id_number":"11010519491231002X"`, `"proxy_staff":"11010519491231002X"`, "not a staff number"},
		{"proxy", `"proxy_id_number":"11010519491231002X",`, ``, "needs proxy_id_number or proxy_staff"},
		{"proxy", `"2026-11-23"`, `"2026-11-30"`, "after the case was submitted"},
		{"proxy", `"visit_place":"三组王家",`, ``, "go together"},
		{"proxy", `,"forward_by":"2026-11-26T15:59:59Z"`, ``, "forward_by is required"},
		{"proxy", `"李明"`, `"李‮明"`, "entrustment.proxy_name: U+202E"},
		{KindCaseStep, `"to":"result_back"`, `"to":"done"`, `steps[0].to "done"`},
		{KindCaseStep, `{"from":"result_back"`, `{"from":"accepted"`, "steps[1].from accepted does not follow"},
		{KindCaseStep, `"role":"worker","how"`, `"role":"resident","how"`, `steps[2].role "resident"`},
		{KindCaseStep, `"how":"collected"`, `"how":"thrown"`, `steps[2].how "thrown"`},
		{KindCaseStep, `"result":"已办结"`, `"result":"已办‮结"`, "steps[0].result: U+202E"},
		{KindCaseStep, `"actor":"S01"`, `"actor":""`, "steps[0].actor"},
		{KindCaseStep, `"steps":[{`, `"steps":[],"x":[{`, "unknown field"},
		{KindCaseAmend, `"actor":"S01"`, `"actor":"11010519491231002X"`, "actor must be a staff number"},
		{KindCaseAmend, `"户口簿"`, `"户口\u202e簿"`, "received[0]: U+202E"},
		{KindCaseAmend, `"3"`, `"3\u0000"`, "form.家庭人口: U+0000"},
		{KindCaseAmend, `,"at":"2026-11-24T09:00:00Z"`, ``, "at is required"},
		{KindAudit, `"seq":7`, `"seq":0`, "seq must be 1 or more"},
		{KindAudit, `"actor":"S01"`, `"actor":""`, "actor"},
		{KindAudit, `"261124-K001-007"`, `"110101199003070038"`, "an ID number in the actor or subject"},
		{KindAudit, `"actor":"S01"`, `"actor":"11010519491231002X"`, "an ID number in the actor or subject"},
		{KindAudit, `"case.accept"`, `"case\naccept"`, "action: U+000A"},
		{KindAudit, `"subject"`, `"resident"`, "unknown field"},
	}
	for _, b := range bad {
		p := strings.Replace(good[b.kind], b.from, b.to, 1)
		if p == good[b.kind] {
			t.Fatalf("test case %q does not change the payload", b.want)
		}
		kind := b.kind
		if kind == "proxy" {
			kind = KindCase
		}
		err := Validate(kind, []byte(p))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s with %s: %v, want %q", b.kind, b.to, err, b.want)
		}
	}
	if err := Validate("hologram", []byte(`{}`)); err == nil || !strings.Contains(err.Error(), `unknown kind "hologram"`) {
		t.Errorf("unknown kind: %v", err)
	}
}

func TestValidateEnrol(t *testing.T) {
	if err := ValidateEnrol(EnrolRequest{Code: "K7QM-3XPA-9HTB", Name: "一号机", LocalCode: "X412"}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []EnrolRequest{
		{Code: "K7QM-3XPA-9HTB", Name: strings.Repeat("机", 100000)},
		{Code: "K7QM-3XPA-9HTB", Name: "一号\x00机"},
		{Code: "K7QM-3XPA-9HTB", Name: "\x1b[2J"},
		{Code: "", Name: "一号机"},
		{Code: "K7QM-3XPA-9HTB", LocalCode: "K001"},
	} {
		if err := ValidateEnrol(r); err == nil {
			t.Errorf("enrolment %.40q taken", r.Name+r.LocalCode)
		}
	}
}

// The token is the same at every kiosk of a village, differs by poll and by key, and does not
// carry the ID number.
func TestVoterToken(t *testing.T) {
	k := []byte("0123456789abcdef0123456789abcdef")
	id := "110101199003070038"
	a, b := VoterToken(k, "p1", id), VoterToken(k, "p1", strings.ToLower(id))
	if a != b || len(a) != VoterLen || a == VoterToken(k, "p2", id) || a == VoterToken([]byte("other"), "p1", id) || strings.Contains(a, id[:6]) {
		t.Fatalf("tokens %q %q", a, b)
	}
}

func TestValidateChange(t *testing.T) {
	if err := ValidateChange(ChangePoll, "p1", []byte(`{"id":"p1","title":"修路","options":["同意","反对"],"body":"说明\n第二行"}`)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ kind, key, payload, want string }{
		{ChangePoll, "p1", `{"title":"修\n路"}`, "payload.title: U+000A"},
		{ChangePoll, "p1", `{"options":["同意","` + strings.Repeat("反", 101) + `"]}`, "payload.options[1]: has 101"},
		{ChangeDisclosure, "d1", `{"rows":[{"名称":"a\u202eb"}]}`, "payload.rows[0].名称: U+202E"},
		{ChangeCaseStatus, "c1", `{"note":"` + strings.Repeat("办", 501) + `"}`, "payload.note: has 501"},
		{ChangeCatalog, "k\x00", `{}`, "key: U+0000"},
	} {
		if err := ValidateChange(c.kind, c.key, []byte(c.payload)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: %v, want %q", c.kind, c.payload, err, c.want)
		}
	}
	if err := ValidateChange(ChangeDisclosureWithdraw, "d1", nil); err != nil {
		t.Fatalf("withdrawal without payload: %v", err)
	}
}

// Sign and its digest are what the README's recipe says: a client in another language checks
// against these values.
func TestSignatureRecipe(t *testing.T) {
	req, _ := http.NewRequest("POST", "http://t/v1/batch", nil)
	body := []byte(`{"items":[]}`)
	Sign(req, "dev-0a1b2c3d4e5f", []byte("secret"), body, time.Unix(1764000000, 0), "n-1")
	if req.Header.Get(HeaderContentSHA256) != BodyDigest(body) || req.Header.Get(HeaderTime) != "1764000000" || req.Header.Get(HeaderNonce) != "n-1" {
		t.Fatalf("headers %v", req.Header)
	}
	if req.Header.Get(HeaderSignature) != Signature([]byte("secret"), "POST", "/v1/batch", 1764000000, "n-1", BodyDigest(body)) {
		t.Fatal("signature is not Signature(...) of the request")
	}
}
