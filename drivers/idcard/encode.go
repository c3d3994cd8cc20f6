package idcard

import (
	"encoding/binary"
	"fmt"
	"unicode/utf16"
)

// EncodeText lays a card out as the reader's 256-byte text block; the simulator answers reads
// with it, so it follows the same layouts DecodeText reads.
func EncodeText(c Card) ([]byte, error) {
	w := writer{b: make([]byte, TextBlockSize)}
	for i := 0; i < TextBlockSize; i += 2 { // space padded
		binary.LittleEndian.PutUint16(w.b[i:], ' ')
	}
	date := func(off int, t interface{ Format(string) string }, zero bool) {
		if !zero {
			w.str(off, 16, t.Format("20060102"))
		}
	}
	validTo := func(off int) {
		if c.LongTerm {
			w.str(off, 16, "长期")
		} else {
			date(off, c.ValidTo, c.ValidTo.IsZero())
		}
	}
	sex := string(rune(c.SexCode))
	if c.SexCode == 0 {
		sex = "0"
	}
	switch c.Type {
	case CardResident, 0, CardHKMOTW:
		w.str(0, 30, c.Name)
		w.str(30, 2, sex)
		if c.Type != CardHKMOTW {
			w.str(32, 4, c.NationCode)
		}
		date(36, c.Birth, c.Birth.IsZero())
		w.str(52, 70, c.Address)
		w.str(122, 36, c.IDNumber)
		w.str(158, 30, c.Authority)
		date(188, c.ValidFrom, c.ValidFrom.IsZero())
		validTo(204)
		if c.Type == CardHKMOTW {
			w.str(220, 18, c.PassNumber)
			w.str(238, 4, c.IssueCount)
			w.str(248, 2, "J")
		}
	case CardForeignOld:
		w.str(0, 120, c.EnglishName)
		w.str(120, 2, sex)
		w.str(122, 30, c.IDNumber)
		w.str(152, 6, c.Nationality)
		w.str(158, 30, c.Name)
		date(188, c.ValidFrom, c.ValidFrom.IsZero())
		validTo(204)
		date(220, c.Birth, c.Birth.IsZero())
		w.str(236, 4, c.CardVersion)
		w.str(240, 8, c.OfficeCode)
		w.str(248, 2, "I")
	case CardForeign2023:
		w.str(0, 30, c.Name)
		w.str(30, 2, sex)
		w.str(32, 4, c.IssueCount)
		date(36, c.Birth, c.Birth.IsZero())
		en := []rune(c.EnglishName)
		w.str(52, 70, string(en[:min(len(en), 35)]))
		if len(en) > 35 {
			w.str(220, 22, string(en[35:]))
		}
		w.str(122, 36, c.IDNumber)
		date(188, c.ValidFrom, c.ValidFrom.IsZero())
		validTo(204)
		w.str(242, 6, c.Nationality)
		w.str(248, 2, "Y")
		w.str(250, 6, c.OldNumber)
	default:
		return nil, fmt.Errorf("encode card: unknown type %q", rune(c.Type))
	}
	return w.b, w.err
}

type writer struct {
	b   []byte
	err error
}

func (w *writer) str(off, size int, s string) {
	u := utf16.Encode([]rune(s))
	if len(u)*2 > size {
		if w.err == nil {
			w.err = fmt.Errorf("encode card: %q does not fit %d bytes at offset %d", s, size, off)
		}
		u = u[:size/2]
	}
	for i, v := range u {
		binary.LittleEndian.PutUint16(w.b[off+2*i:], v)
	}
}

// ReadAnswer builds the data of a successful read (30 01) answer: text length, photo length, the
// text block and the photo, as the reader sends them.
func ReadAnswer(text, photo []byte) []byte {
	out := make([]byte, 0, 4+len(text)+len(photo))
	out = binary.BigEndian.AppendUint16(out, uint16(len(text)))
	out = binary.BigEndian.AppendUint16(out, uint16(len(photo)))
	out = append(out, text...)
	return append(out, photo...)
}

// ParseReadAnswer splits a read answer into the text block and the photo.
func ParseReadAnswer(data []byte) (text, photo []byte, err error) {
	if len(data) < 4 {
		return nil, nil, fmt.Errorf("%w: read answer of %d bytes", ErrTextBlock, len(data))
	}
	tl, pl := int(binary.BigEndian.Uint16(data)), int(binary.BigEndian.Uint16(data[2:]))
	if len(data) < 4+tl+pl {
		return nil, nil, fmt.Errorf("%w: read answer says %d+%d bytes, has %d", ErrTextBlock, tl, pl, len(data)-4)
	}
	return data[4 : 4+tl], data[4+tl : 4+tl+pl], nil
}
