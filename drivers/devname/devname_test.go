package devname

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/sim"
)

// servePty runs a simulator on a pty, as a USB serial port would be, until the test ends.
func servePty(t *testing.T, serve func(context.Context, io.ReadWriter) error) string {
	t.Helper()
	path, err := sim.ServePTY(t.Context(), serve)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// Each device is told by what it answers to in its own protocol, and a port where nothing answers
// is named as such; the printer never receives the reader's command (it would print it).
func TestProbeTellsTheDevicesApart(t *testing.T) {
	reader := sim.NewCardReader(idcard.SampleCards())
	readerPath := servePty(t, reader.Serve)
	prn := sim.NewPrinter()
	printerPath := servePty(t, prn.Serve)
	silentPath := servePty(t, func(ctx context.Context, rw io.ReadWriter) error {
		_, err := io.Copy(io.Discard, rw)
		return err
	})
	ctx := context.Background()
	if k, baud, err := Probe(ctx, readerPath); err != nil || k != CardReader || baud != ReaderBaud {
		t.Errorf("reader: %v %d %v", k, baud, err)
	}
	if k, baud, err := Probe(ctx, printerPath); err != nil || k != Printer || baud != PrinterBauds[0] {
		t.Errorf("printer: %v %d %v", k, baud, err)
	}
	if len(prn.Jobs()) != 0 {
		t.Errorf("the probe printed on the printer: %q", prn.Jobs())
	}
	if _, _, err := Probe(ctx, silentPath); !errors.Is(err, ErrNothingAnswered) || !strings.Contains(err.Error(), silentPath) {
		t.Errorf("silent port: %v", err)
	}
	if _, _, err := Probe(ctx, "/dev/hallkiosk-no-such-port"); err == nil || !strings.Contains(err.Error(), "no such port") {
		t.Errorf("missing port: %v", err)
	}
}

// sysfs lays out a USB serial port the way the kernel does: the tty's device link leads into the
// USB interface folder, whose parent is the USB device with idVendor.
func sysfs(t *testing.T, root, tty, socket string) {
	t.Helper()
	usb := filepath.Join(root, "devices", "pci0000:00", "0000:00:14.0", "usb1", "1-1", socket)
	iface := filepath.Join(usb, socket+":1.0", tty)
	for _, d := range []string{iface, filepath.Join(root, "class", "tty", tty)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(usb, "idVendor"), []byte("1a86\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(iface, filepath.Join(root, "class", "tty", tty, "device")); err != nil {
		t.Fatal(err)
	}
}

func TestUSBSocketFromSysfs(t *testing.T) {
	root := t.TempDir()
	sysfs(t, root, "ttyUSB0", "1-1.2")
	sysfs(t, root, "ttyACM0", "1-1.4.1")
	for tty, want := range map[string]string{"/dev/ttyUSB0": "1-1.2", "ttyACM0": "1-1.4.1"} {
		if got, err := USBSocket(root, tty); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", tty, got, err, want)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "devices", "platform", "serial8250", "ttyS0"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(root, "class", "tty", "ttyS0"), 0o755)
	os.Symlink(filepath.Join(root, "devices", "platform", "serial8250", "ttyS0"), filepath.Join(root, "class", "tty", "ttyS0", "device"))
	if _, err := USBSocket(root, "ttyS0"); err == nil || !strings.Contains(err.Error(), "not on USB") {
		t.Errorf("a built-in serial port: %v", err)
	}
}

// The usual hall: reader and printer behind two CH340 bridges with no serial numbers, so each is
// named by its socket (and its VID:PID, so another device put in that socket is not given the name);
// a printer with a serial number of its own keeps its name in any socket.
func TestRulesNameEachDeviceByWhatTellsItApart(t *testing.T) {
	readerPort := Port{Path: "/dev/ttyUSB0", VID: "1A86", PID: "7523", Product: "USB Serial", Socket: "1-1.2"}
	printerPort := Port{Path: "/dev/ttyUSB1", VID: "1a86", PID: "7523", Product: "USB Serial", Socket: "1-1.3"}
	rules, err := Rules([]Found{{Port: printerPort, Kind: Printer, Baud: 19200}, {Port: readerPort, Kind: CardReader, Baud: 115200}},
		[]Port{readerPort, printerPort})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`SUBSYSTEM=="tty", KERNELS=="1-1.2", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", SYMLINK+="hallkiosk/card-reader", GROUP="dialout", MODE="0660"`,
		`SUBSYSTEM=="tty", KERNELS=="1-1.3", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", SYMLINK+="hallkiosk/printer", GROUP="dialout", MODE="0660"`,
		"# card-reader: /dev/ttyUSB0 now, USB 1A86:7523 USB Serial, 115200 baud; named while it stays in USB socket 1-1.2.",
	} {
		if !strings.Contains(rules, want+"\n") {
			t.Errorf("rules lack %s\n%s", want, rules)
		}
	}
	ftdi := Port{Path: "/dev/ttyUSB1", VID: "0403", PID: "6001", Serial: "A50285BI", Socket: "1-1.3"}
	rules, err = Rules([]Found{{Port: ftdi, Kind: Printer, Baud: 9600}}, []Port{readerPort, ftdi})
	if err != nil || !strings.Contains(rules, `SUBSYSTEM=="tty", ATTRS{idVendor}=="0403", ATTRS{idProduct}=="6001", ATTRS{serial}=="A50285BI", SYMLINK+="hallkiosk/printer"`) {
		t.Errorf("a printer with its own serial number: %v\n%s", err, rules)
	}
	// Two bridges that report the same serial number (cheap ones do) fall back to the socket.
	twin := ftdi
	twin.Path, twin.Socket = "/dev/ttyUSB2", "1-1.4"
	if rules, _ := Rules([]Found{{Port: ftdi, Kind: Printer, Baud: 9600}}, []Port{ftdi, twin}); !strings.Contains(rules, `KERNELS=="1-1.3"`) {
		t.Errorf("a shared serial number was trusted:\n%s", rules)
	}
	if _, err := Rules([]Found{{Port: readerPort, Kind: CardReader}, {Port: printerPort, Kind: CardReader}}, nil); err == nil ||
		!strings.Contains(err.Error(), "two card-readers answered (/dev/ttyUSB0 and /dev/ttyUSB1)") {
		t.Errorf("two readers: %v", err)
	}
	if _, err := Rules(nil, nil); err == nil {
		t.Error("rules for nothing")
	}
}
