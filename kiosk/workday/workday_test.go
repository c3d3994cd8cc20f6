package workday

import (
	"testing"
	"time"

	"hallkiosk/assets"
)

func day(s string) time.Time {
	t, _ := time.ParseInLocation("2006-01-02", s, time.Local)
	return t
}

func TestPromisedDatesOverTheHolidays(t *testing.T) {
	c, err := Parse("built-in", assets.Holidays)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		from string
		n    int
		want string
	}{
		{"2026-03-02", 0, "2026-03-02"},  // 即办件
		{"2026-03-02", 5, "2026-03-09"},  // Monday + 5: next Monday
		{"2026-03-06", 1, "2026-03-09"},  // Friday + 1 skips the weekend
		{"2026-02-13", 1, "2026-02-14"},  // Saturday 2026-02-14 is a 调休 working day
		{"2026-02-13", 2, "2026-02-24"},  // then the Spring Festival, back on the 24th
		{"2026-09-30", 1, "2026-10-08"},  // National Day week
		{"2026-09-30", 2, "2026-10-09"},  //
		{"2026-09-30", 3, "2026-10-10"},  // Saturday 10-10 is worked
		{"2026-12-30", 3, "2027-01-04"},  // beyond the calendar: weekends only
		{"2026-04-30", 20, "2026-06-01"}, // across 劳动节, with Saturday 05-09 worked
	}
	for _, k := range cases {
		if got := c.Add(day(k.from), k.n).Format("2006-01-02"); got != k.want {
			t.Errorf("%s + %d working days = %s, want %s", k.from, k.n, got, k.want)
		}
	}
	if c.Covers(day("2027-01-04")) || !c.Covers(day("2026-01-04")) {
		t.Error("Covers")
	}
}

func TestParseRefusesBadCalendars(t *testing.T) {
	for name, data := range map[string]string{
		"not json":     `{`,
		"bad date":     `{"years":[2026],"holidays":["2026-13-01"]}`,
		"outside year": `{"years":[2026],"holidays":["2027-01-01"]}`,
		"both":         `{"years":[2026],"holidays":["2026-01-04"],"workdays":["2026-01-04"]}`,
	} {
		if _, err := Parse("test.json", []byte(data)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
