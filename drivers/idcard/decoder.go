package idcard

import (
	"bytes"
	"fmt"
)

// Decoder reassembles frames from bytes that arrive in pieces of any size, skips garbage before a
// preamble, and reports a frame with a bad length or checksum as a *FrameError before moving on to
// the next preamble. It is not safe for concurrent use.
type Decoder struct {
	buf []byte
}

// Write adds bytes read from the port.
func (d *Decoder) Write(p []byte) (int, error) {
	d.buf = append(d.buf, p...)
	return len(p), nil
}

// Buffered is how many bytes wait for the rest of a frame.
func (d *Decoder) Buffered() int { return len(d.buf) }

// Reset drops everything buffered (after a timeout, before a new command).
func (d *Decoder) Reset() { d.buf = d.buf[:0] }

// Next returns the payload of the next complete frame (between LEN and CHK). ok is false when more
// bytes are needed; err is set, with ok true, for a frame that was dropped.
func (d *Decoder) Next() (payload []byte, ok bool, err error) {
	i := bytes.Index(d.buf, Preamble)
	if i < 0 {
		// Keep a tail that could be the start of a preamble split across reads.
		keep := min(len(d.buf), len(Preamble)-1)
		for keep > 0 && !bytes.HasPrefix(Preamble, d.buf[len(d.buf)-keep:]) {
			keep--
		}
		d.buf = append(d.buf[:0], d.buf[len(d.buf)-keep:]...)
		return nil, false, nil
	}
	if i > 0 {
		d.buf = append(d.buf[:0], d.buf[i:]...)
	}
	hdr := len(Preamble) + 2
	if len(d.buf) < hdr {
		return nil, false, nil
	}
	n := int(d.buf[len(Preamble)])<<8 | int(d.buf[len(Preamble)+1])
	if n < 3 || n > MaxFrameLen {
		d.skipPreamble()
		return nil, true, &FrameError{Kind: ErrBadLength, Detail: fmt.Sprintf("LEN %d", n)}
	}
	if len(d.buf) < hdr+n {
		return nil, false, nil
	}
	body := d.buf[len(Preamble) : hdr+n-1] // LEN through last data byte
	want := d.buf[hdr+n-1]
	if got := checksum(body); got != want {
		d.skipPreamble()
		return nil, true, &FrameError{Kind: ErrBadChecksum, Detail: fmt.Sprintf("got %02X, frame says %02X", got, want)}
	}
	payload = append([]byte(nil), d.buf[hdr:hdr+n-1]...)
	d.buf = append(d.buf[:0], d.buf[hdr+n:]...)
	return payload, true, nil
}

// skipPreamble drops the first byte of a bad frame so the search resumes after it; a real frame
// hidden inside a corrupt one is still found.
func (d *Decoder) skipPreamble() { d.buf = append(d.buf[:0], d.buf[1:]...) }
