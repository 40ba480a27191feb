package validate

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"text/template"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// argsFor is the contract with the translators: exactly these template
// arguments come with each code.
var argsFor = map[string][]string{
	CodeTypeUnknown:      nil,
	CodeISILEmpty:        nil,
	CodeISILTooLong:      {"Len", "Max"},
	CodeISILCharset:      {"Char"},
	CodeISILPrefix:       nil,
	CodeISILNoForm:       nil,
	CodeISILTypeMismatch: {"Digit", "Type"},
	CodeOrgEmpty:         nil,
	CodeOrgLength:        {"Want"},
	CodeOrgDigits:        nil,
	CodeOrgChecksum:      nil,
	CodeOrgCountry:       {"Country"},
	CodeLatitude:         {"Max", "Min"},
	CodeLongitude:        {"Max", "Min"},
	CodeCoordNumber:      nil,
	CodeEmail:            nil,
	CodeURL:              nil,
	CodeIPEmpty:          nil,
	CodeIPSyntax:         nil,
	CodeIPFamilyMix:      nil,
	CodeIPReversed:       nil,
	CodeIPHostBits:       {"Suggest"},
	CodeIPNotPublic:      {"Block", "Kind"},
	CodeIPTooWide:        {"Max"},
}

// sampleArgs are plausible values for every argument, for rendering tests.
var sampleArgs = map[string]any{
	"Len": 17, "Max": 16, "Min": -90, "Char": "æ", "Digit": "3", "Type": TypePublic,
	"Want": 9, "Country": "DK", "Suggest": "193.157.0.0/16", "Block": "10.0.0.0/8", "Kind": KindPrivate,
}

var (
	seenMu sync.Mutex
	seen   = map[string]bool{}
)

// TestMain checks, after a full run, that the tests provoked every code in
// Codes: a code nothing returns is dead weight for the translators, and one
// that is returned but not listed is caught by checkProblem.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" {
		var missing []string
		for _, c := range Codes {
			if !seen[c] {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: no test produced these codes: %v\n", missing)
			code = 1
		}
	}
	os.Exit(code)
}

// wantCode fails unless p has the code want ("" for no problem), and checks
// the Problem's shape whatever it is.
func wantCode(t *testing.T, p *Problem, want string) {
	t.Helper()
	if p != nil {
		checkProblem(t, p)
	}
	switch {
	case want == "" && p != nil:
		t.Errorf("unexpected problem %s: %v", p.Code, p)
	case want != "" && p == nil:
		t.Errorf("no problem, want %s", want)
	case want != "" && p.Code != want:
		t.Errorf("code %s, want %s (%v)", p.Code, want, p)
	}
}

// checkProblem: a listed code, exactly the documented arguments, and an
// English rendering with every placeholder filled.
func checkProblem(t *testing.T, p *Problem) {
	t.Helper()
	seenMu.Lock()
	seen[p.Code] = true
	seenMu.Unlock()
	if !slices.Contains(Codes, p.Code) {
		t.Errorf("code %q is not in Codes", p.Code)
	}
	var names []string
	for k := range p.Args {
		names = append(names, k)
	}
	sort.Strings(names)
	if want := argsFor[p.Code]; !slices.Equal(names, want) {
		t.Errorf("%s: args %v, want %v", p.Code, names, want)
	}
	if p.Field == "" {
		t.Errorf("%s: empty Field", p.Code)
	}
	msg := p.Error()
	if strings.Contains(msg, "<no value>") || strings.Contains(msg, "{{") || strings.Contains(msg, "validate.") {
		t.Errorf("%s: badly rendered: %s", p.Code, msg)
	}
}

func TestProblemError(t *testing.T) {
	_, p := ISIL("NO-00300001234567")
	want := `isil: An ISIL can have at most 16 characters (this one has 17) (value "NO-00300001234567")`
	if p == nil || p.Error() != want {
		t.Errorf("Error() = %v\nwant      %s", p, want)
	}
	// An unknown code still yields something readable rather than a panic.
	if got := (&Problem{Field: "x", Code: "nope", Value: "v"}).Error(); got != `x: nope (value "v")` {
		t.Errorf("unknown code: %s", got)
	}
}

func TestCodesListed(t *testing.T) {
	if len(Codes) != len(argsFor) {
		t.Errorf("Codes has %d entries, argsFor %d", len(Codes), len(argsFor))
	}
	dup := map[string]bool{}
	for _, c := range Codes {
		if dup[c] {
			t.Errorf("duplicate code %s", c)
		}
		dup[c] = true
		if _, ok := argsFor[c]; !ok {
			t.Errorf("%s: not in argsFor", c)
		}
		if _, ok := english[c]; !ok {
			t.Errorf("%s: no English text", c)
		}
	}
	if len(english) != len(Codes) {
		t.Errorf("english has %d entries, Codes %d", len(english), len(Codes))
	}
}

var localeDir = filepath.Join("..", "i18n", "locales")

func loadLocale(t *testing.T, lang string) map[string]string {
	t.Helper()
	var raw map[string]any
	path := filepath.Join(localeDir, "validate."+lang+".toml")
	if _, err := toml.DecodeFile(path, &raw); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := map[string]string{}
	for k, v := range raw {
		s, ok := v.(string)
		if !ok {
			t.Errorf("%s: %s is a %T, want a plain string", path, k, v)
			continue
		}
		out[k] = s
	}
	return out
}

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

func TestTranslations(t *testing.T) {
	langs := []string{"nb", "sv", "en"}
	files := map[string]map[string]string{}
	for _, lang := range langs {
		files[lang] = loadLocale(t, lang)
	}
	for _, lang := range langs {
		msgs := files[lang]
		for _, c := range Codes {
			if _, ok := msgs[c]; !ok {
				t.Errorf("validate.%s.toml: missing %s", lang, c)
			}
		}
		for k, text := range msgs {
			for _, other := range langs {
				if _, ok := files[other][k]; !ok {
					t.Errorf("validate.%s.toml has %s, validate.%s.toml lacks it", lang, k, other)
				}
			}
			allowed, ok := argsFor[k]
			if !ok {
				t.Errorf("validate.%s.toml: %s is not a code of this package", lang, k)
			}
			for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
				if !slices.Contains(allowed, m[1]) {
					t.Errorf("validate.%s.toml: %s uses {{.%s}}, which %s does not provide", lang, k, m[1], k)
				}
			}
			args := map[string]any{}
			for _, a := range allowed {
				args[a] = sampleArgs[a]
			}
			tpl, err := template.New(k).Option("missingkey=error").Parse(text)
			if err != nil {
				t.Errorf("validate.%s.toml: %s: %v", lang, k, err)
				continue
			}
			var b strings.Builder
			if err := tpl.Execute(&b, args); err != nil {
				t.Errorf("validate.%s.toml: %s: %v", lang, k, err)
			}
			if strings.TrimSpace(text) == "" || strings.Contains(b.String(), "{{") {
				t.Errorf("validate.%s.toml: %s renders as %q", lang, k, b.String())
			}
		}
	}
	// internal/i18n's catalogue test demands the same placeholders in every
	// language; checking here too keeps the failure next to its cause.
	for _, c := range Codes {
		var first []string
		for i, lang := range langs {
			var names []string
			for _, m := range placeholder.FindAllStringSubmatch(files[lang][c], -1) {
				names = append(names, m[1])
			}
			sort.Strings(names)
			names = slices.Compact(names)
			if i == 0 {
				first = names
			} else if !slices.Equal(names, first) {
				t.Errorf("%s: validate.%s.toml uses %v, validate.%s.toml %v", c, lang, names, langs[0], first)
			}
		}
	}

	// Error() speaks English; it must say what the English UI says.
	for c, text := range english {
		if files["en"][c] != text {
			t.Errorf("%s: validate.en.toml says %q, problem.go says %q", c, files["en"][c], text)
		}
	}
}

// TestTranslationsGoI18n loads the files the way the product does, so a
// format go-i18n reads differently from plain TOML would show up here.
func TestTranslationsGoI18n(t *testing.T) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, lang := range []string{"nb", "sv", "en"} {
		if _, err := b.LoadMessageFile(filepath.Join(localeDir, "validate."+lang+".toml")); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct{ lang, want string }{
		{"nb", "ISIL kan ha høyst 16 tegn (har 17)."},
		{"sv", "En ISIL får ha högst 16 tecken (den här har 17)."},
		{"en", "An ISIL can have at most 16 characters (this one has 17)."},
	}
	_, p := ISIL("NO-00300001234567")
	for _, c := range cases {
		got, err := i18n.NewLocalizer(b, c.lang).Localize(&i18n.LocalizeConfig{MessageID: p.Code, TemplateData: p.Args})
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.lang, got, err, c.want)
		}
	}
}
