package wall

import (
	"encoding/json"
	"fmt"

	"hallkiosk/localdb"
)

// legacyParts maps the category names of content published before the wall knew its parts.
var legacyParts = map[string]string{"党务": PartParty, "村务": PartVillage, "财务": PartFinance, "服务": PartService, "事务": PartAffairs}

// FromStore reads an item the changes feed stored: the whole item when the township published one
// (kind, table, steps ...), else a notice of the fields every version has, published by
// publisher (the township that sent it).
func FromStore(d localdb.Disclosure, publisher string) (Item, error) {
	var it Item
	if len(d.Raw) > 0 {
		if err := json.Unmarshal(d.Raw, &it); err != nil {
			return Item{}, fmt.Errorf("disclosure %s: %w", d.ID, err)
		}
	}
	if it.Kind == "" {
		it = Item{ID: d.ID, Kind: KindNotice, Title: d.Title, Body: d.Body, From: d.From, Until: d.Until, Published: d.PublishedAt,
			Publisher: publisher}
		it.Part = legacyParts[d.Category]
		if it.Part == "" {
			it.Part = PartVillage
		}
		if it.Until.IsZero() {
			it.Until = it.From.AddDate(100, 0, 0) // no end given: until withdrawn
		}
	}
	if it.ID == "" {
		it.ID = d.ID
	}
	if it.Published.IsZero() {
		it.Published = d.PublishedAt
	}
	return it, nil
}

// Items reads every stored item the wall may show; one that does not pass Check is left out and
// reported, never shown (the township checks too; this is the last line). publisher names the
// sender of items in the old shape, which carry none.
func Items(db *localdb.DB, publisher string) ([]Item, []error, error) {
	ds, err := db.DisclosureItems()
	if err != nil {
		return nil, nil, err
	}
	var out []Item
	var bad []error
	for _, d := range ds {
		it, err := FromStore(d, publisher)
		if err == nil {
			if r := Check(it); r != nil {
				err = fmt.Errorf("disclosure %s: %w", d.ID, r)
			}
		}
		if err != nil {
			bad = append(bad, err)
			continue
		}
		out = append(out, it)
	}
	return out, bad, nil
}
