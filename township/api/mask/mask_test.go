package mask

import (
	"strings"
	"testing"
)

func TestName(t *testing.T) {
	for in, want := range map[string]string{"张三": "张*", "张小三": "张*三", "欧阳淼喆": "欧**喆", "王": "*", "": "", " 李四 ": "李*"} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIDShowsEightCharactersAtMost(t *testing.T) {
	id := "610403195103072011"
	if got := ID(id); got != "6104**********2011" {
		t.Errorf("ID = %q", got)
	}
	// Whatever the length, never more than head+tail characters survive.
	for _, in := range []string{id, "12345678", "123456789", "M123456(7)", ""} {
		got := ID(in)
		if n := len([]rune(got)) - strings.Count(got, "*"); n > IDKeepHead+IDKeepTail {
			t.Errorf("ID(%q) = %q keeps %d characters", in, got, n)
		}
		if len([]rune(got)) != len([]rune(in)) {
			t.Errorf("ID(%q) = %q changes the length", in, got)
		}
	}
}

func TestPhone(t *testing.T) {
	for in, want := range map[string]string{"13812345678": "138****5678", "029876543": "029**6543", "12345": "*****"} {
		if got := Phone(in); got != want {
			t.Errorf("Phone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAddress(t *testing.T) {
	for in, want := range map[string]string{
		"陕西省杨凌示范区五泉镇王上村三组18号": "陕西省杨凌示范区五泉镇****",
		"陕西省西安市新城区长乐街道幸福路1号":  "陕西省西安市新城区长乐街道****",
		"北京市朝阳区某路":            "北京市朝阳区****",
	} {
		if got := Address(in); got != want {
			t.Errorf("Address(%q) = %q, want %q", in, got, want)
		}
	}
}
