package serialport

import (
	"errors"
	"strings"
	"testing"
)

func TestMatchByVIDPID(t *testing.T) {
	ports := []USBPort{
		{Path: "/dev/ttyUSB0", VID: "1A86", PID: "7523", Product: "USB Serial"},
		{Path: "/dev/ttyUSB1", VID: "067b", PID: "2303", Product: "USB-Serial Controller"},
		{Path: "/dev/ttyACM0", VID: "0483", PID: "5740"},
		{Path: "/dev/ttyACM1", VID: "0483", PID: "5740"},
	}
	if p, err := Match(ports, "1a86:7523"); err != nil || p != "/dev/ttyUSB0" {
		t.Errorf("CH340: %q %v", p, err)
	}
	if _, err := Match(ports, "10c4:ea60"); !errors.Is(err, ErrNoSuchPort) {
		t.Errorf("absent: %v", err)
	}
	if _, err := Match(ports, "0483:5740"); err == nil || !strings.Contains(err.Error(), "2 ports") {
		t.Errorf("ambiguous: %v", err)
	}
	if _, err := Match(ports, "1a867523"); err == nil {
		t.Error("malformed id accepted")
	}
	if p, err := Resolve("/dev/ttyS0"); err != nil || p != "/dev/ttyS0" {
		t.Errorf("path: %q %v", p, err)
	}
}
