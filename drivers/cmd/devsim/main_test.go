package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallkiosk/drivers/idcard"
	"hallkiosk/drivers/printer"
	"hallkiosk/drivers/serialport"
)

func TestDevsimServesBothDevices(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	dir := t.TempDir()
	onJob, err := jobWriter(dir, "../../../assets/fonts/NotoSansCJKsc-Regular.otf", 384)
	if err != nil {
		t.Fatal(err)
	}
	go func() { done <- run("", onJob, inR, outW); outW.Close() }()
	sc := bufio.NewScanner(outR)
	line := func() string {
		if !sc.Scan() {
			t.Fatal("devsim output ended")
		}
		return sc.Text()
	}
	readerPath := strings.TrimPrefix(line(), "idcard ")
	printerPath := strings.TrimPrefix(line(), "printer ")
	if !strings.HasPrefix(line(), "ready") {
		t.Fatal("no ready line")
	}
	say := func(cmd string) string { _, _ = io.WriteString(inW, cmd+"\n"); return line() }

	if got := say("place 1"); got != "card 1 placed" {
		t.Fatalf("place: %q", got)
	}
	port, err := serialport.Open(readerPath, 115200)
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	card, err := idcard.NewReader(port).ReadCard(context.Background())
	if err != nil || card.Name != "欧阳淼喆" {
		t.Fatalf("read through devsim: %v %q", err, card.Name)
	}

	pport, err := serialport.Open(printerPath, 19200)
	if err != nil {
		t.Fatal(err)
	}
	defer pport.Close()
	dev := printer.NewDevice(pport, printer.Pacing{})
	var doc printer.Doc
	job, _ := doc.Align(printer.Center).Line("王上村").Size(3, 3).Line("A001").Size(1, 1).Line("社会救助").Feed(3).Cut().Bytes(printer.Paper58)
	if err := dev.Print(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if got := say("jobs"); got != "1 jobs printed" {
		t.Errorf("jobs: %q", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		fi, err := os.Stat(filepath.Join(dir, "job-1.png"))
		if err == nil && fi.Size() > 1000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no picture of the printed ticket: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := say("paper out"); got != "paper out" {
		t.Fatal(got)
	}
	if st, _ := dev.Status(context.Background()); st.State() != printer.PaperOut {
		t.Errorf("status after 'paper out': %v", st.State())
	}
	if got := say("unplug"); got != "card reader unplugged" {
		t.Fatal(got)
	}
	if _, err := idcard.NewReader(port).ReadCard(context.Background()); err == nil {
		t.Error("read from an unplugged reader")
	}
	newPath := strings.TrimPrefix(say("plug"), "idcard ")
	port2, err := serialport.Open(newPath, 115200)
	if err != nil {
		t.Fatalf("plugged back at %q: %v", newPath, err)
	}
	defer port2.Close()
	if c, err := idcard.NewReader(port2).ReadCard(context.Background()); err != nil || c.Name != "欧阳淼喆" {
		t.Errorf("after plug: %v", err)
	}
	_, _ = io.WriteString(inW, "quit\n")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("devsim did not quit")
	}
}
