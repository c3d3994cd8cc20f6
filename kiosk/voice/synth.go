package voice

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// Synth turns tone-numbered pinyin into a clip.
type Synth interface {
	Synth(ctx context.Context, pinyin string) (Clip, error)
	// ID names the voice and its settings: clips of another ID are not the same clips.
	ID() string
}

// Espeak is espeak-ng's cmn-latn-pinyin voice, which reads tone-numbered pinyin correctly (its
// cmn voice reads many Chinese characters wrongly).
type Espeak struct {
	Bin   string // [espeak-ng]
	Voice string // [cmn-latn-pinyin]
	Speed int    // words per minute [140]: slower than its default 175 for a hall with echo
}

func (e Espeak) fill() Espeak {
	if e.Bin == "" {
		e.Bin = "espeak-ng"
	}
	if e.Voice == "" {
		e.Voice = "cmn-latn-pinyin"
	}
	if e.Speed == 0 {
		e.Speed = 140
	}
	return e
}

// ID is the voice and speed.
func (e Espeak) ID() string { e = e.fill(); return fmt.Sprintf("espeak-ng/%s/%d", e.Voice, e.Speed) }

// Synth runs espeak-ng once for the text and reads its WAV from stdout.
func (e Espeak) Synth(ctx context.Context, text string) (Clip, error) {
	e = e.fill()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, e.Bin, "-v", e.Voice, "-s", fmt.Sprint(e.Speed), "--stdout", "--", text)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return Clip{}, fmt.Errorf("espeak-ng %q: %w (%s)", text, err, bytes.TrimSpace(errb.Bytes()))
	}
	c, err := ParseWAV(out.Bytes(), text)
	if err != nil {
		return Clip{}, fmt.Errorf("espeak-ng %q: %w", text, err)
	}
	return c, nil
}

// Clips keeps every fragment a device has said as a WAV file in a folder, so each is made once:
// after the first call of each digit a hall's calls need no espeak-ng at all, and a restart finds
// them again. The folder stays small (a few dozen fragments of a few KB).
type Clips struct {
	synth Synth
	dir   string
	mu    sync.Mutex
	mem   map[string]Clip
}

// NewClips caches synth's fragments in dir (made if missing; "" keeps them in memory only).
func NewClips(synth Synth, dir string) *Clips {
	return &Clips{synth: synth, dir: dir, mem: map[string]Clip{}}
}

// Get is the fragment's clip, trimmed of the quiet at its ends; made and stored on first use.
func (c *Clips) Get(ctx context.Context, text string) (Clip, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.mem[text]; ok {
		return cl, nil
	}
	sum := sha256.Sum256([]byte(c.synth.ID() + "\x00" + text))
	path := ""
	if c.dir != "" {
		path = filepath.Join(c.dir, hex.EncodeToString(sum[:12])+".wav")
		if b, err := os.ReadFile(path); err == nil {
			if cl, err := ParseWAV(b, text); err == nil && !cl.Silent() {
				c.mem[text] = cl
				return cl, nil
			}
			// A damaged or empty file (a power cut while it was written) is made again.
		}
	}
	cl, err := c.synth.Synth(ctx, text)
	if err != nil {
		return Clip{}, err
	}
	cl = cl.Trim()
	if cl.Silent() {
		return Clip{}, fmt.Errorf("voice %s made silence for %q", c.synth.ID(), text)
	}
	if path != "" {
		if err := writeAtomic(path, cl.WAV()); err != nil {
			return Clip{}, fmt.Errorf("keep clip %q: %w", text, err)
		}
	}
	c.mem[text] = cl
	return cl, nil
}

func writeAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".clip-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Say joins the fragments into one clip with short pauses between them.
func (c *Clips) Say(ctx context.Context, label string, parts Parts) (Clip, error) {
	out := []Clip{}
	for i, p := range parts {
		cl, err := c.Get(ctx, p)
		if err != nil {
			return Clip{}, err
		}
		if i > 0 {
			out = append(out, Gap(60))
		}
		out = append(out, cl)
	}
	return Join(label, out...), nil
}
