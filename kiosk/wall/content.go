// Package wall is the village affairs wall (村务公开) without the screens: what an item of content
// is (a notice, a table, a roster, the approval record of a major matter), what refuses it at
// publishing (rows that do not add up, a name or ID number not masked, a major matter without its
// steps, a period that ends before it starts), money in 元, how large text must be to be read from
// across the hall, whether the clock may be trusted with display periods, and the rotation: which
// page stands on the wall now. kiosk/ui/disclosure draws what it decides.
package wall

import (
	"time"
)

// Parts of 村务公开, in the order a village usually lists them.
const (
	PartParty   = "party"   // 党务
	PartVillage = "village" // 村务
	PartFinance = "finance" // 财务
	PartService = "service" // 服务
	PartAffairs = "affairs" // 事务
)

// Parts lists every part in its usual order.
var Parts = []string{PartParty, PartVillage, PartFinance, PartService, PartAffairs}

// Kinds of content.
const (
	KindNotice   = "notice"   // title and text
	KindTable    = "table"    // finance (收入, 支出, 资产, 债务), projects, subsidies: rows and totals
	KindRoster   = "roster"   // 低保, 特困, 补贴发放: people, masked, with amounts
	KindApproval = "approval" // a major matter's 四议两公开 record
)

// Item is one piece of content as the wall shows it. It arrives through the township's changes
// feed, or from the station head at the window.
type Item struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Part      string `json:"part"`
	Title     string `json:"title"`
	Publisher string `json:"publisher"`
	// Published is the day the village published it; From and Until its display period (公示期).
	Published time.Time `json:"published"`
	From      time.Time `json:"from"`
	Until     time.Time `json:"until"`
	// Priority orders items within their part, higher first. Urgent interrupts the rotation with a
	// banner once, then rejoins it.
	Priority int  `json:"priority,omitempty"`
	Urgent   bool `json:"urgent,omitempty"`
	// Body is a notice's text, or what a major matter is about.
	Body string `json:"body,omitempty"`
	// Table is a table's or a roster's rows.
	Table *Table `json:"table,omitempty"`
	// Steps are an approval record's steps, in order.
	Steps []Step `json:"steps,omitempty"`
}

// Column types: what a cell holds, how it is checked and drawn.
const (
	ColText   = "text"
	ColNumber = "number"
	ColMoney  = "money" // 元, two decimals; right-aligned with thousands separators
	ColName   = "name"  // a person's name: masked by the one masking rule
	ColID     = "id"    // an ID number: masked by the one masking rule
)

// Column is one column of a table.
type Column struct {
	Title string `json:"title"`
	Type  string `json:"type"`
}

// Table is rows of cells under columns, with the period they cover and the totals row (合计) a
// village prints under a finance table: the money and number columns must add up to it.
type Table struct {
	Period  string     `json:"period,omitempty"`
	Columns []Column   `json:"columns"`
	Rows    [][]string `json:"rows"`
	// Totals has one cell per column; empty cells are not summed (a text column's 合计 label).
	Totals []string `json:"totals,omitempty"`
}

// Stages of 四议两公开, in order: the party branch proposes, the two committees discuss, the party
// members review, the villagers' (representatives') meeting decides; then the decision is made
// public, and later the result of carrying it out.
const (
	StageProposal   = "proposal"    // 党组织提议
	StageDiscussion = "discussion"  // 两委商议
	StageReview     = "review"      // 党员大会审议
	StageResolution = "resolution"  // 村民(代表)会议决议
	StagePublished  = "publication" // 决议公开
	StageResult     = "result"      // 实施结果公开
)

// Stages lists them in order.
var Stages = []string{StageProposal, StageDiscussion, StageReview, StageResolution, StagePublished, StageResult}

// Step is one stage of a major matter: who, when, and the outcome.
type Step struct {
	Stage   string    `json:"stage"`
	Who     string    `json:"who"`
	On      time.Time `json:"on"`
	Outcome string    `json:"outcome"`
}

// Current reports whether an item's display period holds the moment t.
func (it Item) Current(t time.Time) bool {
	return !t.Before(it.From) && t.Before(it.Until)
}
