// Package voice speaks the hall's calls ("请 A012 号到 1 号窗口办理") and the kiosk's key prompts in
// Mandarin, offline: clips made by espeak-ng's cmn-latn-pinyin voice from tone-numbered pinyin,
// cached on disk, a chime before every call, and one utterance at a time through a Sink.
package voice

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Rate is the sample rate of every clip: espeak-ng's own, so its output needs no resampling.
const Rate = 22050

// Clip is mono 16-bit PCM at Rate, with the text it says (for logs and tests; never personal data:
// calls carry ticket numbers and window numbers only).
type Clip struct {
	Label   string
	Samples []int16
}

// Duration is how long the clip plays, in seconds.
func (c Clip) Duration() float64 { return float64(len(c.Samples)) / Rate }

// RMS is the clip's loudness on the 0..32767 scale; a clip of digital silence has 0.
func (c Clip) RMS() float64 {
	if len(c.Samples) == 0 {
		return 0
	}
	var sum float64
	for _, s := range c.Samples {
		sum += float64(s) * float64(s)
	}
	return math.Sqrt(sum / float64(len(c.Samples)))
}

// Silent says whether no 50 ms stretch of the clip is louder than a whisper: a clip that would
// play as nothing (an empty synthesis, a broken cache file).
func (c Clip) Silent() bool {
	const win = Rate / 20
	for i := 0; i < len(c.Samples); i += win {
		part := Clip{Samples: c.Samples[i:min(i+win, len(c.Samples))]}
		if part.RMS() > 300 {
			return false
		}
	}
	return true
}

// Trim cuts the quiet at both ends (espeak-ng pads its output), keeping 20 ms of it, so clips joined
// one after another do not stutter.
func (c Clip) Trim() Clip {
	const quiet, keep = 200, Rate / 50
	first, last := -1, -1
	for i, s := range c.Samples {
		if s > quiet || s < -quiet {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return Clip{Label: c.Label}
	}
	from, to := max(0, first-keep), min(len(c.Samples), last+keep+1)
	return Clip{Label: c.Label, Samples: append([]int16(nil), c.Samples[from:to]...)}
}

// Gap is a clip of silence of the given milliseconds.
func Gap(ms int) Clip { return Clip{Samples: make([]int16, Rate*ms/1000)} }

// Join plays clips one after another as one clip labelled label.
func Join(label string, parts ...Clip) Clip {
	n := 0
	for _, p := range parts {
		n += len(p.Samples)
	}
	out := Clip{Label: label, Samples: make([]int16, 0, n)}
	for _, p := range parts {
		out.Samples = append(out.Samples, p.Samples...)
	}
	return out
}

// WAV is the clip as a RIFF/WAVE file (PCM, mono, 16-bit, Rate).
func (c Clip) WAV() []byte {
	var b bytes.Buffer
	data := len(c.Samples) * 2
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+data))
	b.WriteString("WAVEfmt ")
	binary.Write(&b, binary.LittleEndian, struct {
		Size             uint32
		Format, Channels uint16
		Rate, ByteRate   uint32
		Align, Bits      uint16
	}{16, 1, 1, Rate, Rate * 2, 2, 16})
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(data))
	binary.Write(&b, binary.LittleEndian, c.Samples)
	return b.Bytes()
}

// ErrNotWAV is a file that is not the PCM WAV this package reads.
var ErrNotWAV = errors.New("not a mono 16-bit PCM WAV at 22050 Hz")

// ParseWAV reads a WAV file of the format WAV writes. espeak-ng writes its length fields as
// 0x7fffffff when it writes to a pipe, so the data runs to the end of the file whatever they say.
func ParseWAV(b []byte, label string) (Clip, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return Clip{}, fmt.Errorf("%w: no RIFF/WAVE header", ErrNotWAV)
	}
	r := bytes.NewReader(b[12:])
	var fmtOK bool
	for {
		var id [4]byte
		var size uint32
		if _, err := io.ReadFull(r, id[:]); err != nil {
			return Clip{}, fmt.Errorf("%w: no data chunk", ErrNotWAV)
		}
		if err := binary.Read(r, binary.LittleEndian, &size); err != nil {
			return Clip{}, fmt.Errorf("%w: truncated chunk %q", ErrNotWAV, id)
		}
		switch string(id[:]) {
		case "fmt ":
			var f struct {
				Format, Channels uint16
				Rate, ByteRate   uint32
				Align, Bits      uint16
			}
			if err := binary.Read(r, binary.LittleEndian, &f); err != nil {
				return Clip{}, fmt.Errorf("%w: truncated fmt chunk", ErrNotWAV)
			}
			if f.Format != 1 || f.Channels != 1 || f.Bits != 16 || f.Rate != Rate {
				return Clip{}, fmt.Errorf("%w: format %d, %d channels, %d bits, %d Hz", ErrNotWAV, f.Format, f.Channels, f.Bits, f.Rate)
			}
			fmtOK = true
			if size > 16 {
				r.Seek(int64(size-16), io.SeekCurrent)
			}
		case "data":
			if !fmtOK {
				return Clip{}, fmt.Errorf("%w: data before fmt", ErrNotWAV)
			}
			n := min(int64(size), int64(r.Len())) / 2
			s := make([]int16, n)
			if err := binary.Read(r, binary.LittleEndian, s); err != nil {
				return Clip{}, fmt.Errorf("%w: %v", ErrNotWAV, err)
			}
			return Clip{Label: label, Samples: s}, nil
		default:
			if _, err := r.Seek(int64(size+size%2), io.SeekCurrent); err != nil {
				return Clip{}, fmt.Errorf("%w: chunk %q", ErrNotWAV, id)
			}
		}
	}
}

// Chime is the two-note "ding-dong" played before every call so people look up: 660 Hz then
// 523 Hz, each fading out, made here rather than shipped as a file.
func Chime() Clip {
	note := func(freq float64, secs float64) []int16 {
		n := int(secs * Rate)
		s := make([]int16, n)
		for i := range s {
			t := float64(i) / Rate
			env := math.Exp(-3.5*t) * math.Min(1, t*200) // 5 ms attack, then a bell's fade
			v := 0.6*math.Sin(2*math.Pi*freq*t) + 0.2*math.Sin(2*math.Pi*2*freq*t)
			s[i] = int16(v * env * 14000)
		}
		return s
	}
	c := Clip{Label: "chime"}
	c.Samples = append(note(660, 0.45), note(523, 0.75)...)
	return c
}
