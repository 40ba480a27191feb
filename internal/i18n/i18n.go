// Package i18n is the message catalogue. Every user-visible string goes through it.
//
// Catalogue files live in locales/, are named <area>.<lang>.toml and use the
// go-i18n TOML format with flat keys ("nav.libraries" = "Bibliotek"). See
// locales/README.md for the conventions that TestCatalogComplete enforces.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Default serves requests that name no supported language, and is the first fallback
// for a missing message.
const Default = "nb"

// Languages lists the supported languages; every catalogue area needs a file for each.
var Languages = []string{"nb", "sv", "en"}

//go:embed locales/*.toml
var embedded embed.FS

// Catalog is safe for concurrent use once loaded.
type Catalog struct {
	localizers map[string]*goi18n.Localizer
	msgs       map[string]map[string]*goi18n.Message // lang → id → message
	files      []file                                // kept for the completeness tests
}

type file struct {
	name, area, lang string
	msgs             []*goi18n.Message
}

// Load parses every embedded catalogue file. Errors name the file, and a key
// defined twice for one language is an error because go-i18n would keep either.
func Load() (*Catalog, error) {
	sub, err := fs.Sub(embedded, "locales")
	if err != nil {
		return nil, err
	}
	return load(sub)
}

func load(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, err
	}
	bundle := goi18n.NewBundle(language.Make(Default))
	c := &Catalog{localizers: map[string]*goi18n.Localizer{}, msgs: map[string]map[string]*goi18n.Message{}}
	from := map[string]string{} // lang+id → file, to name both files of a duplicate
	for _, name := range names {
		stem, _ := strings.CutSuffix(name, ".toml")
		i := strings.LastIndex(stem, ".")
		if i <= 0 || !slices.Contains(Languages, stem[i+1:]) {
			return nil, fmt.Errorf("i18n: %s: name must be <area>.<lang>.toml with lang one of %v", name, Languages)
		}
		f := file{name: name, area: stem[:i], lang: stem[i+1:]}
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		if f.msgs, err = goi18n.ParseMessageBytes(buf, toml.Unmarshal); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		if c.msgs[f.lang] == nil {
			c.msgs[f.lang] = map[string]*goi18n.Message{}
		}
		for _, m := range f.msgs {
			if prev, dup := from[f.lang+" "+m.ID]; dup {
				return nil, fmt.Errorf("i18n: %s: %q is also defined in %s", name, m.ID, prev)
			}
			from[f.lang+" "+m.ID] = name
			c.msgs[f.lang][m.ID] = m
		}
		if err := bundle.AddMessages(language.Make(f.lang), f.msgs...); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		c.files = append(c.files, f)
	}
	for _, l := range Languages {
		c.localizers[l] = goi18n.NewLocalizer(bundle, l)
	}
	return c, nil
}

// T translates id. If data has "Count", it also selects the plural form.
// A message missing or empty in lang comes from nb, then en; failing those,
// the id itself is returned so a gap shows on screen instead of a blank.
// lang may be any tag Pick understands ("nb-NO", "sv-FI").
func (c *Catalog) T(lang, id string, data map[string]any) string {
	for _, l := range chain(lang) {
		if c.msgs[l][id] == nil {
			continue
		}
		cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data}
		if n, ok := data["Count"]; ok {
			cfg.PluralCount = n
		}
		// Localize may return text with an error (a missing plural form falls
		// back to "other"); the text is still what the user should see.
		if out, _ := c.localizers[l].Localize(cfg); out != "" {
			return out
		}
	}
	return id
}

func chain(lang string) []string {
	out := []string{Default, "en"}
	if l := match(lang); l != "" {
		out = slices.Insert(slices.DeleteFunc(out, func(s string) bool { return s == l }), 0, l)
	}
	return out
}

// Has reports whether id exists in lang, an exact code from Languages, without fallback.
func (c *Catalog) Has(lang, id string) bool {
	_, ok := c.msgs[lang][id]
	return ok
}

// Keys lists the message IDs of lang (an exact code from Languages), sorted.
func (c *Catalog) Keys(lang string) []string {
	keys := make([]string, 0, len(c.msgs[lang]))
	for id := range c.msgs[lang] {
		keys = append(keys, id)
	}
	slices.Sort(keys)
	return keys
}
