package selfservice

import (
	"fmt"
	"strings"

	"hallkiosk/kiosk/catalog"
	"hallkiosk/kiosk/text"
)

// GuideSections turns an item into the labelled sections of its 办事指南, every field the catalog
// holds, in the order residents ask about them. Kept apart from layout so tests can check that
// nothing is dropped.
func GuideSections(s *text.Strings, c *catalog.Catalog, it catalog.Item) [][2]string {
	g := s.Guide
	limit := g.OnTheSpot
	if it.PromisedLimitDays > 0 {
		limit = text.N(g.WorkingDays, it.PromisedLimitDays)
	}
	legal := g.NoLegalLimit
	if it.LegalLimitDays != nil {
		legal = text.N(g.WorkingDays, *it.LegalLimitDays)
		if *it.LegalLimitDays == 0 {
			legal = g.OnTheSpot
		}
	}
	var mats []string
	for _, m := range it.Materials {
		need := g.MaterialRequired
		if !m.Required {
			need = g.MaterialConditional + "：" + m.Condition
		}
		line := fmt.Sprintf("%s（%s，%s；%s）\n   %s：%s", m.Name, m.Form, text.N(g.MaterialCopies, m.Copies), need, g.MaterialSource, m.Source)
		if m.Notes != "" {
			line += fmt.Sprintf("\n   %s：%s", g.MaterialNotes, m.Notes)
		}
		mats = append(mats, line)
	}
	var faq []string
	for _, q := range it.FAQ {
		faq = append(faq, g.FAQQ+q.Q+"\n   "+g.FAQA+q.A)
	}
	fee := it.Fee
	if it.FeeBasis != "" {
		fee += "\n" + g.FeeBasis + "：" + it.FeeBasis
	}
	out := [][2]string{
		{g.Conditions, joinLines(it.Conditions)},
		{g.Materials, joinLines(mats)},
		{g.Steps, joinLines(it.Steps)},
		{g.PromisedLimit, limit},
		{g.LegalLimit, legal},
		{g.Visits, text.N(g.VisitsN, it.Visits)},
		{g.Fee, fee},
		{g.Place, it.Place},
		{g.Hours, it.Hours},
		{g.Phone, it.Phone},
		{g.ComplaintPhone, it.ComplaintPhone},
		{g.Delivery, strings.Join(it.Delivery, "、")},
		{g.Scope, it.Scope},
		{g.Body, it.Body},
		{g.Department, it.Department},
		{g.Basis, joinLines(it.Basis)},
		{g.Type, it.Type},
		{g.Window, c.WindowName(it.Window)},
		{g.Code, it.Code},
	}
	if len(faq) > 0 {
		out = append(out, [2]string{g.FAQ, joinLines(faq)})
	}
	return out
}

// joinLines renders a list as numbered lines.
func joinLines(items []string) string {
	var b strings.Builder
	for i, s := range items {
		if i > 0 {
			b.WriteString("\n")
		}
		if len(items) > 1 {
			fmt.Fprintf(&b, "%d. ", i+1)
		}
		b.WriteString(s)
	}
	return b.String()
}
