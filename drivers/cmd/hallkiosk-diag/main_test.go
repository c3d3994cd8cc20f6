package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/creack/pty"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/sim"
)

func servePty(t *testing.T, serve func(context.Context, io.ReadWriter) error) string {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = serve(ctx, master) }()
	t.Cleanup(func() { cancel(); _ = slave.Close(); _ = master.Close(); <-done })
	return slave.Name()
}

func diag(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCardJSONIsMasked(t *testing.T) {
	reader := sim.NewCardReader(idcard.SampleCards())
	path := servePty(t, reader.Serve)
	_ = reader.Place(0)
	code, out, errOut := diag("card", "--port", path, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not one JSON object: %q", out)
	}
	for _, k := range []string{"name", "sex", "nation", "birth", "address", "id_number", "authority", "valid_from", "valid_to", "card_type"} {
		if _, ok := got[k]; !ok {
			t.Errorf("missing key %s", k)
		}
	}
	whole := idcard.SampleCards()[0]
	if strings.Contains(out, whole.Name) || strings.Contains(out, whole.IDNumber) || got["name"] != "王*" || got["valid_to"] != "长期" {
		t.Errorf("card output not masked: %s", out)
	}
	_ = reader.Place(5) // expired
	_, out, _ = diag("card", "--port", path)
	if !strings.Contains(out, "证件已过期") || !strings.Contains(out, "李*国") {
		t.Errorf("expired card text: %s", out)
	}
}

func TestNoCardAndWrongDevice(t *testing.T) {
	reader := sim.NewCardReader(idcard.SampleCards())
	path := servePty(t, reader.Serve)
	if code, _, errOut := diag("card", "--port", path, "--timeout", "500ms"); code != 1 || !strings.Contains(errOut, "no card") {
		t.Errorf("no card: %d %s", code, errOut)
	}
	prn := sim.NewPrinter()
	ppath := servePty(t, prn.Serve)
	if code, _, errOut := diag("card", "--port", ppath, "--timeout", "500ms"); code != 2 || !strings.Contains(errOut, "is this the card reader") {
		t.Errorf("card command on a printer: %d %s", code, errOut)
	}
	if code, _, errOut := diag("card"); code != 2 || !strings.Contains(errOut, "--port is required") {
		t.Errorf("no port: %d %s", code, errOut)
	}
}

func TestPrinterCommands(t *testing.T) {
	prn := sim.NewPrinter()
	path := servePty(t, prn.Serve)
	if code, out, errOut := diag("print-test", "--port", path); code != 0 || len(prn.Jobs()) != 1 {
		t.Fatalf("print-test: %d %s %s", code, out, errOut)
	}
	if !bytes.Contains(prn.Jobs()[0], []byte("hallkiosk print test")) {
		t.Error("test page has no QR data")
	}
	if code, out, _ := diag("printer-status", "--port", path); code != 0 || !strings.Contains(out, "ready") {
		t.Errorf("status: %d %s", code, out)
	}
	prn.SetPaperOut(true)
	if code, out, _ := diag("printer-status", "--port", path); code != 1 || !strings.Contains(out, "paper out") {
		t.Errorf("paper out: %d %s", code, out)
	}
	if code, _, errOut := diag("print-test", "--port", path); code != 1 || !strings.Contains(errOut, "paper out") {
		t.Errorf("print-test with no paper: %d %s", code, errOut)
	}
}
