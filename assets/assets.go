// Package assets holds what the kiosk ships inside its binary: the CJK font and its licence, the
// default service catalog and its schema, the default configuration and the zh-CN strings.
// Everything here is data; the packages that use it decide what it means.
package assets

import (
	"embed"
)

// FontName is the file name the bundled font is known by in Fyne resources and logs.
const FontName = "NotoSansCJKsc-Regular.otf"

// FontCJK is a single-face OpenType font (Noto Sans CJK SC) covering CJK Unified Ideographs and
// Extension A, so names with rare characters render on any host; Fyne cannot load .ttc collections.
//
//go:embed fonts/NotoSansCJKsc-Regular.otf
var FontCJK []byte

// FontLicence is the SIL OFL 1.1 text that must travel with FontCJK.
//
//go:embed fonts/OFL.txt
var FontLicence string

// CatalogName is the name the default catalog is reported under in validation errors.
const CatalogName = "assets/catalog/default.json"

// DefaultCatalog is the service catalog a kiosk starts with before its township publishes one.
//
//go:embed catalog/default.json
var DefaultCatalog []byte

// CatalogSchema is the JSON Schema of a catalog file, for the people who edit catalogs.
//
//go:embed catalog/catalog.schema.json
var CatalogSchema []byte

// DefaultConfig is the configuration used when no config file exists; every key is documented in it.
//
//go:embed config.default.toml
var DefaultConfig []byte

// StringsZhCN holds every user-facing string of the kiosk in one file.
//
//go:embed i18n/zh-CN.toml
var StringsZhCN []byte

// Holidays is the built-in holiday calendar (法定节假日 and 调休 working days) for promised dates;
// a township replaces it with calendar.file in the config.
//
//go:embed calendar/cn-holidays.json
var Holidays []byte

//go:embed icons
var icons embed.FS

// Icon is the pictogram (SVG) of a home tile, by window ID (shjz, ldbz, ...) or task (lookup,
// ticket, message, poll, search), so a resident who reads little finds a tile by its picture.
// The icons are this project's own drawings (assets/icons/LICENSE).
func Icon(name string) ([]byte, bool) {
	b, err := icons.ReadFile("icons/" + name + ".svg")
	return b, err == nil
}

// PinyinWords is the word list of the window's pinyin input: lines of "词 频次", most frequent
// first, from jieba's dict.txt.small (MIT licence, PinyinWordsLicence), made by
// build/pinyin-words.sh.
//
//go:embed pinyin/words.txt.gz
var PinyinWords []byte

// PinyinWordsLicence is jieba's MIT licence, which travels with PinyinWords.
//
//go:embed pinyin/LICENSE.jieba
var PinyinWordsLicence string
