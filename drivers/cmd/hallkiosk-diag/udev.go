package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"hallkiosk/internal/atomicfile"

	"hallkiosk/drivers/devname"
	"hallkiosk/drivers/serialport"
)

// usbPorts lists the USB serial ports with the socket each sits in.
func usbPorts(sysRoot string) ([]devname.Port, error) {
	list, err := serialport.USBPorts()
	if err != nil {
		return nil, err
	}
	out := make([]devname.Port, 0, len(list))
	for _, p := range list {
		socket, _ := devname.USBSocket(sysRoot, p.Path) // unknown: Rules says so if it needs it
		out = append(out, devname.Port{Path: p.Path, VID: p.VID, PID: p.PID, Serial: p.Serial, Product: p.Product, Socket: socket})
	}
	return out, nil
}

// udevRules asks every port what answers there and prints the rules (or writes them to file, then
// says what to run and what to put in config.toml). Ports where nothing answered are named, with why.
func udevRules(ctx context.Context, ports []devname.Port, file string, out, errOut io.Writer) int {
	if len(ports) == 0 {
		fmt.Fprintln(errOut, "hallkiosk-diag udev-rules: no USB serial ports (check the cables; see 'hallkiosk-diag ports')")
		return 1
	}
	var found []devname.Found
	for _, p := range ports {
		kind, baud, err := devname.Probe(ctx, p.Path)
		switch {
		case errors.Is(err, serialport.ErrPortBusy):
			fmt.Fprintf(errOut, "%s: %v: stop the kiosk first (systemctl stop hallkiosk)\n", p.Path, err)
		case err != nil:
			fmt.Fprintf(errOut, "%s: %v\n", p.Path, err)
		default:
			fmt.Fprintf(errOut, "%s: %s at %d baud\n", p.Path, kind, baud)
			found = append(found, devname.Found{Port: p, Kind: kind, Baud: baud})
		}
	}
	rules, err := devname.Rules(found, ports)
	if err != nil {
		fmt.Fprintln(errOut, "hallkiosk-diag udev-rules:", err)
		return 1
	}
	if file == "" {
		fmt.Fprint(out, rules)
		return 0
	}
	if err := atomicfile.WriteFile(file, []byte(rules), 0o644); err != nil {
		fmt.Fprintln(errOut, "hallkiosk-diag udev-rules:", err)
		return 2
	}
	fmt.Fprintf(out, "wrote %s\nnow run:  udevadm control --reload && udevadm trigger --subsystem-match=tty --action=add\n", file)
	fmt.Fprintln(out, "and set in /etc/hallkiosk/config.toml, [devices]:")
	for _, f := range found {
		key := "printer"
		if f.Kind == devname.CardReader {
			key = "card_reader"
		}
		fmt.Fprintf(out, "  %s = \"/dev/%s/%s\"\n  %s_baud = %d\n", key, devname.Dir, f.Kind, key, f.Baud)
	}
	return 0
}
