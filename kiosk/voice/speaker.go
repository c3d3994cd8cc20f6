package voice

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// Sink plays one clip to its end before it returns.
type Sink interface {
	Play(ctx context.Context, c Clip) error
}

// ALSA plays through aplay (alsa-utils) on an ALSA device: no cgo sound library to build, and the
// same device names a technician tries with `aplay -L`.
type ALSA struct {
	Device string // "default" or a name from aplay -L
}

// Play pipes the clip's WAV to aplay and waits for it to finish.
func (a ALSA) Play(ctx context.Context, c Clip) error {
	dev := a.Device
	if dev == "" {
		dev = "default"
	}
	var errb bytes.Buffer
	cmd := exec.CommandContext(ctx, "aplay", "-q", "-D", dev, "-")
	cmd.Stdin, cmd.Stderr = bytes.NewReader(c.WAV()), &errb
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("aplay on %s: %w (%s)", dev, err, bytes.TrimSpace(errb.Bytes()))
	}
	return nil
}

// WAVDir writes each clip it is given as the next numbered WAV file in a folder, for tests and for a
// technician checking the voice on a machine without speakers (hallkiosk say --wav DIR).
type WAVDir struct {
	Dir string
	mu  sync.Mutex
	n   int
}

// Play writes 001.wav, 002.wav, ...
func (w *WAVDir) Play(_ context.Context, c Clip) error {
	w.mu.Lock()
	w.n++
	name := filepath.Join(w.Dir, fmt.Sprintf("%03d.wav", w.n))
	w.mu.Unlock()
	if err := os.MkdirAll(w.Dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, c.WAV(), 0o644)
}

// Speaker speaks utterances one at a time in the order they were asked for: a second call waits for
// the first to finish and never cuts it off. Asking never blocks (a tap handler or an event stream
// asks); when more than Backlog utterances wait, the newest is dropped with a log line.
type Speaker struct {
	clips *Clips
	sink  Sink
	log   *slog.Logger
	chime Clip
	q     chan utterance
	done  chan struct{}
	stop  context.CancelFunc
	ctx   context.Context
	// Spoken is told after each utterance has played (tests wait on it).
	spoken func(label string, err error)
}

type utterance struct {
	label string
	chime bool
	parts Parts
}

// Backlog is how many utterances may wait.
const Backlog = 32

// NewSpeaker starts the speaker's goroutine; Close ends it.
func NewSpeaker(clips *Clips, sink Sink, log *slog.Logger) *Speaker {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Speaker{clips: clips, sink: sink, log: log, chime: Chime(), q: make(chan utterance, Backlog),
		done: make(chan struct{}), stop: cancel, ctx: ctx}
	go s.run()
	return s
}

// OnSpoken sets a function told after each utterance has played or failed; set it before asking.
func (s *Speaker) OnSpoken(f func(label string, err error)) { s.spoken = f }

// Call says "请 <number> 号到 <window> 号窗口办理" after the chime.
func (s *Speaker) Call(number, window string) error {
	p, err := CallParts(number, window)
	if err != nil {
		return err
	}
	s.enqueue(utterance{label: "call " + number + " window " + window, chime: true, parts: p})
	return nil
}

// Prompt says a prompt of the kiosk's ("请把身份证放在读卡区"), without the chime.
func (s *Speaker) Prompt(text string) error {
	p, err := PromptParts(text)
	if err != nil {
		return err
	}
	s.enqueue(utterance{label: "prompt " + text, parts: p})
	return nil
}

// Warm makes the clips of every fragment a call can need (digits, letters, windows 1-20, the
// fixed words), so the first call of the day is not late by a synthesis.
func (s *Speaker) Warm(ctx context.Context, prefixes string) error {
	frags := Parts{"qing3", "hao4 dao4", "hao4 chuang1 kou3 ban4 li3"}
	frags = append(frags, digits[:]...)
	for _, r := range prefixes {
		if l := letters[r]; l != "" {
			frags = append(frags, l)
		}
	}
	for w := 10; w <= 20; w++ {
		frags = append(frags, Cardinal(w))
	}
	for _, f := range frags {
		if _, err := s.clips.Get(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

func (s *Speaker) enqueue(u utterance) {
	select {
	case <-s.ctx.Done():
	case s.q <- u:
	default:
		s.log.Warn("voice: too many utterances waiting, one dropped", "utterance", u.label)
	}
}

func (s *Speaker) run() {
	defer close(s.done)
	for {
		select {
		case <-s.ctx.Done():
			return
		case u := <-s.q:
			err := s.say(u)
			if err != nil {
				s.log.Error("voice: could not speak", "utterance", u.label, "err", err)
			}
			if s.spoken != nil {
				s.spoken(u.label, err)
			}
		}
	}
}

func (s *Speaker) say(u utterance) error {
	c, err := s.clips.Say(s.ctx, u.label, u.parts)
	if err != nil {
		return err
	}
	if u.chime {
		c = Join(u.label, s.chime, Gap(250), c)
	}
	return s.sink.Play(s.ctx, c)
}

// Close stops speaking (a clip playing is cut: the app is ending) and waits for the goroutine.
func (s *Speaker) Close() {
	s.stop()
	<-s.done
}
