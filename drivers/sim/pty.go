package sim

import (
	"context"
	"fmt"
	"io"

	"github.com/creack/pty"
)

// ServePTY opens a pseudo-terminal pair, serves a simulator on its master side until ctx ends, and
// returns the path a driver opens as if it were /dev/ttyUSB0. devsim and the kiosk's tests use it.
func ServePTY(ctx context.Context, serve func(context.Context, io.ReadWriter) error) (string, error) {
	master, slave, err := pty.Open()
	if err != nil {
		return "", fmt.Errorf("open pty: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = serve(ctx, master)
	}()
	go func() {
		<-ctx.Done()
		master.Close()
		slave.Close()
	}()
	return slave.Name(), nil
}
