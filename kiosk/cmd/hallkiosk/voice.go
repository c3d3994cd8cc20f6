package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"hallkiosk/kiosk/config"
	"hallkiosk/kiosk/queue"
	"hallkiosk/kiosk/queue/hall"
	"hallkiosk/kiosk/text"
	"hallkiosk/kiosk/voice"
)

// startVoice makes this device's speaker when [voice] asks for one: it speaks every call of the
// hall's queue ([voice] calls) and gives the kiosk its spoken prompts ([voice] prompts). The clips
// of every call fragment are made in the background at start, so the first call is not late.
func startVoice(ctx context.Context, cfg *config.Config, strs *text.Strings, hq *hall.Client, log *slog.Logger) *voice.Speaker {
	if !cfg.Voice.Calls && !cfg.Voice.Prompts {
		return nil
	}
	sp := voice.NewSpeaker(voice.NewClips(voice.Espeak{}, cfg.Voice.Clips), voice.ALSA{Device: cfg.Voice.Device}, log)
	go func() {
		<-ctx.Done()
		sp.Close()
	}()
	go func() {
		if err := sp.Warm(ctx, prefixes(strs)); err != nil {
			log.Error("voice: the clips could not be made (is espeak-ng installed?)", "err", err)
		}
	}()
	if cfg.Voice.Calls {
		if hq == nil {
			log.Warn("voice.calls is on, but this device has no hall queue to hear calls from")
		} else {
			go hq.Subscribe(ctx, func(e queue.Event) {
				if e.Call != nil {
					if err := sp.Call(e.Call.Number, e.Call.Window); err != nil {
						log.Warn("voice: call not spoken", "err", err)
					}
				}
			}, nil)
		}
	}
	return sp
}

// prefixes are the ticket letters of the hall's businesses (A, B, C, ...).
func prefixes(strs *text.Strings) string {
	s := ""
	for _, b := range strs.Lists.Businesses {
		if p, err := queue.PrefixOf(strs.Lists.Businesses, b); err == nil {
			s += p
		}
	}
	return s
}

const sayUsage = `hallkiosk say - check this device's voice

Usage:
  hallkiosk say [--config FILE] [--wav DIR] [--call A012 --window 1 | --prompt 请取走回执]

Speaks one call (default: A012 at window 1) or one prompt through [voice] device, or writes it to
DIR/001.wav with --wav (for a machine without speakers). Makes and keeps the clips in [voice] clips.
`

// sayCmd speaks one utterance and exits: the technician's check of the speakers and the voice.
func sayCmd(args []string) int {
	fs := flag.NewFlagSet("hallkiosk say", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, sayUsage); fs.PrintDefaults() }
	configPath := fs.String("config", "", "configuration file (TOML)")
	demo := fs.Bool("demo", false, "use the demo's files in ./.demo/")
	wav := fs.String("wav", "", "write the utterance to DIR/001.wav instead of playing it")
	number := fs.String("call", "A012", "the ticket number to call")
	window := fs.String("window", "1", "the window to call it to")
	prompt := fs.String("prompt", "", "say this prompt (Chinese characters) instead of a call")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := loadConfig(options{configPath: *configPath, demo: *demo})
	if err != nil {
		fmt.Fprintln(os.Stderr, "hallkiosk say:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var sink voice.Sink = voice.ALSA{Device: cfg.Voice.Device}
	if *wav != "" {
		sink = &voice.WAVDir{Dir: *wav}
	}
	sp := voice.NewSpeaker(voice.NewClips(voice.Espeak{}, cfg.Voice.Clips), sink, log)
	defer sp.Close()
	done := make(chan error, 1)
	sp.OnSpoken(func(_ string, err error) { done <- err })
	if *prompt != "" {
		err = sp.Prompt(*prompt)
	} else {
		err = sp.Call(*number, *window)
	}
	if err == nil {
		select {
		case err = <-done:
		case <-time.After(time.Minute):
			err = fmt.Errorf("nothing spoken within a minute")
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hallkiosk say:", err)
		return 1
	}
	return 0
}
