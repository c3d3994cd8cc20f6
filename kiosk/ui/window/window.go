// Package window is the comprehensive window's (综合窗口) mode for staff. Today it is the honest
// placeholder saying what it will do; the window issue fills it with sign-in, the hall's queue,
// intake and proxy cases, on the same shell as the resident's kiosk.
package window

import "hallkiosk/kiosk/ui"

// ScreenPlaceholder is the name of the placeholder screen.
const ScreenPlaceholder = "placeholder"

// App is the window mode on a shell.
type App struct{ sh *ui.Shell }

// New builds the mode on sh.
func New(sh *ui.Shell) *App {
	a := &App{sh: sh}
	sh.Home = func() ui.Page { return sh.Placeholder(ScreenPlaceholder, sh.S.Mode.WindowTitle, sh.S.Mode.WindowBody) }
	return a
}

// Start shows the first screen.
func (a *App) Start() { a.sh.GoHome() }
