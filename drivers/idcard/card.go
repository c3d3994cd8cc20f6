package idcard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"strings"
	"time"
	"unicode/utf16"
)

// TextBlockSize is the size of the card's text block in a read answer.
const TextBlockSize = 256

// CardType tells the four kinds of card a reader returns.
type CardType byte

// Card types, by the character at text offset 248.
const (
	CardResident    CardType = ' ' // 居民身份证
	CardForeignOld  CardType = 'I' // 外国人永久居留身份证 (old layout)
	CardHKMOTW      CardType = 'J' // 港澳台居民居住证
	CardForeign2023 CardType = 'Y' // 外国人永久居留身份证 (2023)
)

// String names the card type in Chinese, as staff know it.
func (t CardType) String() string {
	switch t {
	case CardResident:
		return "居民身份证"
	case CardForeignOld:
		return "外国人永久居留身份证"
	case CardHKMOTW:
		return "港澳台居民居住证"
	case CardForeign2023:
		return "外国人永久居留身份证（2023版）"
	}
	return fmt.Sprintf("未知证件(%c)", byte(t))
}

// Code is the one-letter type code used in JSON and logs ("" for the resident card).
func (t CardType) Code() string {
	if t == CardResident {
		return "resident"
	}
	return string(rune(t))
}

// Card is what one read gives. Whole values live here only in memory for the session that needs
// them; screens, receipts and logs use the Masked* helpers.
type Card struct {
	Type        CardType
	Name        string // Chinese name
	EnglishName string // foreign permanent residence cards
	SexCode     byte   // '0' unknown, '1' 男, '2' 女, '9' unspecified
	NationCode  string // resident card only
	Nationality string // ISO 3166 alpha-3, foreign cards
	Birth       time.Time
	Address     string
	IDNumber    string // the 18-character number (resident, J, Y) or the permit number (I)
	Authority   string
	ValidFrom   time.Time
	ValidTo     time.Time // zero when LongTerm
	LongTerm    bool      // 长期: no expiry
	PassNumber  string    // J: Hong Kong/Macau/Taiwan pass number
	IssueCount  string    // J: times issued; Y: renewals
	CardVersion string    // I
	OfficeCode  string    // I: issuing office
	OldNumber   string    // Y: link to the old permit number
	Photo       []byte    // 1024 bytes of vendor WLT data, undecoded
}

// Sex gives the sex in Chinese.
func (c *Card) Sex() string {
	switch c.SexCode {
	case '1':
		return "男"
	case '2':
		return "女"
	case '9':
		return "未说明"
	}
	return "未知"
}

// Nation gives the ethnic group in Chinese for a resident card's nation code.
func (c *Card) Nation() string {
	if n, ok := nations[c.NationCode]; ok {
		return n
	}
	return ""
}

// Expired reports whether the card is past its valid-to date on day now (the last day still counts).
func (c *Card) Expired(now time.Time) bool {
	if c.LongTerm || c.ValidTo.IsZero() {
		return false
	}
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return today.After(c.ValidTo)
}

// PhotoDecoder turns the vendor WLT photo into an image; only vendor libraries can, so it is an
// interface the kiosk may be given, never a requirement.
type PhotoDecoder interface {
	DecodeWLT(wlt []byte) (image.Image, error)
}

// ErrTextBlock is a text block that cannot be a card's.
var ErrTextBlock = errors.New("card text block malformed")

// DecodeText decodes the 256-byte text block. A card with a bad ID check digit is returned whole
// together with an error wrapping ErrIDCheckDigit, so a technician can still see what was read.
func DecodeText(block []byte) (Card, error) {
	if len(block) != TextBlockSize {
		return Card{}, fmt.Errorf("%w: %d bytes, want %d", ErrTextBlock, len(block), TextBlockSize)
	}
	f := fields{b: block}
	var c Card
	c.Type = CardType(f.char(248))
	if c.Type == 0 {
		c.Type = CardResident
	}
	switch c.Type {
	case CardResident, CardHKMOTW:
		c.Name = f.str(0, 30)
		c.SexCode = f.char(30)
		if c.Type == CardResident {
			c.NationCode = f.str(32, 4)
		}
		c.Birth = f.date(36)
		c.Address = f.str(52, 70)
		c.IDNumber = f.str(122, 36)
		c.Authority = f.str(158, 30)
		c.ValidFrom = f.date(188)
		c.ValidTo, c.LongTerm = f.validTo(204)
		if c.Type == CardHKMOTW {
			c.PassNumber = f.str(220, 18)
			c.IssueCount = f.str(238, 4)
		}
	case CardForeignOld:
		c.EnglishName = f.str(0, 120)
		c.SexCode = f.char(120)
		c.IDNumber = f.str(122, 30)
		c.Nationality = f.str(152, 6)
		c.Name = f.str(158, 30)
		c.ValidFrom = f.date(188)
		c.ValidTo, c.LongTerm = f.validTo(204)
		c.Birth = f.date(220)
		c.CardVersion = f.str(236, 4)
		c.OfficeCode = f.str(240, 8)
	case CardForeign2023:
		c.Name = f.str(0, 30)
		c.SexCode = f.char(30)
		c.IssueCount = f.str(32, 4)
		c.Birth = f.date(36)
		// The English name runs on at offset 220: join before trimming so a space at the seam stays.
		c.EnglishName = strings.TrimRight(f.raw(52, 70)+f.raw(220, 22), " \x00")
		c.IDNumber = f.str(122, 36)
		c.ValidFrom = f.date(188)
		c.ValidTo, c.LongTerm = f.validTo(204)
		c.Nationality = f.str(242, 6)
		c.OldNumber = f.str(250, 6)
	default:
		return c, fmt.Errorf("%w: unknown card type %q", ErrTextBlock, rune(c.Type))
	}
	if f.err != nil {
		return c, f.err
	}
	if c.Type != CardForeignOld {
		if err := ValidateID(c.IDNumber); err != nil {
			return c, fmt.Errorf("card ID number: %w", err)
		}
	}
	return c, nil
}

// fields reads UCS-2 little-endian, space-padded fields and keeps the first error.
type fields struct {
	b   []byte
	err error
}

func (f *fields) str(off, size int) string { return strings.TrimRight(f.raw(off, size), " \x00") }

func (f *fields) raw(off, size int) string {
	u := make([]uint16, 0, size/2)
	for i := off; i+1 < off+size; i += 2 {
		u = append(u, binary.LittleEndian.Uint16(f.b[i:]))
	}
	return string(utf16.Decode(u))
}

func (f *fields) char(off int) byte {
	v := binary.LittleEndian.Uint16(f.b[off:])
	if v > 0x7F {
		return '?'
	}
	return byte(v)
}

func (f *fields) date(off int) time.Time {
	s := strings.TrimSpace(f.str(off, 16))
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse("20060102", s)
	if err != nil && f.err == nil {
		f.err = fmt.Errorf("%w: date %q at offset %d", ErrTextBlock, s, off)
	}
	return t
}

func (f *fields) validTo(off int) (time.Time, bool) {
	s := strings.TrimSpace(f.str(off, 16))
	if strings.HasPrefix(s, "长期") {
		return time.Time{}, true
	}
	return f.date(off), false
}

var nations = map[string]string{
	"01": "汉", "02": "蒙古", "03": "回", "04": "藏", "05": "维吾尔", "06": "苗", "07": "彝", "08": "壮",
	"09": "布依", "10": "朝鲜", "11": "满", "12": "侗", "13": "瑶", "14": "白", "15": "土家", "16": "哈尼",
	"17": "哈萨克", "18": "傣", "19": "黎", "20": "傈僳", "21": "佤", "22": "畲", "23": "高山", "24": "拉祜",
	"25": "水", "26": "东乡", "27": "纳西", "28": "景颇", "29": "柯尔克孜", "30": "土", "31": "达斡尔",
	"32": "仫佬", "33": "羌", "34": "布朗", "35": "撒拉", "36": "毛南", "37": "仡佬", "38": "锡伯",
	"39": "阿昌", "40": "普米", "41": "塔吉克", "42": "怒", "43": "乌孜别克", "44": "俄罗斯", "45": "鄂温克",
	"46": "德昂", "47": "保安", "48": "裕固", "49": "京", "50": "塔塔尔", "51": "独龙", "52": "鄂伦春",
	"53": "赫哲", "54": "门巴", "55": "珞巴", "56": "基诺", "97": "其他", "98": "外国血统中国籍人士",
}
