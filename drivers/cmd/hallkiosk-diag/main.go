// Command hallkiosk-diag is the technician's check of a kiosk's devices: which serial ports exist,
// whether the ID-card reader reads a card (shown masked), and whether the printer prints.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"go.bug.st/serial/enumerator"

	"hallkiosk/drivers/devname"
	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/drivers/serialport"
	"hallkiosk/township/api/mask"
)

const usage = `hallkiosk-diag: check a kiosk's devices

  hallkiosk-diag ports                                       list serial ports with USB VID:PID
  hallkiosk-diag card --port PATH [--baud 115200] [--json]   read one card (name and ID masked)
                                                             PATH may be usb:VID:PID
  hallkiosk-diag print-test --port PATH [--baud 9600]        print a test page (Chinese and a QR)
  hallkiosk-diag printer-status --port PATH [--baud 9600]    show the printer's state
  hallkiosk-diag udev-rules [--write [FILE]]                 find which USB serial port is the card
                                                             reader and which the printer, and print
                                                             (or write) the udev rules that name them
                                                             /dev/hallkiosk/card-reader and
                                                             /dev/hallkiosk/printer. Stop the kiosk
                                                             first (it holds the ports); --write
                                                             without FILE writes
                                                             /etc/udev/rules.d/71-hallkiosk-devices.rules

Exit codes: 0 ok, 1 the device answered with a problem, 2 usage or the port could not be used.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, out, errOut io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(out, usage)
		return 0
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(errOut)
	port := fs.String("port", "", "serial port path (/dev/ttyUSB0) or usb:VID:PID (usb:1a86:7523)")
	baud := fs.Int("baud", 0, "baud rate (card reader 115200, printers usually 9600 or 19200)")
	asJSON := fs.Bool("json", false, "card: print one JSON object")
	timeout := fs.Duration("timeout", 10*time.Second, "card: how long to wait for a card")
	write := fs.Bool("write", false, "udev-rules: write the rules file (FILE, or "+devname.RulesFile+") instead of printing it")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout+5*time.Second)
	defer cancel()
	switch args[0] {
	case "ports":
		return ports(out, errOut)
	case "udev-rules":
		file := ""
		if *write {
			file = devname.RulesFile
			if fs.NArg() > 0 {
				file = fs.Arg(0)
			}
		}
		list, err := usbPorts("/sys")
		if err != nil {
			fmt.Fprintln(errOut, "hallkiosk-diag udev-rules:", err)
			return 2
		}
		return udevRules(context.Background(), list, file, out, errOut)
	case "card", "print-test", "printer-status":
		if *port == "" {
			fmt.Fprintf(errOut, "hallkiosk-diag %s: --port is required (see 'hallkiosk-diag ports')\n", args[0])
			return 2
		}
	default:
		fmt.Fprintf(errOut, "hallkiosk-diag: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if *baud == 0 {
		*baud = 9600
		if args[0] == "card" {
			*baud = 115200
		}
	}
	path, err := serialport.Resolve(*port)
	if err != nil {
		fmt.Fprintln(errOut, "hallkiosk-diag:", err)
		return 2
	}
	*port = path
	p, err := serialport.Open(*port, *baud)
	if err != nil {
		fmt.Fprintln(errOut, "hallkiosk-diag:", err)
		return 2
	}
	defer p.Close()
	switch args[0] {
	case "card":
		return card(ctx, p, *port, *timeout, *asJSON, out, errOut)
	case "print-test":
		return printTest(ctx, p, *port, out, errOut)
	default:
		return printerStatus(ctx, p, *port, out, errOut)
	}
}

func ports(out, errOut io.Writer) int {
	list, err := enumerator.GetDetailedPortsList()
	if err != nil {
		fmt.Fprintln(errOut, "hallkiosk-diag ports:", err)
		return 2
	}
	if len(list) == 0 {
		fmt.Fprintln(out, "no serial ports found (check the USB cable; CH341 drivers may name ports /dev/ttyCH341USB*)")
		return 0
	}
	for _, p := range list {
		if p.IsUSB {
			fmt.Fprintf(out, "%s\tUSB %s:%s\t%s\tserial %s\n", p.Name, p.VID, p.PID, p.Product, p.SerialNumber)
		} else {
			fmt.Fprintf(out, "%s\t(not USB)\n", p.Name)
		}
	}
	return 0
}

type cardJSON struct {
	CardType  string `json:"card_type"`
	Name      string `json:"name"`
	Sex       string `json:"sex"`
	Nation    string `json:"nation"`
	Birth     string `json:"birth"`
	Address   string `json:"address"`
	IDNumber  string `json:"id_number"`
	Authority string `json:"authority"`
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to"`
	Expired   bool   `json:"expired"`
}

func card(ctx context.Context, p serialport.Port, path string, wait time.Duration, asJSON bool, out, errOut io.Writer) int {
	r := idcard.NewReader(p)
	if err := r.CheckSAM(ctx); err != nil {
		fmt.Fprintf(errOut, "hallkiosk-diag card: %s: %v (is this the card reader, at the right baud rate?)\n", path, err)
		return 2
	}
	deadline := time.Now().Add(wait)
	for {
		c, err := r.ReadCard(ctx)
		if errors.Is(err, &idcard.StatusError{SW3: idcard.SWNoCard}) && time.Now().Before(deadline) {
			time.Sleep(300 * time.Millisecond)
			continue
		}
		if err != nil && c.Name == "" {
			fmt.Fprintf(errOut, "hallkiosk-diag card: %s: %v\n", path, err)
			return 1
		}
		j := cardJSON{CardType: c.Type.Code(), Name: mask.Name(c.Name), Sex: c.Sex(), Nation: c.Nation(),
			Birth: date(c.Birth), Address: mask.Address(c.Address), IDNumber: mask.ID(c.IDNumber),
			Authority: c.Authority, ValidFrom: date(c.ValidFrom), ValidTo: date(c.ValidTo), Expired: c.Expired(time.Now())}
		if c.LongTerm {
			j.ValidTo = "长期"
		}
		if asJSON {
			_ = json.NewEncoder(out).Encode(j)
		} else {
			fmt.Fprintf(out, "证件类型 %s\n姓名 %s\n性别 %s\n民族 %s\n出生 %s\n住址 %s\n证件号码 %s\n签发机关 %s\n有效期限 %s - %s\n",
				c.Type, j.Name, j.Sex, j.Nation, j.Birth, j.Address, j.IDNumber, j.Authority, j.ValidFrom, j.ValidTo)
			if j.Expired {
				fmt.Fprintln(out, "证件已过期")
			}
		}
		if err != nil { // e.g. a bad check digit: shown, and reported
			fmt.Fprintf(errOut, "hallkiosk-diag card: %v\n", err)
			return 1
		}
		return 0
	}
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func printTest(ctx context.Context, p serialport.Port, path string, out, errOut io.Writer) int {
	dev := printer.NewDevice(p, printer.Pacing{Chunk: 128, Delay: 10 * time.Millisecond})
	var e printer.Encoder
	job, err := e.Init().Align(printer.Center).Size(2, 2).Line("打印测试").Size(1, 1).
		Line("便民服务自助终端").Line("中文：办事指南 回执 䶮 堃 喆").Line("ASCII: 0123456789 ABC xyz").
		Line(time.Now().Format("2006-01-02 15:04:05")).QR("hallkiosk print test", 6, printer.ECMedium).
		Feed(3).Cut(true).Bytes()
	if err == nil {
		err = dev.Print(ctx, job)
	}
	var je *printer.JobError
	if errors.As(err, &je) {
		fmt.Fprintf(errOut, "hallkiosk-diag print-test: %s: %s (%s)\n", path, je.State, err)
		return 1
	}
	if err != nil {
		fmt.Fprintf(errOut, "hallkiosk-diag print-test: %s: %v\n", path, err)
		return 1
	}
	fmt.Fprintf(out, "printed a test page (%d bytes) on %s\n", len(job), path)
	return 0
}

func printerStatus(ctx context.Context, p serialport.Port, path string, out, errOut io.Writer) int {
	st, err := printer.NewDevice(p, printer.Pacing{}).Status(ctx)
	if err != nil {
		fmt.Fprintf(errOut, "hallkiosk-diag printer-status: %s: %v (is this the printer, at the right baud rate?)\n", path, err)
		return 2
	}
	fmt.Fprintf(out, "%s: %s [%s]\n", path, st.State(), st)
	if !st.State().CanPrint() {
		return 1
	}
	return 0
}
