package i18n

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"text/template"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// TestCatalogComplete guards every catalogue file, including ones added later.
func TestCatalogComplete(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems(c.files) {
		t.Error(p)
	}
}

// problems lists, per file, what a translator must fix.
func problems(files []file) []string {
	areas := map[string]map[string]file{}
	for _, f := range files {
		if areas[f.area] == nil {
			areas[f.area] = map[string]file{}
		}
		areas[f.area][f.lang] = f
	}
	var out []string
	for _, area := range sortedKeys(areas) {
		byLang := areas[area]
		ref := map[string]reference{} // the version other languages are compared with
		var all []string
		for _, l := range Languages {
			for _, m := range byLang[l].msgs {
				if _, ok := ref[m.ID]; !ok {
					ref[m.ID] = reference{byLang[l].name, m}
					all = append(all, m.ID)
				}
			}
		}
		slices.Sort(all)
		for _, l := range Languages {
			f, exists := byLang[l]
			have := map[string]*goi18n.Message{}
			for _, m := range f.msgs {
				have[m.ID] = m
			}
			var missing []string
			for _, id := range all {
				if have[id] == nil {
					missing = append(missing, id)
				}
			}
			name := area + "." + l + ".toml"
			if !exists {
				out = append(out, fmt.Sprintf("%s: file missing; it needs %d key(s): %s", name, len(missing), strings.Join(missing, ", ")))
				continue
			}
			if len(missing) > 0 {
				out = append(out, fmt.Sprintf("%s: missing %d key(s): %s", name, len(missing), strings.Join(missing, ", ")))
			}
			for _, id := range all {
				if m := have[id]; m != nil {
					out = append(out, messageProblems(name, m, ref[id])...)
				}
			}
		}
	}
	return out
}

type reference struct {
	file string
	msg  *goi18n.Message
}

func messageProblems(name string, m *goi18n.Message, ref reference) []string {
	var out []string
	if m.Other == "" {
		out = append(out, fmt.Sprintf("%s: %q is empty", name, m.ID))
	}
	for _, src := range forms(m) {
		if _, err := template.New("").Parse(src); err != nil {
			out = append(out, fmt.Sprintf("%s: %q: %v", name, m.ID, err))
		}
	}
	if a, b := shape(m), shape(ref.msg); a != b {
		out = append(out, fmt.Sprintf("%s: %q has %s but %s has %s", name, m.ID, a, ref.file, b))
	}
	return out
}

var placeholder = regexp.MustCompile(`\{\{[^}]*?\.([A-Za-z_]\w*)`)

// shape is what every translation of a message must share: its plural forms
// and the template fields it uses.
func shape(m *goi18n.Message) string {
	var kinds, fields []string
	for kind, src := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
		if src != "" && kind != "other" {
			kinds = append(kinds, kind)
		}
		for _, sm := range placeholder.FindAllStringSubmatch(src, -1) {
			if !slices.Contains(fields, sm[1]) {
				fields = append(fields, sm[1])
			}
		}
	}
	slices.Sort(kinds)
	slices.Sort(fields)
	return fmt.Sprintf("plural forms %v and placeholders %v", kinds, fields)
}

func forms(m *goi18n.Message) []string {
	return slices.DeleteFunc([]string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other}, func(s string) bool { return s == "" })
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// The guard itself must catch what it claims to.
func TestProblemsReportsGaps(t *testing.T) {
	c, err := load(fstest.MapFS{
		"web.nb.toml":  {Data: []byte("\"a\" = \"A\"\n\"b\" = \"B {{.Name}}\"\n\"c\" = \"C\"\n[n]\none = \"en\"\nother = \"{{.Count}}\"\n")},
		"web.sv.toml":  {Data: []byte("\"a\" = \"A\"\n\"b\" = \"B\"\n\"d\" = \"\"\n\"n\" = \"{{.Count}}\"\n")},
		"web.en.toml":  {Data: []byte("\"a\" = \"{{.A\"\n")},
		"mail.nb.toml": {Data: []byte("\"mail.x\" = \"X\"\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(problems(c.files), "\n")
	for _, want := range []string{
		`mail.sv.toml: file missing; it needs 1 key(s): mail.x`,
		`mail.en.toml: file missing; it needs 1 key(s): mail.x`,
		`web.nb.toml: missing 1 key(s): d`,
		`web.sv.toml: missing 1 key(s): c`,
		`web.en.toml: missing 4 key(s): b, c, d, n`,
		`web.sv.toml: "d" is empty`,
		`web.sv.toml: "b" has plural forms [] and placeholders [] but web.nb.toml has plural forms [] and placeholders [Name]`,
		`web.sv.toml: "n" has plural forms [] and placeholders [Count] but web.nb.toml has plural forms [one] and placeholders [Count]`,
		`web.en.toml: "a": template: :1: unclosed action`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack\n  %s\ngot:\n%s", want, got)
		}
	}
}
