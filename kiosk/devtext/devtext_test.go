package devtext

import (
	"context"
	"fmt"
	"testing"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/kiosk/text"
)

func TestEveryReaderStatusHasASentence(t *testing.T) {
	s, err := text.Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for sw := 0; sw < 256; sw++ {
		err := idcard.StatusFor(byte(sw))
		if err == nil {
			continue
		}
		msg := Card(s, fmt.Errorf("read: %w", err))
		if msg == "" {
			t.Errorf("SW3 %02X has no sentence", sw)
		}
		seen[msg] = true
	}
	if Card(s, idcard.StatusFor(idcard.SWNoCard)) != "请将身份证放在读卡区" {
		t.Error("no card: wrong sentence")
	}
	if Card(s, context.DeadlineExceeded) != s.Apply.CardRetry {
		t.Error("timeout: wrong sentence")
	}
	if len(seen) != 5 {
		t.Errorf("reader statuses map to %d sentences, want the 5 problems", len(seen))
	}
}

func TestEveryPrinterStateHasItsOwnSentence(t *testing.T) {
	s, _ := text.Load()
	seen := map[string]printer.State{}
	for st := printer.Ready; st <= printer.Offline; st++ {
		msg := Printer(s, st)
		if prev, dup := seen[msg]; dup || msg == "" {
			t.Errorf("state %s: %q (also %s)", st, msg, prev)
		}
		seen[msg] = st
	}
	if got := PrintFailure(s, fmt.Errorf("print: %w", &printer.JobError{State: printer.PaperOut})); got != s.Devices.PrinterOut {
		t.Errorf("paper out job: %q", got)
	}
	if got := PrintFailure(s, context.DeadlineExceeded); got != s.Devices.PrinterOffline {
		t.Errorf("silent printer: %q", got)
	}
}
