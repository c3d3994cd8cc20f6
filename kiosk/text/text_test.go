package text

import (
	"strings"
	"testing"
)

func TestEmbeddedStringsComplete(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if s.App.Home != "返回首页" || s.App.ElderOn != "长辈版" {
		t.Errorf("unexpected strings: %q %q", s.App.Home, s.App.ElderOn)
	}
	if got := N(s.Home.ItemsCount, 7); got != "共 7 项" {
		t.Errorf("N = %q", got)
	}
}

func TestStrictParse(t *testing.T) {
	if _, err := Parse([]byte("[app]\ntitel = \"x\"\n")); err == nil || !strings.Contains(err.Error(), "app.titel") {
		t.Errorf("misspelt key: %v", err)
	}
	if _, err := Parse([]byte("[app]\ntitle = \"x\"\n")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing keys: %v", err)
	}
}
