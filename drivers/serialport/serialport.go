// Package serialport opens serial devices through go.bug.st/serial and turns its errors into
// messages a technician can act on. Devices sit behind Port so simulators on ptys plug in too.
package serialport

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"syscall"
	"time"

	"go.bug.st/serial"
)

// Port is what the device drivers need: a byte stream whose reads give up after a timeout,
// returning (0, nil) when nothing arrived.
type Port interface {
	io.ReadWriteCloser
	SetReadTimeout(time.Duration) error
}

// Open opens path at baud (8N1) with a short read timeout.
func Open(path string, baud int) (Port, error) {
	p, err := serial.Open(path, &serial.Mode{BaudRate: baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
	if err != nil {
		return nil, describe(path, err)
	}
	if err := p.SetReadTimeout(50 * time.Millisecond); err != nil {
		p.Close()
		return nil, fmt.Errorf("serial port %s: set read timeout: %w", path, err)
	}
	return p, nil
}

// Errors a caller can tell apart.
var (
	ErrNoSuchPort       = errors.New("no such port")
	ErrPermissionDenied = errors.New("permission denied (add the kiosk user to the dialout group: usermod -aG dialout USER)")
	ErrPortBusy         = errors.New("port busy (another program has it open)")
)

func describe(path string, err error) error {
	var pe *serial.PortError
	if errors.As(err, &pe) {
		switch pe.Code() {
		case serial.PortNotFound:
			return fmt.Errorf("serial port %s: %w", path, ErrNoSuchPort)
		case serial.PermissionDenied:
			return fmt.Errorf("serial port %s: %w", path, ErrPermissionDenied)
		case serial.PortBusy:
			return fmt.Errorf("serial port %s: %w", path, ErrPortBusy)
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("serial port %s: %w", path, ErrNoSuchPort)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("serial port %s: %w", path, ErrPermissionDenied)
	case errors.Is(err, syscall.EBUSY):
		return fmt.Errorf("serial port %s: %w", path, ErrPortBusy)
	}
	return fmt.Errorf("serial port %s: %w", path, err)
}
