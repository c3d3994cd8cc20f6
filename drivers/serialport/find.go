package serialport

import (
	"fmt"
	"strings"

	"go.bug.st/serial/enumerator"
)

// USBPort is a serial port behind a USB bridge.
type USBPort struct {
	Path, VID, PID, Product, Serial string
}

// USBPorts lists the USB serial ports the system has now.
func USBPorts() ([]USBPort, error) {
	list, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, fmt.Errorf("list serial ports: %w", err)
	}
	var out []USBPort
	for _, p := range list {
		if p.IsUSB {
			out = append(out, USBPort{Path: p.Name, VID: p.VID, PID: p.PID, Product: p.Product, Serial: p.SerialNumber})
		}
	}
	return out, nil
}

// Match picks the port with the given VID:PID (hex, any case, e.g. "1a86:7523"), so a kiosk finds
// its reader after it is plugged into another USB socket and renumbered.
func Match(ports []USBPort, vidpid string) (string, error) {
	vid, pid, ok := strings.Cut(strings.ToLower(strings.TrimSpace(vidpid)), ":")
	if !ok || vid == "" || pid == "" {
		return "", fmt.Errorf("USB id %q is not VID:PID like 1a86:7523", vidpid)
	}
	var found []string
	for _, p := range ports {
		if strings.ToLower(p.VID) == vid && strings.ToLower(p.PID) == pid {
			found = append(found, p.Path)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no serial port with USB id %s: %w", vidpid, ErrNoSuchPort)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("USB id %s matches %d ports (%s): give the port path instead", vidpid, len(found), strings.Join(found, ", "))
}

// Resolve turns a configured device into a path: "usb:VID:PID" is looked up, anything else is a path.
func Resolve(device string) (string, error) {
	if id, ok := strings.CutPrefix(device, "usb:"); ok {
		ports, err := USBPorts()
		if err != nil {
			return "", err
		}
		return Match(ports, id)
	}
	return device, nil
}
