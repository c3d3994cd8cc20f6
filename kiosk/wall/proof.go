package wall

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"hallkiosk/township/api"
)

// MaxGap is how long the wall may go without looking before a span breaks: the rotation looks at
// least every page (20 s), so a longer silence is the wall away (a power cut, a crash), and the
// record must show it rather than paper over it.
const MaxGap = 2 * time.Minute

// Span is one stretch of an item standing on the wall.
type Span struct {
	Item string    `json:"item"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Proof is the wall's proof of display (公示期 kept or not): spans of what stood in the rotation,
// by a trusted clock only, closed at midnight, when an item leaves, and after a gap.
type Proof struct {
	open map[string]Span
}

// NewProof goes on from the spans a previous run left open (raw as Open wrote them; empty is
// none).
func NewProof(raw []byte) *Proof {
	p := &Proof{open: map[string]Span{}}
	var spans []Span
	if len(raw) > 0 && json.Unmarshal(raw, &spans) == nil {
		for _, s := range spans {
			p.open[s.Item] = s
		}
	}
	return p
}

// Observe notes what stands on the wall now and returns the spans that closed. With an untrusted
// clock (or the screen off) nothing stands: open spans close at the last moment they were seen,
// so a gap shows.
func (p *Proof) Observe(now time.Time, showing []string, trusted bool) []Span {
	if !trusted {
		showing = nil
	}
	var closed []Span
	for id, s := range p.open {
		y1, m1, d1 := s.From.Date()
		y2, m2, d2 := now.Date()
		gone := !slices.Contains(showing, id) || now.Sub(s.To) > MaxGap || now.Before(s.To)
		if gone || y1 != y2 || m1 != m2 || d1 != d2 {
			if !gone { // midnight: close at the day's end, open the next day's at its start
				end := time.Date(y1, m1, d1, 23, 59, 59, 0, s.From.Location())
				s.To = end
				closed = append(closed, s)
				p.open[id] = Span{Item: id, From: end.Add(time.Second), To: now}
				continue
			}
			closed = append(closed, s)
			delete(p.open, id)
		}
	}
	for _, id := range showing {
		s, ok := p.open[id]
		if !ok {
			s = Span{Item: id, From: now}
		}
		s.To = now
		p.open[id] = s
	}
	slices.SortFunc(closed, func(a, b Span) int {
		if c := a.From.Compare(b.From); c != 0 {
			return c
		}
		return strings.Compare(a.Item, b.Item)
	})
	return closed
}

// Open is the open spans, to keep across a restart.
func (p *Proof) Open() []byte {
	spans := make([]Span, 0, len(p.open))
	for _, s := range p.open {
		spans = append(spans, s)
	}
	slices.SortFunc(spans, func(a, b Span) int { return strings.Compare(a.Item, b.Item) })
	raw, _ := json.Marshal(spans)
	return raw
}

// Payload is a closed span as it is uploaded.
func (s Span) Payload() ([]byte, error) {
	raw, err := json.Marshal(api.DisplayPayload{Item: s.Item, From: s.From.UTC(), To: s.To.UTC()})
	if err != nil {
		return nil, err
	}
	return raw, api.Validate(api.KindDisplay, raw)
}
