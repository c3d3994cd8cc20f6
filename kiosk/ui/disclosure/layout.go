package disclosure

import "fyne.io/fyne/v2"

// container holds objects at the positions they were given (no layout moves them).
func container(objs ...fyne.CanvasObject) *fyne.Container { return &fyne.Container{Objects: objs} }
