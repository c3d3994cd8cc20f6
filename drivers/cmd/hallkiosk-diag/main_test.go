package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"

	"hallkiosk/drivers/devname"
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

// The technician's udev-rules: the card reader and the printer found on their ports (two bridges
// of one kind, no serial numbers: named by socket), a port where nothing answers named, the rules
// written whole (0644) and the config lines to use printed with the rates found.
func TestUdevRulesFindsAndNamesTheDevices(t *testing.T) {
	reader := sim.NewCardReader(idcard.SampleCards())
	readerPath := servePty(t, reader.Serve)
	prn := sim.NewPrinter()
	printerPath := servePty(t, prn.Serve)
	silentPath := servePty(t, func(ctx context.Context, rw io.ReadWriter) error { _, err := io.Copy(io.Discard, rw); return err })
	ports := []devname.Port{
		{Path: printerPath, VID: "1a86", PID: "7523", Socket: "1-1.3"},
		{Path: silentPath, VID: "10c4", PID: "ea60", Socket: "1-1.4"},
		{Path: readerPath, VID: "1a86", PID: "7523", Socket: "1-1.2"},
	}
	file := filepath.Join(t.TempDir(), "71-hallkiosk-devices.rules")
	var out, errOut bytes.Buffer
	if code := udevRules(context.Background(), ports, file, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), silentPath+": "+silentPath+": neither an ID-card reader nor an ESC/POS printer answered") {
		t.Errorf("the silent port is not named: %s", errOut.String())
	}
	rules, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`KERNELS=="1-1.2", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", SYMLINK+="hallkiosk/card-reader"`,
		`KERNELS=="1-1.3", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", SYMLINK+="hallkiosk/printer"`} {
		if !strings.Contains(string(rules), want) {
			t.Errorf("rules lack %s:\n%s", want, rules)
		}
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o644 {
		t.Errorf("rules file mode %v", fi.Mode().Perm())
	}
	for _, want := range []string{`card_reader = "/dev/hallkiosk/card-reader"`, "card_reader_baud = 115200", `printer = "/dev/hallkiosk/printer"`, "printer_baud = 19200", "udevadm control --reload"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("next steps lack %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	errOut.Reset()
	if code := udevRules(context.Background(), ports[1:2], "", &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "no ID-card reader or printer answered") {
		t.Errorf("nothing found: exit %d: %s", code, errOut.String())
	}
}
