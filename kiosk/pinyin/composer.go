package pinyin

// PerPage is how many candidates a page shows: they are picked with the keys 1 to 9.
const PerPage = 9

// Composer is the state of one text field's pinyin input, apart from any widget: the letters typed
// so far, their candidates and the page of them on show. Keys go in; Commit says what text the
// field gains. The zero value is not usable: make it with NewComposer.
type Composer struct {
	d     *Dict
	typed string
	cands []Candidate
	page  int
	// Err is why the typed letters have no candidates (ErrBadPinyin wrapped), for the screen to say.
	Err error
}

// NewComposer starts an empty composition over d.
func NewComposer(d *Dict) *Composer { return &Composer{d: d} }

// Active says whether letters are being composed (keys then belong to the composer).
func (c *Composer) Active() bool { return c.typed != "" }

// Typed is the letters being composed, as typed.
func (c *Composer) Typed() string { return c.typed }

// Page is the candidates on show, and which page of how many it is (1-based).
func (c *Composer) Page() (cands []Candidate, page, pages int) {
	pages = max(1, (len(c.cands)+PerPage-1)/PerPage)
	from := c.page * PerPage
	return c.cands[min(from, len(c.cands)):min(from+PerPage, len(c.cands))], c.page + 1, pages
}

func (c *Composer) lookup() {
	c.page = 0
	c.cands, c.Err = nil, nil
	if c.typed == "" {
		return
	}
	c.cands, c.Err = c.d.Lookup(c.typed)
}

// Letter adds a typed letter (a-z, or ' to break syllables).
func (c *Composer) Letter(r rune) {
	c.typed += string(r)
	c.lookup()
}

// Backspace takes back the last letter.
func (c *Composer) Backspace() {
	if c.typed != "" {
		c.typed = c.typed[:len(c.typed)-1]
		c.lookup()
	}
}

// NextPage and PrevPage turn the candidates' pages (the = and - keys, or the page buttons).
func (c *Composer) NextPage() {
	if (c.page+1)*PerPage < len(c.cands) {
		c.page++
	}
}

// PrevPage is the page before.
func (c *Composer) PrevPage() {
	if c.page > 0 {
		c.page--
	}
}

// Pick chooses the n-th candidate on show (1-9; space is 1). It returns the text the field gains;
// letters the candidate did not use stay to be composed (张 of zhangsanfeng leaves sanfeng).
// ok is false when there is no such candidate.
func (c *Composer) Pick(n int) (text string, ok bool) {
	on, _, _ := c.Page()
	if n < 1 || n > len(on) {
		return "", false
	}
	cand := on[n-1]
	in, err := Normalize(c.typed)
	if err != nil || cand.Used > len(in) {
		return "", false
	}
	c.typed = in[cand.Used:]
	c.lookup()
	return cand.Text, true
}

// Raw ends the composition with the typed letters as they are (Enter: for an English word or
// letters in an address).
func (c *Composer) Raw() string {
	s := c.typed
	c.Cancel()
	return s
}

// Cancel drops the composition (Esc).
func (c *Composer) Cancel() {
	c.typed = ""
	c.lookup()
}
