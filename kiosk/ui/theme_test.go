package ui

import (
	"bytes"

	"fmt"
	"image"
	"image/color"
	"math"
	"testing"

	gotextfont "github.com/go-text/typesetting/font"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/software"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// luminance and contrast follow WCAG 2.x, the measure the elder-friendly rules cite.
func luminance(c color.Color) float64 {
	r, g, b, _ := color.NRGBAModel.Convert(c).RGBA()
	lin := func(v uint32) float64 {
		s := float64(v>>8) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// over composites a translucent colour over an opaque one, as the screen shows hover and pressed.
func over(top, bottom color.Color) color.Color {
	t := color.NRGBAModel.Convert(top).(color.NRGBA)
	b := color.NRGBAModel.Convert(bottom).(color.NRGBA)
	a := float64(t.A) / 255
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*a + float64(y)*(1-a))) }
	return color.NRGBA{mix(t.R, b.R), mix(t.G, b.G), mix(t.B, b.B), 0xFF}
}

// TestEveryTextBackgroundPairHasContrast checks every text colour on every background the theme
// draws it on, hovered and pressed states included, against 4.5:1.
func TestEveryTextBackgroundPairHasContrast(t *testing.T) {
	th := NewTheme(102, false)
	c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, theme.VariantLight) }
	bg, btn, input := c(theme.ColorNameBackground), c(theme.ColorNameButton), c(theme.ColorNameInputBackground)
	primary := c(theme.ColorNamePrimary)
	type pair struct {
		text, on fyne.ThemeColorName
		onColor  color.Color
	}
	surfaces := map[string]color.Color{
		"background": bg, "button": btn, "input": input,
		"button+hover":   over(c(theme.ColorNameHover), btn),
		"button+pressed": over(c(theme.ColorNamePressed), btn),
		"selection":      c(theme.ColorNameSelection),
		"overlay":        c(theme.ColorNameOverlayBackground),
	}
	texts := []fyne.ThemeColorName{theme.ColorNameForeground, theme.ColorNamePlaceHolder, theme.ColorNameHyperlink,
		theme.ColorNameError, theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNamePrimary}
	n := 0
	for sname, surf := range surfaces {
		for _, tn := range texts {
			n++
			if r := contrast(c(tn), surf); r < 4.5 {
				t.Errorf("%s text on %s: %.2f:1, want >= 4.5", tn, sname, r)
			}
		}
	}
	onColoured := []struct {
		text, surface fyne.ThemeColorName
	}{
		{theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary},
		{theme.ColorNameForegroundOnPrimary, theme.ColorNameHeaderBackground},
		{theme.ColorNameForegroundOnError, theme.ColorNameError},
		{theme.ColorNameForegroundOnSuccess, theme.ColorNameSuccess},
		{theme.ColorNameForegroundOnWarning, theme.ColorNameWarning},
		{theme.ColorNameDisabled, theme.ColorNameDisabledButton},
		{theme.ColorNameDisabled, theme.ColorNameBackground},
	}
	for _, p := range onColoured {
		n++
		if r := contrast(c(p.text), c(p.surface)); r < 4.5 {
			t.Errorf("%s on %s: %.2f:1, want >= 4.5", p.text, p.surface, r)
		}
	}
	// High-importance buttons: white on primary, also when hovered or pressed.
	for _, st := range []fyne.ThemeColorName{theme.ColorNameHover, theme.ColorNamePressed} {
		n++
		if r := contrast(c(theme.ColorNameForegroundOnPrimary), over(c(st), primary)); r < 4.5 {
			t.Errorf("text on primary+%s: %.2f:1", st, r)
		}
	}
	t.Logf("checked %d text/background pairs", n)
	if n < 50 {
		t.Fatal("too few pairs checked")
	}
}

func TestTextSizesMeetElderRules(t *testing.T) {
	for _, dpi := range []float32{96, 102, 110} {
		normal, elder := NewTheme(dpi, false), NewTheme(dpi, true)
		pt := func(th *Theme, n fyne.ThemeSizeName) float32 { return th.Size(n)/th.PxPerPt() + 1e-3 }
		for _, n := range []fyne.ThemeSizeName{theme.SizeNameText, theme.SizeNameCaptionText, theme.SizeNameSubHeadingText, theme.SizeNameHeadingText} {
			if got := pt(normal, n); got < 18 {
				t.Errorf("dpi %g: %s is %.1f pt, want >= 18", dpi, n, got)
			}
			if got := pt(elder, n); got < 30 {
				t.Errorf("dpi %g elder: %s is %.1f pt, want >= 30", dpi, n, got)
			}
		}
	}
}

func TestLineSpacingAtLeast1_3(t *testing.T) {
	a := test.NewTempApp(t)
	for _, elder := range []bool{false, true} {
		th := NewTheme(102, elder)
		a.Settings().SetTheme(th)
		size := th.Size(theme.SizeNameText)
		one := fyne.MeasureText("办事指南", size, fyne.TextStyle{})
		if ratio := (one.Height + th.Size(theme.SizeNameLineSpacing)) / size; ratio < 1.3 {
			t.Errorf("elder=%v: line height %.2fx the text size, want >= 1.3", elder, ratio)
		}
	}
}

// TestRareCharactersDrawRealGlyphs renders names from ID cards, rare characters included, with the
// kiosk theme and checks each is a distinct glyph with ink, not the box drawn for a missing glyph.
func TestRareCharactersDrawRealGlyphs(t *testing.T) {
	test.NewTempApp(t)
	th := NewTheme(102, false)
	render := func(s string) *image.NRGBA {
		txt := canvas.NewText(s, color.Black)
		txt.TextSize = 48
		c := software.NewCanvas()
		c.SetContent(txt)
		c.Resize(fyne.NewSize(64, 72))
		fyne.CurrentApp().Settings().SetTheme(th)
		img := software.RenderCanvas(c, th)
		out := image.NewNRGBA(img.Bounds())
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
			for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
				out.Set(x, y, img.At(x, y))
			}
		}
		return out
	}
	ink := func(img *image.NRGBA) int {
		n := 0
		for i := 0; i < len(img.Pix); i += 4 {
			if img.Pix[i] < 128 {
				n++
			}
		}
		return n
	}
	missing := render(string(rune(0x10FFFD))) // a code point no font has: the not-found box
	// 䶮 (Ext A, in real names), 龑 𬭎-free BMP picks, common surname and place characters.
	chars := []rune{'䶮', '㛃', '䜣', '龑', '堃', '喆', '淼', '昇', '婧', '张', '三', '村'}
	seen := map[string]rune{}
	for _, r := range chars {
		img := render(string(r))
		if ink(img) < 40 {
			t.Errorf("%c U+%04X drew almost nothing (%d dark pixels)", r, r, ink(img))
		}
		key := string(img.Pix)
		if key == string(missing.Pix) {
			t.Errorf("%c U+%04X drew the missing-glyph box", r, r)
		}
		if prev, dup := seen[key]; dup {
			t.Errorf("%c and %c drew the same image: a placeholder, not glyphs", prev, r)
		}
		seen[key] = r
	}
	if testing.Verbose() {
		fmt.Println("rendered", len(chars), "characters with distinct glyphs")
	}
}

// TestThemeFontCoversCJKAndExtensionA checks the font the theme hands Fyne, not whatever the host
// has installed: every CJK Unified Ideograph up to Unicode 12 and all of Extension A in use on ID
// cards must map to a glyph in it, for every text style.
func TestThemeFontCoversCJKAndExtensionA(t *testing.T) {
	th := NewTheme(102, false)
	for _, style := range []fyne.TextStyle{{}, {Bold: true}, {Italic: true}, {Monospace: true}} {
		res := th.Font(style)
		face, err := gotextfont.ParseTTF(bytes.NewReader(res.Content()))
		if err != nil {
			t.Fatalf("style %+v: theme font %s does not parse: %v", style, res.Name(), err)
		}
		missing := 0
		for _, block := range [][2]rune{{0x4E00, 0x9FEF}, {0x3400, 0x4DB5}} {
			for r := block[0]; r <= block[1]; r++ {
				if _, ok := face.NominalGlyph(r); !ok {
					missing++
					if missing < 5 {
						t.Errorf("style %+v: U+%04X %c has no glyph", style, r, r)
					}
				}
			}
		}
		if missing > 0 {
			t.Errorf("style %+v: %d CJK characters missing", style, missing)
		}
	}
}
