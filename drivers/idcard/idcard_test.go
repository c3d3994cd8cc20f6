package idcard

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// TestRequestFramesMatchTheReference checks each command byte for byte against devices.md.
func TestRequestFramesMatchTheReference(t *testing.T) {
	cases := []struct {
		cmd  [2]byte
		data []byte
		want string
	}{
		{CmdResetSAM, nil, "AA AA AA 96 69 00 03 10 FF EC"},
		{CmdSAMStatus, nil, "AA AA AA 96 69 00 03 11 FF ED"},
		{CmdSAMID, nil, "AA AA AA 96 69 00 03 12 FF EE"},
		{CmdFindCard, nil, "AA AA AA 96 69 00 03 20 01 22"},
		{CmdSelectCard, nil, "AA AA AA 96 69 00 03 20 02 21"},
		{CmdReadText, nil, "AA AA AA 96 69 00 03 30 01 32"},
		{CmdReadAddress, nil, "AA AA AA 96 69 00 03 30 03 30"},
		{CmdReadFinger, nil, "AA AA AA 96 69 00 03 30 10 23"},
		{CmdSetMaxRFByte, []byte{0x50}, "AA AA AA 96 69 00 04 61 FF 50 CA"},
	}
	for _, c := range cases {
		if got := EncodeRequest(c.cmd, c.data...); !bytes.Equal(got, unhex(c.want)) {
			t.Errorf("%X: got % X, want %s", c.cmd, got, c.want)
		}
	}
}

func TestResponseFramesMatchTheReference(t *testing.T) {
	cases := []struct {
		sw3  byte
		data []byte
		want string
	}{
		{SWSuccess, nil, "AA AA AA 96 69 00 04 00 00 90 94"},
		{SWFindOK, []byte{0, 0, 0, 0}, "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"},
		{SWNoCard, nil, "AA AA AA 96 69 00 04 00 00 80 84"},
		{SWSuccess, make([]byte, 8), "AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C"},
		{SWSelectFailed, nil, "AA AA AA 96 69 00 04 00 00 81 85"},
		{SWReadFailed, nil, "AA AA AA 96 69 00 04 00 00 41 45"},
	}
	for _, c := range cases {
		if got := EncodeResponse(c.sw3, c.data); !bytes.Equal(got, unhex(c.want)) {
			t.Errorf("SW3 %02X: got % X, want %s", c.sw3, got, c.want)
		}
	}
	text, _ := EncodeText(SampleCards()[0])
	read := EncodeResponse(SWSuccess, ReadAnswer(text, make([]byte, 1024)))
	if len(read) != 1295 || read[5] != 0x05 || read[6] != 0x08 {
		t.Errorf("read answer is %d bytes with LEN % X, want 1295 and 05 08", len(read), read[5:7])
	}
}

func drain(d *Decoder) (payloads [][]byte, errs []error) {
	for {
		p, ok, err := d.Next()
		if !ok {
			return
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		payloads = append(payloads, p)
	}
}

// TestDecoderSplitAtEveryPosition feeds two frames in two pieces cut at every byte.
func TestDecoderSplitAtEveryPosition(t *testing.T) {
	text, _ := EncodeText(SampleCards()[1])
	a := EncodeResponse(SWFindOK, []byte{0, 0, 0, 0})
	b := EncodeResponse(SWSuccess, ReadAnswer(text, bytes.Repeat([]byte{0x5A}, 1024)))
	stream := append(append([]byte{}, a...), b...)
	for cut := 0; cut <= len(stream); cut++ {
		var d Decoder
		_, _ = d.Write(stream[:cut])
		p1, e1 := drain(&d)
		_, _ = d.Write(stream[cut:])
		p2, e2 := drain(&d)
		got := append(p1, p2...)
		if len(e1)+len(e2) > 0 || len(got) != 2 {
			t.Fatalf("cut %d: %d frames, errors %v %v", cut, len(got), e1, e2)
		}
		r, _ := ParseResponse(got[1])
		tb, _, err := ParseReadAnswer(r.Data)
		if err != nil || !bytes.Equal(tb, text) {
			t.Fatalf("cut %d: read answer damaged: %v", cut, err)
		}
	}
}

func TestDecoderOneByteAtATime(t *testing.T) {
	frame := EncodeResponse(SWNoCard, nil)
	var d Decoder
	var got [][]byte
	for _, c := range append(append([]byte{0x00, 0xAA, 0x13}, frame...), frame...) {
		_, _ = d.Write([]byte{c})
		p, _ := drain(&d)
		got = append(got, p...)
	}
	if len(got) != 2 || d.Buffered() != 0 {
		t.Fatalf("got %d frames, %d bytes left", len(got), d.Buffered())
	}
}

func TestDecoderResyncsAfterGarbageAndBadFrames(t *testing.T) {
	good := EncodeResponse(SWSuccess, nil)
	badSum := EncodeResponse(SWSuccess, []byte{1, 2, 3})
	badSum[len(badSum)-1] ^= 0xFF
	badLen := append(append([]byte{}, Preamble...), 0xFF, 0xFF, 0x00)
	garbage := []byte{0x01, 0xAA, 0xAA, 0x96, 0xAA, 0xAA, 0xAA, 0x96, 0x00}
	var stream []byte
	for _, part := range [][]byte{garbage, good, badSum, garbage, badLen, good} {
		stream = append(stream, part...)
	}
	var d Decoder
	_, _ = d.Write(stream)
	payloads, errs := drain(&d)
	if len(payloads) != 2 {
		t.Errorf("recovered %d good frames, want 2", len(payloads))
	}
	var sawSum, sawLen bool
	for _, e := range errs {
		var fe *FrameError
		if !errors.As(e, &fe) {
			t.Errorf("error %v is not a *FrameError", e)
		}
		sawSum = sawSum || errors.Is(e, ErrBadChecksum)
		sawLen = sawLen || errors.Is(e, ErrBadLength)
	}
	if !sawSum || !sawLen {
		t.Errorf("errors %v: want a checksum and a length error", errs)
	}
}

func TestEveryStatusHasMessages(t *testing.T) {
	for sw3 := 0; sw3 < 256; sw3++ {
		err := StatusFor(byte(sw3))
		if byte(sw3) == SWSuccess || byte(sw3) == SWFindOK {
			if err != nil {
				t.Errorf("%02X is success", sw3)
			}
			continue
		}
		var se *StatusError
		if !errors.As(err, &se) || se.Log == "" || se.Problem == ProblemNone || se.SW3 != byte(sw3) {
			t.Fatalf("%02X: %#v", sw3, err)
		}
	}
	if e := StatusFor(SWNoCard).(*StatusError); e.Problem != ProblemNoCard {
		t.Errorf("80 means %v", e.Problem)
	}
	if !errors.Is(StatusFor(SWReadFailed), &StatusError{SW3: SWReadFailed}) {
		t.Error("errors.Is by code")
	}
}

func TestEveryCardTypeRoundTrips(t *testing.T) {
	for _, want := range SampleCards() {
		block, err := EncodeText(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeText(block)
		if err != nil {
			t.Fatalf("%s: %v", want.Type, err)
		}
		want.Photo = nil
		if got.Name != want.Name || got.IDNumber != want.IDNumber || got.Type != want.Type ||
			!got.Birth.Equal(want.Birth) || got.LongTerm != want.LongTerm || !got.ValidTo.Equal(want.ValidTo) ||
			got.Address != want.Address || got.EnglishName != want.EnglishName || got.Nationality != want.Nationality ||
			got.PassNumber != want.PassNumber || got.SexCode != want.SexCode {
			t.Errorf("%s:\n got %+v\nwant %+v", want.Type, got, want)
		}
	}
	c, _ := DecodeText(mustEncode(SampleCards()[0]))
	if c.Sex() != "男" || c.Nation() != "汉" || !c.LongTerm || c.Expired(time.Now().AddDate(50, 0, 0)) {
		t.Errorf("resident card fields: %s %s %v", c.Sex(), c.Nation(), c.LongTerm)
	}
}

func mustEncode(c Card) []byte {
	b, err := EncodeText(c)
	if err != nil {
		panic(err)
	}
	return b
}

func TestExpiry(t *testing.T) {
	c := Card{ValidTo: day("20250101")}
	if c.Expired(time.Date(2025, 1, 1, 23, 0, 0, 0, time.Local)) {
		t.Error("the last valid day counts as valid")
	}
	if !c.Expired(time.Date(2025, 1, 2, 8, 0, 0, 0, time.Local)) {
		t.Error("the day after is expired")
	}
}

func TestBadIDCheckDigitReported(t *testing.T) {
	c := SampleCards()[0]
	c.IDNumber = c.IDNumber[:17] + map[bool]string{true: "1", false: "2"}[c.IDNumber[17] != '1']
	got, err := DecodeText(mustEncode(c))
	if !errors.Is(err, ErrIDCheckDigit) || got.Name != c.Name {
		t.Errorf("err %v, card still decoded: %q", err, got.Name)
	}
}

func TestValidateID(t *testing.T) {
	for id, want := range map[string]error{
		"11010519491231002X": nil, // published example
		"11010519491231002x": nil,
		"110105194912310021": ErrIDCheckDigit,
		"11010519491331002X": ErrIDCheckDigit, // month 13 changes the sum
		"1101051949123100":   ErrIDFormat,
		"11010519491231A02X": ErrIDFormat,
	} {
		if err := ValidateID(id); !errors.Is(err, want) && !(want == nil && err == nil) {
			t.Errorf("ValidateID(%s) = %v, want %v", id, err, want)
		}
	}
	bad := withCheck("11010519491340002")
	if err := ValidateID(bad); !errors.Is(err, ErrIDBirthDate) {
		t.Errorf("impossible birth date: %v", err)
	}
}

func TestDatesToleratePaddingAndRejectJunk(t *testing.T) {
	block := mustEncode(SampleCards()[1])
	w := writer{b: block}
	w.str(36, 16, "1988xx29")
	if _, err := DecodeText(block); !errors.Is(err, ErrTextBlock) {
		t.Errorf("junk birth date: %v", err)
	}
	if _, err := DecodeText(block[:200]); !errors.Is(err, ErrTextBlock) {
		t.Errorf("short block: %v", err)
	}
}
