package idcard

import (
	"bytes"
	"testing"
)

// FuzzDecoder: any byte stream, cut anywhere, never panics, and every frame it returns re-encodes
// to bytes that were in the stream.
func FuzzDecoder(f *testing.F) {
	text, _ := EncodeText(SampleCards()[0])
	f.Add(EncodeResponse(SWSuccess, ReadAnswer(text, make([]byte, 1024))), 7)
	f.Add(EncodeResponse(SWNoCard, nil), 3)
	f.Add(append([]byte{0xAA, 0xAA, 0x01}, EncodeRequest(CmdFindCard)...), 1)
	f.Add(append(append([]byte{}, Preamble...), 0xFF, 0xFF), 2)
	f.Fuzz(func(t *testing.T, stream []byte, cut int) {
		if cut < 0 {
			cut = -cut
		}
		cut %= len(stream) + 1
		var d Decoder
		_, _ = d.Write(stream[:cut])
		p1, _ := drain(&d)
		_, _ = d.Write(stream[cut:])
		p2, _ := drain(&d)
		for _, p := range append(p1, p2...) {
			if !bytes.Contains(stream, frame(p)) {
				t.Fatalf("decoded a frame that was not in the stream: % X", p)
			}
		}
		if d.Buffered() > len(stream) {
			t.Fatal("decoder grew beyond its input")
		}
	})
}

// FuzzDecodeText: any 256 bytes decode or fail cleanly; what decodes re-encodes to a block that
// decodes to the same card.
func FuzzDecodeText(f *testing.F) {
	for _, c := range SampleCards() {
		f.Add(mustEncode(c))
	}
	f.Add(make([]byte, TextBlockSize))
	f.Fuzz(func(t *testing.T, block []byte) {
		c, err := DecodeText(block)
		if err != nil {
			return
		}
		again, err := EncodeText(c)
		if err != nil {
			return // fields with characters that do not survive UCS-2 (e.g. surrogates)
		}
		c2, err := DecodeText(again)
		if err != nil || c2.IDNumber != c.IDNumber || c2.Name != c.Name || c2.Type != c.Type {
			t.Fatalf("round trip changed the card: %v\n%+v\n%+v", err, c, c2)
		}
	})
}
