// Command bare is the baseline for build/bench-startup.sh: a one-label Fyne window, full screen,
// with the same first-frame probe as hallkiosk, so the kiosk's start-up cost is measured against
// what Fyne itself costs on the same machine in the same run.
package main

import (
	"fmt"
	"image/color"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

func main() {
	t0 := time.Now()
	if v, err := strconv.ParseInt(os.Getenv("HALLKIOSK_T0"), 10, 64); err == nil {
		t0 = time.Unix(0, v)
	}
	app.SetMetadata(fyne.AppMetadata{ID: "cn.hallkiosk.bare", Migrations: map[string]bool{"fyneDo": true}})
	a := app.NewWithID("cn.hallkiosk.bare")
	w := a.NewWindow("bare")
	done := make(chan struct{})
	var once sync.Once
	probe := canvas.NewRasterWithPixels(func(_, _, _, _ int) color.Color {
		once.Do(func() { close(done) })
		return color.Transparent
	})
	probe.Resize(fyne.NewSize(1, 1))
	w.SetContent(container.NewStack(widget.NewLabel("hello"), container.NewWithoutLayout(probe)))
	w.SetFullScreen(true)
	go func() {
		<-done
		fmt.Printf("first-frame-ms %.1f\n", float64(time.Since(t0).Microseconds())/1000)
		time.AfterFunc(time.Second, debug.FreeOSMemory) // as hallkiosk does, so the baseline is fair
	}()
	w.ShowAndRun()
}
