package i18n

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadEmbedded(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range Languages {
		if got := c.T(l, "lang.sv", nil); got != "Svenska" {
			t.Errorf("T(%s, lang.sv) = %q", l, got)
		}
		if !c.Has(l, "error.internal") {
			t.Errorf("%s lacks error.internal", l)
		}
	}
	want := "Someone else saved this record after you opened it. Reload to see their change, then make yours again."
	if got := c.T("en", "error.conflict", nil); got != want {
		t.Errorf("error.conflict = %q", got)
	}
}

func testCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := load(fstest.MapFS{
		"t.nb.toml": {Data: []byte(`
"hello" = "Hei, {{.Name}}!"
"only.nb" = "Bare bokmål"
"empty.sv" = "Tom på svensk"
["libs"]
one = "{{.Count}} bibliotek"
other = "{{.Count}} bibliotek"
`)},
		"t.sv.toml": {Data: []byte(`
"hello" = "Hej, {{.Name}}!"
"empty.sv" = ""
["libs"]
one = "ett bibliotek"
other = "{{.Count}} bibliotek"
`)},
		"t.en.toml": {Data: []byte(`
"hello" = "Hello, {{.Name}}!"
"only.en" = "English only"
["libs"]
one = "{{.Count}} library"
other = "{{.Count}} libraries"
`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestT(t *testing.T) {
	c := testCatalog(t)
	for _, tc := range []struct {
		lang, id string
		data     map[string]any
		want     string
	}{
		{"nb", "hello", map[string]any{"Name": "Kari"}, "Hei, Kari!"},
		{"sv", "hello", map[string]any{"Name": "Kari"}, "Hej, Kari!"},
		{"en", "hello", map[string]any{"Name": "Kari"}, "Hello, Kari!"},
		{"sv-FI", "hello", map[string]any{"Name": "Kari"}, "Hej, Kari!"},
		{"de", "hello", map[string]any{"Name": "Kari"}, "Hei, Kari!"},
		{"", "hello", map[string]any{"Name": "Kari"}, "Hei, Kari!"},
		{"en", "libs", map[string]any{"Count": 1}, "1 library"},
		{"en", "libs", map[string]any{"Count": 3}, "3 libraries"},
		{"sv", "libs", map[string]any{"Count": 1}, "ett bibliotek"},
		{"sv", "libs", map[string]any{"Count": 12}, "12 bibliotek"},
		{"sv", "only.nb", nil, "Bare bokmål"},  // falls back to nb
		{"sv", "only.en", nil, "English only"}, // then to en
		{"nb", "only.en", nil, "English only"},
		{"sv", "empty.sv", nil, "Tom på svensk"}, // empty counts as missing
		{"sv", "no.such.key", nil, "no.such.key"},
	} {
		if got := c.T(tc.lang, tc.id, tc.data); got != tc.want {
			t.Errorf("T(%q, %q, %v) = %q, want %q", tc.lang, tc.id, tc.data, got, tc.want)
		}
	}
}

func TestHasAndKeys(t *testing.T) {
	c := testCatalog(t)
	if !c.Has("nb", "only.nb") || c.Has("sv", "only.nb") || c.Has("nb", "only.en") {
		t.Error("Has must not fall back")
	}
	if got := c.Keys("sv"); !slices.Equal(got, []string{"empty.sv", "hello", "libs"}) {
		t.Errorf("Keys(sv) = %v", got)
	}
	if got := c.Keys("de"); len(got) != 0 {
		t.Errorf("Keys(de) = %v", got)
	}
}

func TestLoadErrorsNameTheFile(t *testing.T) {
	for _, tc := range []struct {
		files fstest.MapFS
		want  []string
	}{
		{fstest.MapFS{"web.nb.toml": {Data: []byte(`"a" = `)}}, []string{"web.nb.toml"}},
		{fstest.MapFS{"web.de.toml": {Data: []byte(`"a" = "A"`)}}, []string{"web.de.toml"}},
		{fstest.MapFS{"nb.toml": {Data: []byte(`"a" = "A"`)}}, []string{"nb.toml"}},
		{fstest.MapFS{
			"core.nb.toml": {Data: []byte(`"a" = "A"`)},
			"web.nb.toml":  {Data: []byte(`"a" = "B"`)},
		}, []string{"web.nb.toml", "core.nb.toml", `"a"`}},
	} {
		_, err := load(tc.files)
		if err == nil {
			t.Errorf("load(%v) succeeded", tc.want)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not name %s", err, w)
			}
		}
	}
}

// Handlers share one Catalog; run with -race.
func TestConcurrentT(t *testing.T) {
	c := testCatalog(t)
	done := make(chan string)
	for i := range 8 {
		go func() { done <- c.T(Languages[i%3], "libs", map[string]any{"Count": i}) }()
	}
	for range 8 {
		if got := <-done; got == "libs" {
			t.Error("T returned the id")
		}
	}
}
