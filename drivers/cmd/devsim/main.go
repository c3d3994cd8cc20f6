// Command devsim runs the ID-card reader and receipt printer simulators on pseudo-terminals, so
// the kiosk, the diagnostics and people can use them as if the devices were plugged in.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/sim"
	"hallkiosk/township/api/mask"
)

const help = `commands:
  cards              list the test cards
  place N            lay card N on the reader
  lift               take the card off
  fault NAME         none | lift-mid-read | bad-checksum | garbage | slow | silent
  unplug / plug      disconnect the card reader (its pty closes) and connect it again (new pty)
  paper out|in|near  paper state of the printer
  cover open|close   printer cover
  offline on|off     printer offline
  jobs               how many jobs the printer has printed
  help, quit`

func main() {
	linkDir := flag.String("link-dir", "", "also make stable symlinks DIR/idcard and DIR/printer to the pty paths")
	jobDir := flag.String("jobs-dir", "", "write each printed job as DIR/job-N.png")
	fontPath := flag.String("font", "assets/fonts/NotoSansCJKsc-Regular.otf", "font for --jobs-dir pictures")
	dots := flag.Int("dots", 384, "paper width in dots for --jobs-dir (384 = 58 mm, 576 = 80 mm)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "devsim: ID-card reader and ESC/POS printer simulators on ptys\n\nUsage: devsim [--link-dir DIR]\n\n%s\n", help)
	}
	flag.Parse()
	var onJob func([]byte)
	if *jobDir != "" {
		var err error
		if onJob, err = jobWriter(*jobDir, *fontPath, *dots); err != nil {
			fmt.Fprintln(os.Stderr, "devsim:", err)
			os.Exit(2)
		}
	}
	if err := run(*linkDir, onJob, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "devsim:", err)
		os.Exit(1)
	}
}

// jobWriter renders each job to DIR/job-N.png.
func jobWriter(dir, fontPath string, dots int) (func([]byte), error) {
	fontData, err := os.ReadFile(fontPath)
	if err != nil {
		return nil, fmt.Errorf("--font: %w", err)
	}
	r, err := sim.NewRenderer(fontData, dots)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// Rendering is slow next to the serial line; a printer keeps answering status while it prints,
	// so pictures are drawn in order on their own goroutine.
	queue := make(chan []byte, 64)
	go func() {
		n := 0
		for job := range queue {
			n++
			path := filepath.Join(dir, fmt.Sprintf("job-%d.png", n))
			img, err := r.Render(job)
			if err == nil {
				var f *os.File
				if f, err = os.Create(path); err == nil {
					err = png.Encode(f, img)
					f.Close()
				}
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "devsim: render job:", err)
				continue
			}
			fmt.Fprintln(os.Stderr, "devsim: printed", path)
		}
	}()
	return func(job []byte) { queue <- job }, nil
}

func run(linkDir string, onJob func([]byte), in io.Reader, out io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	reader, printer := sim.NewCardReader(idcard.SampleCards()), sim.NewPrinter()
	printer.OnJob = onJob
	plugged := &replug{parent: ctx, serve: reader.Serve}
	readerPath, err := plugged.plug()
	if err != nil {
		return err
	}
	printerPath, err := serve(ctx, func(ctx context.Context, rw io.ReadWriter) error { return printer.Serve(ctx, rw) })
	if err != nil {
		return err
	}
	link := func(name, target string) error {
		if linkDir == "" {
			return nil
		}
		l := filepath.Join(linkDir, name)
		_ = os.Remove(l)
		if err := os.Symlink(target, l); err != nil {
			return fmt.Errorf("link %s: %w", l, err)
		}
		return nil
	}
	if err := link("idcard", readerPath); err != nil {
		return err
	}
	if err := link("printer", printerPath); err != nil {
		return err
	}
	fmt.Fprintf(out, "idcard %s\nprinter %s\nready (type help)\n", readerPath, printerPath)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				<-ctx.Done() // stdin closed (run in the background): keep serving until stopped
				return nil
			}
			f := strings.Fields(line)
			switch {
			case len(f) == 1 && f[0] == "unplug":
				plugged.unplug()
				fmt.Fprintln(out, "card reader unplugged")
			case len(f) == 1 && f[0] == "plug":
				path, err := plugged.plug()
				if err == nil {
					err = link("idcard", path)
				}
				if err != nil {
					fmt.Fprintln(out, "plug:", err)
					continue
				}
				fmt.Fprintln(out, "idcard", path)
			default:
				if quit := command(out, reader, printer, f); quit {
					return nil
				}
			}
		}
	}
}

// replug serves a device on a pty that can be closed and opened again, as a USB device is
// unplugged and plugged back (it comes back under a new name, like /dev/ttyUSB1).
type replug struct {
	parent context.Context
	serve  func(context.Context, io.ReadWriter) error
	cancel context.CancelFunc
}

func (r *replug) plug() (string, error) {
	r.unplug()
	ctx, cancel := context.WithCancel(r.parent)
	path, err := serve(ctx, r.serve)
	if err != nil {
		cancel()
		return "", err
	}
	r.cancel = cancel
	return path, nil
}

func (r *replug) unplug() {
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
}

// serve opens a pty pair, serves the master side and returns the path a driver opens.
func serve(ctx context.Context, fn func(context.Context, io.ReadWriter) error) (string, error) {
	return sim.ServePTY(ctx, fn)
}

var faults = map[string]sim.Fault{"none": sim.FaultNone, "lift-mid-read": sim.FaultLiftMidRead,
	"bad-checksum": sim.FaultBadChecksum, "garbage": sim.FaultGarbage, "slow": sim.FaultSlow, "silent": sim.FaultSilent}

func command(out io.Writer, r *sim.CardReader, p *sim.Printer, f []string) (quit bool) {
	if len(f) == 0 {
		return false
	}
	arg := ""
	if len(f) > 1 {
		arg = f[1]
	}
	switch f[0] {
	case "cards":
		for i, c := range idcard.SampleCards() {
			fmt.Fprintf(out, "%d  %s  %s  %s\n", i, c.Type, mask.Name(c.Name), mask.ID(c.IDNumber))
		}
	case "place":
		n, err := strconv.Atoi(arg)
		if err == nil {
			err = r.Place(n)
		}
		if err != nil {
			fmt.Fprintln(out, "place N: N is a card number from 'cards'")
			return false
		}
		fmt.Fprintln(out, "card", n, "placed")
	case "lift":
		r.Lift()
		fmt.Fprintln(out, "card lifted")
	case "fault":
		fl, ok := faults[arg]
		if !ok {
			fmt.Fprintln(out, "fault: none | lift-mid-read | bad-checksum | garbage | slow | silent")
			return false
		}
		r.SetFault(fl)
		fmt.Fprintln(out, "fault", arg)
	case "paper":
		p.SetPaperOut(arg == "out")
		p.SetPaperNearEnd(arg == "near")
		fmt.Fprintln(out, "paper", arg)
	case "cover":
		p.SetCoverOpen(arg == "open")
		fmt.Fprintln(out, "cover", arg)
	case "offline":
		p.SetOffline(arg == "on")
		fmt.Fprintln(out, "offline", arg)
	case "jobs":
		fmt.Fprintln(out, len(p.Jobs()), "jobs printed")
	case "quit", "exit":
		return true
	default:
		fmt.Fprintln(out, help)
	}
	return false
}
