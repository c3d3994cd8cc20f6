// Package catalog holds the service catalog (政务服务事项目录 / 办事指南): the windows a hall groups its
// items into and every field of each item's guide. A catalog is data published by the township;
// this package decodes and validates it, keeping every good item when some are bad.
package catalog

// Catalog is a validated catalog: every item in it has every guide field a resident may need.
type Catalog struct {
	Version string
	Windows []Window
	Items   []Item
}

// Window is one tile on the home screen; halls group items differently, so it comes from data.
type Window struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Summary string `json:"summary"`
}

// Item is one 业务办理项 with its full guide (办事指南).
type Item struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Window     string     `json:"window"`
	Type       string     `json:"type"`
	Body       string     `json:"implementing_body"`
	Department string     `json:"department"`
	Basis      []string   `json:"legal_basis"`
	Conditions []string   `json:"conditions"`
	Scope      string     `json:"scope"`
	Materials  []Material `json:"materials"`
	Steps      []string   `json:"steps"`
	// LegalLimitDays is the 法定时限 in working days; nil where the law sets none.
	LegalLimitDays *int `json:"legal_limit_days"`
	// PromisedLimitDays is the 承诺时限 in working days; 0 is an 即办件 finished on the spot.
	PromisedLimitDays int      `json:"promised_limit_days"`
	Visits            int      `json:"visits"`
	Fee               string   `json:"fee"`
	FeeBasis          string   `json:"fee_basis"`
	Delivery          []string `json:"delivery"`
	Place             string   `json:"place"`
	Hours             string   `json:"hours"`
	Phone             string   `json:"phone"`
	ComplaintPhone    string   `json:"complaint_phone"`
	FAQ               []QA     `json:"faq"`
	// Keywords are the everyday words residents use for the item (低保, 养老), for search.
	Keywords []string `json:"keywords"`
	// Form is what the resident answers at the kiosk besides what the ID card gives.
	Form []Field `json:"form"`
	// AllowIncomplete is 容缺受理: the case may be submitted with required materials missing.
	AllowIncomplete bool `json:"allow_incomplete"`
}

// Field types. There is no free typing on a kiosk without an input method: text is picked from
// preset phrases, numbers and phones come from a numeric keypad, dates from steppers.
const (
	FieldText   = "text"
	FieldNumber = "number"
	FieldPhone  = "phone"
	FieldDate   = "date"
	FieldChoice = "choice"
	FieldMulti  = "multi"
	FieldYesNo  = "yesno"
)

// Field is one question of an item's form.
type Field struct {
	ID       string   `json:"id"`
	Label    string   `json:"label"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Options  []string `json:"options"`
	Min      *float64 `json:"min"`
	Max      *float64 `json:"max"`
	Unit     string   `json:"unit"`
	Hint     string   `json:"hint"`
}

// Material is one 申请材料 line of a guide.
type Material struct {
	Name string `json:"name"`
	// Form is 原件, 复印件, 原件及复印件, 电子 or 表格 (a form the hall provides).
	Form     string `json:"form"`
	Copies   int    `json:"copies"`
	Required bool   `json:"required"`
	// Condition says when a non-required material is needed (e.g. 委托他人办理的).
	Condition string `json:"condition"`
	Source    string `json:"source"`
	Notes     string `json:"notes"`
}

// QA is one 常见问题.
type QA struct {
	Q string `json:"q"`
	A string `json:"a"`
}

// ItemsIn lists the items of one window in catalog order.
func (c *Catalog) ItemsIn(windowID string) []Item {
	var out []Item
	for _, it := range c.Items {
		if it.Window == windowID {
			out = append(out, it)
		}
	}
	return out
}

// Item finds an item by its code.
func (c *Catalog) Item(code string) (Item, bool) {
	for _, it := range c.Items {
		if it.Code == code {
			return it, true
		}
	}
	return Item{}, false
}

// ItemOK is Item that is safe to call on a nil catalog (a kiosk whose catalog failed to load).
func (c *Catalog) ItemOK(code string) (Item, bool) {
	if c == nil {
		return Item{}, false
	}
	return c.Item(code)
}

// WindowName returns the display name of a window id, or the id itself if unknown.
func (c *Catalog) WindowName(id string) string {
	for _, w := range c.Windows {
		if w.ID == id {
			return w.Name
		}
	}
	return id
}
