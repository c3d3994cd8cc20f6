// Package disclosure is the village affairs wall (村务公开) on a large screen. Today it is the
// honest placeholder saying what it will show; the disclosure issue fills it with the rotation of
// notices, tables and rosters and the hall's now-serving line, on the same shell.
package disclosure

import "hallkiosk/kiosk/ui"

// ScreenPlaceholder is the name of the placeholder screen.
const ScreenPlaceholder = "placeholder"

// App is the disclosure mode on a shell.
type App struct{ sh *ui.Shell }

// New builds the mode on sh.
func New(sh *ui.Shell) *App {
	a := &App{sh: sh}
	sh.Home = func() ui.Page {
		return sh.Placeholder(ScreenPlaceholder, sh.S.Mode.DisclosureTitle, sh.S.Mode.DisclosureBody)
	}
	return a
}

// Start shows the first screen.
func (a *App) Start() { a.sh.GoHome() }
