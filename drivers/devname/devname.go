// Package devname gives a hall's ID-card reader and receipt printer stable names (/dev/hallkiosk/
// card-reader, /dev/hallkiosk/printer) by asking each USB serial port what answers on it and writing
// the udev rules that name it. The two devices often sit behind the same USB serial bridge (a CH340,
// 1a86:7523) with no serial number, so a VID:PID cannot tell them apart: such a device is named by
// the USB socket it is plugged into, and one with a serial number of its own by that number.
package devname

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/drivers/serialport"
)

// Kind is what answered on a port.
type Kind string

// The devices a hall has; their names under /dev are Dir + "/" + Kind.
const (
	CardReader Kind = "card-reader"
	Printer    Kind = "printer"
)

// Dir is where the rules put the names (/dev/hallkiosk/...).
const Dir = "hallkiosk"

// RulesFile is where the technician's rules go: after the package's 70-hallkiosk.rules, and in /etc,
// so an upgrade never touches them.
const RulesFile = "/etc/udev/rules.d/71-hallkiosk-devices.rules"

// Port is one USB serial port and where it sits.
type Port struct {
	Path, VID, PID, Serial, Product string
	// Socket is the kernel's name of the USB device the port belongs to ("1-1.2": bus 1, port 1,
	// then port 2 of the hub there), which udev matches as KERNELS. Empty when unknown.
	Socket string
}

// Found is a port and the device that answered on it.
type Found struct {
	Port
	Kind Kind
	Baud int
}

// ErrNothingAnswered is Probe's answer for a port where neither device answered.
var ErrNothingAnswered = errors.New("neither an ID-card reader nor an ESC/POS printer answered")

// PrinterBauds are the rates a printer is asked at, the commonest first.
var PrinterBauds = []int{19200, 9600, 38400, 115200}

// ReaderBaud is the card reader's rate (GA 467 readers speak 115200).
const ReaderBaud = 115200

// Probe asks what is on path. The printer is asked first, with DLE EOT (a reader ignores it), since
// a reader's command sent to a printer would be printed as stray characters; at a wrong rate a
// printer may still print one line of them.
func Probe(ctx context.Context, path string) (Kind, int, error) {
	for _, baud := range PrinterBauds {
		p, err := serialport.Open(path, baud)
		if err != nil {
			return "", 0, err
		}
		_, err = printer.NewDevice(p, printer.Pacing{}).Status(ctx)
		p.Close()
		if err == nil {
			return Printer, baud, nil
		}
		if ctx.Err() != nil {
			return "", 0, ctx.Err()
		}
	}
	p, err := serialport.Open(path, ReaderBaud)
	if err != nil {
		return "", 0, err
	}
	defer p.Close()
	r := idcard.NewReader(p)
	err = r.CheckSAM(ctx)
	var st *idcard.StatusError
	if err == nil || errors.As(err, &st) { // a reader that answers with a status is a reader
		return CardReader, ReaderBaud, nil
	}
	if ctx.Err() != nil {
		return "", 0, ctx.Err()
	}
	return "", 0, fmt.Errorf("%s: %w", path, ErrNothingAnswered)
}

// USBSocket finds the USB device a tty belongs to under sysfs (sysRoot is "/sys" but in tests): the
// nearest parent of the tty's device folder that has an idVendor file.
func USBSocket(sysRoot, tty string) (string, error) {
	dev, err := filepath.EvalSymlinks(filepath.Join(sysRoot, "class", "tty", filepath.Base(tty), "device"))
	if err != nil {
		return "", fmt.Errorf("USB socket of %s: %w", tty, err)
	}
	for d := dev; d != filepath.Dir(d) && strings.HasPrefix(d, sysRoot); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "idVendor")); err == nil {
			return filepath.Base(d), nil
		}
	}
	return "", fmt.Errorf("USB socket of %s: it is not on USB", tty)
}

// Rules writes the udev rules for what was found. A device is matched by its VID:PID and, when
// no other port has the same VID:PID and serial number, by that serial number (it keeps its name
// in any socket); otherwise by its USB socket (it keeps its name while it stays in that socket).
// all is every USB serial port present, to tell whether a serial number is unique. Two devices of
// one kind are refused: the kiosk uses one of each.
func Rules(found []Found, all []Port) (string, error) {
	found = slices.Clone(found) // the caller's order stays as it was
	slices.SortStableFunc(found, func(a, b Found) int { return strings.Compare(string(a.Kind), string(b.Kind)) })
	seen := map[Kind]string{}
	var b strings.Builder
	b.WriteString("# hallkiosk: stable names for this machine's ID-card reader and receipt printer.\n")
	b.WriteString("# Written by `hallkiosk-diag udev-rules --write`; run it again after moving a device named by its\n")
	b.WriteString("# socket to another USB socket, or after changing a device.\n")
	for _, f := range found {
		if other, ok := seen[f.Kind]; ok {
			return "", fmt.Errorf("two %ss answered (%s and %s): unplug the one the kiosk does not use and run again", f.Kind, other, f.Path)
		}
		seen[f.Kind] = f.Path
		if f.VID == "" || f.PID == "" {
			return "", fmt.Errorf("%s (%s) is not a USB device: give its path in config.toml instead", f.Path, f.Kind)
		}
		match := fmt.Sprintf(`ATTRS{idVendor}=="%s", ATTRS{idProduct}=="%s"`, strings.ToLower(f.VID), strings.ToLower(f.PID))
		how := "by its serial number, in any USB socket"
		switch {
		case f.Serial != "" && quote(f.Serial) == f.Serial && uniqueSerial(f.Port, all):
			match += fmt.Sprintf(`, ATTRS{serial}=="%s"`, f.Serial)
		case f.Socket != "":
			match = fmt.Sprintf(`KERNELS=="%s", `, quote(f.Socket)) + match
			how = "while it stays in USB socket " + f.Socket
		default:
			return "", fmt.Errorf("%s (%s) has neither a serial number of its own nor a known USB socket", f.Path, f.Kind)
		}
		fmt.Fprintf(&b, "\n# %s: %s now, USB %s:%s %s, %d baud; named %s.\n", f.Kind, f.Path, f.VID, f.PID, f.Product, f.Baud, how)
		fmt.Fprintf(&b, "SUBSYSTEM==\"tty\", %s, SYMLINK+=\"%s/%s\", GROUP=\"dialout\", MODE=\"0660\"\n", match, Dir, f.Kind)
	}
	if len(found) == 0 {
		return "", errors.New("no ID-card reader or printer answered on any USB serial port")
	}
	return b.String(), nil
}

func uniqueSerial(p Port, all []Port) bool {
	n := 0
	for _, o := range all {
		if strings.EqualFold(o.VID, p.VID) && strings.EqualFold(o.PID, p.PID) && o.Serial == p.Serial {
			n++
		}
	}
	return n <= 1
}

// quote keeps a value from ending the rule's string (serial numbers are the device's to choose: one
// that would need it is not used).
func quote(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < ' ' {
			return '_'
		}
		return r
	}, s)
}
