package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"hallkiosk/assets"
)

// Point sizes from the elder-friendly rules (domain.md): body text at least 18 pt on the kiosk, and
// at least 30 pt in elder mode (长辈版).
const (
	BodyPt  = 18
	ElderPt = 30
	// DeskPt is the staff window's body size: a desk screen read from 60 cm, with more on it.
	DeskPt = 12
	// MinTargetDP and ElderTargetDP are the smallest touch targets, in dp (1/160 inch).
	MinTargetDP   = 44
	ElderTargetDP = 60
	// DeskTargetDP is the staff window's smallest target, for a mouse.
	DeskTargetDP = 32
)

var fontResource = fyne.NewStaticResource(assets.FontName, assets.FontCJK)

// Theme is the kiosk look: the bundled CJK font for every style, a light high-contrast palette, and
// sizes computed from physical points at the screen's DPI so "18 pt" means 18 pt on the glass.
type Theme struct {
	Elder bool
	// Desk is the staff window's density: keyboard and mouse, read from arm's length (DeskPt).
	Desk bool
	// DPI of the screen; Fyne's own scale is 1.0 below 120 DPI, so one Fyne unit is one pixel there.
	DPI float32
}

// NewTheme makes the theme for a screen of the given DPI.
func NewTheme(dpi float32, elder bool) *Theme { return &Theme{Elder: elder, DPI: dpi} }

// PxPerPt converts typographic points (1/72 inch) to Fyne units on this screen.
func (t *Theme) PxPerPt() float32 { return t.DPI / 72 }

// PxPerDP converts Android-style dp (1/160 inch) to Fyne units on this screen.
func (t *Theme) PxPerDP() float32 { return t.DPI / 160 }

// TextPt is the body size in points for the current mode.
func (t *Theme) TextPt() float32 {
	if t.Desk {
		return DeskPt
	}
	if t.Elder {
		return ElderPt
	}
	return BodyPt
}

// MinTarget is the smallest allowed touch target edge in Fyne units for the current mode.
func (t *Theme) MinTarget() float32 {
	dp := float32(MinTargetDP)
	if t.Desk {
		dp = DeskTargetDP
	}
	if t.Elder {
		dp = ElderTargetDP
	}
	return dp * t.PxPerDP()
}

// Palette; the Col* colours are the ones screens draw text in. Text colours are checked against every background they are drawn on (theme_test.go).
var (
	ColBackground   = color.NRGBA{0xFA, 0xFA, 0xF7, 0xFF} // warm white, less glare than pure white
	ColText         = color.NRGBA{0x1A, 0x1A, 0x1A, 0xFF}
	ColPrimary      = color.NRGBA{0x0A, 0x47, 0x8C, 0xFF} // government blue
	ColOnPrimary    = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	colButton       = color.NRGBA{0xEA, 0xEF, 0xF6, 0xFF}
	colDisabledBtn  = color.NRGBA{0xEC, 0xEC, 0xEA, 0xFF}
	colDisabledText = color.NRGBA{0x5E, 0x5E, 0x5E, 0xFF}
	colPlaceholder  = color.NRGBA{0x4A, 0x4A, 0x4A, 0xFF}
	colInput        = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	colInputBorder  = color.NRGBA{0x6B, 0x6B, 0x6B, 0xFF}
	ColError        = color.NRGBA{0x9E, 0x16, 0x16, 0xFF}
	ColSuccess      = color.NRGBA{0x17, 0x52, 0x1B, 0xFF}
	colWarning      = color.NRGBA{0x75, 0x3E, 0x00, 0xFF}
	ColHeader       = color.NRGBA{0x0B, 0x4F, 0x9C, 0xFF}
	// ColCover veils a held screen (an update on trial): it shows through, dimmed, under the message.
	ColCover     = color.NRGBA{0xFA, 0xFA, 0xF7, 0xE6}
	ColSeparator = color.NRGBA{0xB8, 0xBE, 0xC8, 0xFF}
	colScrollBar = color.NRGBA{0x55, 0x5F, 0x6D, 0xFF}
	colScrollBg  = color.NRGBA{0xDD, 0xE1, 0xE7, 0xFF}
	colHover     = color.NRGBA{0x0B, 0x4F, 0x9C, 0x1F}
	colPressed   = color.NRGBA{0x0B, 0x4F, 0x9C, 0x2A}
	colSelection = color.NRGBA{0xC9, 0xDB, 0xF2, 0xFF}
	colFocus     = color.NRGBA{0x0B, 0x4F, 0x9C, 0x66}
	colShadow    = color.NRGBA{0x00, 0x00, 0x00, 0x33}
	colOverlay   = color.NRGBA{0xFA, 0xFA, 0xF7, 0xFF}
)

// Color returns the kiosk palette; there is one variant, light, for bright halls.
func (t *Theme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameBackground:
		return ColBackground
	case theme.ColorNameForeground:
		return ColText
	case theme.ColorNamePrimary, theme.ColorNameHyperlink:
		return ColPrimary
	case theme.ColorNameForegroundOnPrimary, theme.ColorNameForegroundOnError, theme.ColorNameForegroundOnSuccess,
		theme.ColorNameForegroundOnWarning:
		return ColOnPrimary
	case theme.ColorNameButton:
		return colButton
	case theme.ColorNameDisabledButton:
		return colDisabledBtn
	case theme.ColorNameDisabled:
		return colDisabledText
	case theme.ColorNamePlaceHolder:
		return colPlaceholder
	case theme.ColorNameInputBackground:
		return colInput
	case theme.ColorNameInputBorder:
		return colInputBorder
	case theme.ColorNameError:
		return ColError
	case theme.ColorNameSuccess:
		return ColSuccess
	case theme.ColorNameWarning:
		return colWarning
	case theme.ColorNameHeaderBackground:
		return ColHeader
	case theme.ColorNameSeparator:
		return ColSeparator
	case theme.ColorNameScrollBar:
		return colScrollBar
	case theme.ColorNameScrollBarBackground:
		return colScrollBg
	case theme.ColorNameHover:
		return colHover
	case theme.ColorNamePressed:
		return colPressed
	case theme.ColorNameSelection:
		return colSelection
	case theme.ColorNameFocus:
		return colFocus
	case theme.ColorNameShadow:
		return colShadow
	case theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground:
		return colOverlay
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

// Font returns the bundled CJK face for every style: the host's fonts have no CJK glyphs.
func (t *Theme) Font(fyne.TextStyle) fyne.Resource { return fontResource }

// Icon keeps Fyne's icons.
func (t *Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// Size scales text from points and keeps spacing and scroll bars large enough for fingers.
func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	text := t.TextPt() * t.PxPerPt()
	switch n {
	case theme.SizeNameText, theme.SizeNameCaptionText:
		return text
	case theme.SizeNameSubHeadingText:
		return text * 1.25
	case theme.SizeNameHeadingText:
		return text * 1.5
	case theme.SizeNamePadding:
		return text * 0.35
	case theme.SizeNameInnerPadding:
		return text * 0.6
	case theme.SizeNameLineSpacing:
		return text * 0.15
	case theme.SizeNameScrollBar:
		return t.MinTarget() * 1.2
	case theme.SizeNameScrollBarSmall:
		return t.MinTarget() * 0.6
	case theme.SizeNameInlineIcon:
		return text
	case theme.SizeNameInputBorder:
		return 2
	case theme.SizeNameSeparatorThickness:
		return 2
	case theme.SizeNameButtonRadius, theme.SizeNameInputRadius:
		return 8
	}
	return theme.DefaultTheme().Size(n)
}
