package usageweb

import "testing"

func TestChangeInIntegerTenths(t *testing.T) {
	for _, c := range []struct {
		lang        string
		cur, before int64
		want        string
	}{
		{"nb", 200, 100, "+100\u00a0%"},
		{"nb", 1234, 1000, "+23,4\u00a0%"},
		{"en", 1234, 1000, "+23.4\u00a0%"},
		{"nb", 2, 3, "−33,3\u00a0%"},
		{"nb", 1, 3, "−66,7\u00a0%"}, // half away from zero
		{"nb", 5, 5, "0\u00a0%"},
		{"nb", 5, 0, "–"},
	} {
		if got := change(c.lang, c.cur, c.before); got != c.want {
			t.Errorf("change(%s, %d, %d) = %q, want %q", c.lang, c.cur, c.before, got, c.want)
		}
	}
}

func TestChartScalesToRoundNumbers(t *testing.T) {
	for v, want := range map[int64]int64{0: 1, 1: 1, 3: 5, 10: 10, 11: 20, 180: 200, 201: 500, 999999: 1000000} {
		if got := niceCeil(v); got != want {
			t.Errorf("niceCeil(%d) = %d, want %d", v, got, want)
		}
	}
	c := newChart("line", "x", "nb", []string{"2024-01", "2024-02"}, []int64{0, 180})
	if top := c.YTicks[len(c.YTicks)-1]; top.Text != "200" || top.Y != chartTop {
		t.Errorf("top tick %+v, want 200 at the top", top)
	}
	if p := c.Points[1]; p.Y != c.Base-(chartH-chartTop-chartBottom)*180/200 {
		t.Errorf("180 of 200 drawn at y=%d", p.Y)
	}
	if got := groupDigits("nb", 1234567); got != "1\u00a0234\u00a0567" {
		t.Errorf("groupDigits nb = %q", got)
	}
	if got := groupDigits("en", -1234); got != "-1,234" {
		t.Errorf("groupDigits en = %q", got)
	}
}
