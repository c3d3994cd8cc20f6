package voice

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hallkiosk/kiosk/text"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestCallIsReadDigitByDigitAndTheWindowAsANumber(t *testing.T) {
	p, err := CallParts("A012", "1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(p, " "), "qing3 ei1 ling2 yi1 er4 hao4 dao4 yi1 hao4 chuang1 kou3 ban4 li3"; got != want {
		t.Errorf("A012 at window 1:\n got %s\nwant %s", got, want)
	}
	p, _ = CallParts("B1003", "12")
	if got := strings.Join(p, " "); !strings.Contains(got, "bi4 yi1 ling2 ling2 san1 hao4 dao4 shi2 er4 hao4") {
		t.Errorf("B1003 at window 12: %s", got)
	}
	for n, want := range map[int]string{2: "er4", 10: "shi2", 15: "shi2 wu3", 20: "er4 shi2", 37: "san1 shi2 qi1"} {
		if got := Cardinal(n); got != want {
			t.Errorf("Cardinal(%d) = %s, want %s", n, got, want)
		}
	}
	for _, bad := range [][2]string{{"", "1"}, {"A-12", "1"}, {"A012", "x"}, {"A012", "0"}, {"A012", "100"}} {
		if _, err := CallParts(bad[0], bad[1]); err == nil {
			t.Errorf("CallParts(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestKioskPromptsReadRightly(t *testing.T) {
	for text, want := range map[string]string{
		"请把身份证放在读卡区": "qing3 ba3 shen1 fen4 zheng4 fang4 zai4 du2 ka3 qu1",
		"请取走回执":      "qing3 qu3 zou3 hui2 zhi2",
		"请取走回执，谢谢":   "qing3 qu3 zou3 hui2 zhi2|xie4 xie4",
	} {
		p, err := PromptParts(text)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(p, "|"); got != want {
			t.Errorf("%s:\n got %s\nwant %s", text, got, want)
		}
	}
	if _, err := PromptParts("请按 OK"); err == nil {
		t.Error("latin letters in a prompt accepted")
	}
}

func TestWAVRoundTripAndStreamedHeader(t *testing.T) {
	c := Chime()
	back, err := ParseWAV(c.WAV(), "x")
	if err != nil || len(back.Samples) != len(c.Samples) || back.Samples[1000] != c.Samples[1000] {
		t.Fatalf("round trip: %v, %d samples of %d", err, len(back.Samples), len(c.Samples))
	}
	// espeak-ng writing to a pipe puts 0x7fffffff in the length fields.
	b := c.WAV()
	copy(b[40:44], []byte{0xff, 0xff, 0xff, 0x7f})
	if back, err := ParseWAV(b, "x"); err != nil || len(back.Samples) != len(c.Samples) {
		t.Errorf("streamed header: %v, %d samples", err, len(back.Samples))
	}
	for _, bad := range [][]byte{nil, []byte("RIFF....WAVEdata"), Clip{}.WAV()[:30]} {
		if _, err := ParseWAV(bad, "x"); !errors.Is(err, ErrNotWAV) {
			t.Errorf("ParseWAV(%q) = %v", bad, err)
		}
	}
	if !Gap(500).Silent() || c.Silent() {
		t.Error("Silent is wrong about a gap or the chime")
	}
	if tr := Join("", Gap(300), c, Gap(300)).Trim(); tr.Duration() > c.Duration()+0.05 {
		t.Errorf("Trim kept %.2fs around a %.2fs clip", tr.Duration(), c.Duration())
	}
}

// tones is a synth that makes a different tone for every text, quickly, and counts its work.
type tones struct {
	mu    sync.Mutex
	made  []string
	fail  bool
	quiet bool
}

func (s *tones) ID() string { return "tones" }
func (s *tones) Synth(_ context.Context, text string) (Clip, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return Clip{}, errors.New("no synth here")
	}
	s.made = append(s.made, text)
	c := Clip{Label: text, Samples: make([]int16, Rate/5)}
	if !s.quiet {
		f := 200 + float64(len(s.made))*37
		for i := range c.Samples {
			c.Samples[i] = int16(8000 * math.Sin(2*math.Pi*f*float64(i)/Rate))
		}
	}
	return c, nil
}

// gate is a sink that holds each clip until the test lets it finish, and notes overlaps.
type gate struct {
	mu      sync.Mutex
	playing int
	overlap bool
	started chan string
	release chan struct{}
	played  []Clip
}

func (g *gate) Play(ctx context.Context, c Clip) error {
	g.mu.Lock()
	g.playing++
	if g.playing > 1 {
		g.overlap = true
	}
	g.mu.Unlock()
	g.started <- c.Label
	select {
	case <-g.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	g.mu.Lock()
	g.playing--
	g.played = append(g.played, c)
	g.mu.Unlock()
	return nil
}

func TestCallsAreSpokenOneAtATimeInOrder(t *testing.T) {
	g := &gate{started: make(chan string, 8), release: make(chan struct{})}
	sp := NewSpeaker(NewClips(&tones{}, ""), g, quiet())
	defer sp.Close()
	done := make(chan string, 8)
	sp.OnSpoken(func(l string, err error) {
		if err != nil {
			t.Error(err)
		}
		done <- l
	})
	if err := sp.Call("A001", "1"); err != nil {
		t.Fatal(err)
	}
	if got := <-g.started; got != "call A001 window 1" {
		t.Fatalf("first played %q", got)
	}
	// Two more calls while the first is still playing: neither starts, neither cuts it off.
	sp.Call("A002", "2")
	sp.Prompt("请取走回执")
	select {
	case l := <-g.started:
		t.Fatalf("%q started while the first call played", l)
	default:
	}
	var order []string
	for range 3 {
		g.release <- struct{}{}
		order = append(order, <-done)
		if len(order) < 3 {
			<-g.started
		}
	}
	if got := strings.Join(order, ", "); got != "call A001 window 1, call A002 window 2, prompt 请取走回执" {
		t.Errorf("order: %s", got)
	}
	if g.overlap {
		t.Error("two clips played at once")
	}
	chime := Chime()
	for i, c := range g.played {
		hasChime := len(c.Samples) > len(chime.Samples) && c.Samples[len(chime.Samples)/2] == chime.Samples[len(chime.Samples)/2]
		if hasChime != (i < 2) {
			t.Errorf("%s: chime %v", c.Label, hasChime)
		}
		if c.Silent() {
			t.Errorf("%s is silence", c.Label)
		}
	}
}

func TestABusySpeakerDropsTheNewestNotTheCaller(t *testing.T) {
	g := &gate{started: make(chan string, Backlog+8), release: make(chan struct{})}
	sp := NewSpeaker(NewClips(&tones{}, ""), g, quiet())
	defer sp.Close()
	sp.Call("A001", "1")
	<-g.started
	returned := make(chan struct{})
	go func() {
		for range Backlog + 5 {
			sp.Call("A002", "1")
		}
		close(returned)
	}()
	<-returned // would hang if asking blocked while the speaker is busy
}

func TestClipsAreMadeOnceAndKept(t *testing.T) {
	dir := t.TempDir()
	s := &tones{}
	c := NewClips(s, dir)
	ctx := context.Background()
	a, err := c.Say(ctx, "x", Parts{"yi1", "er4", "yi1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.made) != 2 || a.Silent() {
		t.Errorf("made %v for yi1 er4 yi1", s.made)
	}
	// A new process with no synth left finds the clips on disk; a damaged file is made again.
	files, _ := filepath.Glob(filepath.Join(dir, "*.wav"))
	if len(files) != 2 {
		t.Fatalf("%d files kept", len(files))
	}
	if _, err := NewClips(&tones{fail: true}, dir).Say(ctx, "x", Parts{"yi1", "er4"}); err != nil {
		t.Errorf("kept clips not used: %v", err)
	}
	os.WriteFile(files[0], []byte("RIFF"), 0o644)
	s2 := &tones{}
	if _, err := NewClips(s2, dir).Say(ctx, "x", Parts{"yi1", "er4"}); err != nil || len(s2.made) != 1 {
		t.Errorf("damaged clip: %v, made %v", err, s2.made)
	}
	if _, err := NewClips(&tones{quiet: true}, "").Get(ctx, "san1"); err == nil {
		t.Error("a synth that made silence was accepted")
	}
}

// The real voice: espeak-ng's cmn-latn-pinyin, through the cache, into WAV files in order. make
// test installs espeak-ng (build/setup.sh).
func TestEspeakSpeaksTheCallsInOrder(t *testing.T) {
	dir := t.TempDir()
	sink := &WAVDir{Dir: filepath.Join(dir, "out")}
	sp := NewSpeaker(NewClips(Espeak{}, filepath.Join(dir, "clips")), sink, quiet())
	defer sp.Close()
	done := make(chan string, 4)
	sp.OnSpoken(func(l string, err error) {
		if err != nil {
			t.Error(err)
		}
		done <- l
	})
	sp.Call("A012", "1")
	sp.Call("B003", "12")
	sp.Prompt("请把身份证放在读卡区")
	for _, want := range []string{"call A012 window 1", "call B003 window 12", "prompt 请把身份证放在读卡区"} {
		select {
		case got := <-done:
			if got != want {
				t.Fatalf("spoke %q, want %q", got, want)
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("%q not spoken within a minute", want)
		}
	}
	chime := Chime()
	for i, minSecs := range []float64{3, 3.5, 1.5} {
		b, err := os.ReadFile(filepath.Join(sink.Dir, []string{"001.wav", "002.wav", "003.wav"}[i]))
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseWAV(b, "")
		if err != nil {
			t.Fatal(err)
		}
		if c.Duration() < minSecs || c.Duration() > 12 {
			t.Errorf("utterance %d lasts %.1fs", i+1, c.Duration())
		}
		if i < 2 && c.Samples[len(chime.Samples)/2] != chime.Samples[len(chime.Samples)/2] {
			t.Errorf("call %d does not start with the chime", i+1)
		}
	}
	// Every fragment is a kept clip with sound in it.
	clips, _ := filepath.Glob(filepath.Join(dir, "clips", "*.wav"))
	if len(clips) < 10 {
		t.Errorf("%d fragments kept", len(clips))
	}
	for _, f := range clips {
		b, _ := os.ReadFile(f)
		if c, err := ParseWAV(b, f); err != nil || c.Silent() {
			t.Errorf("%s: %v, silent %v", f, err, c.Silent())
		}
	}
}

// Every prompt the kiosk may speak can be read by the voice.
func TestTheKiosksPromptsAreSpeakable(t *testing.T) {
	s, err := text.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{s.Voice.CardPlace, s.Voice.TakeReceipt, s.Voice.TakeTicket} {
		if _, err := PromptParts(p); err != nil || p == "" {
			t.Errorf("prompt %q: %v", p, err)
		}
	}
}
