package products

import (
	"context"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
)

// TextLangs are the languages a product's texts are written in; nb is the
// one every product must have and the one the others fall back to.
var TextLangs = []string{"nb", "sv", "en"}

// TextFields are the text fields in the order every product page shows
// them: the description, then the four standard answers.
var TextFields = []string{"description", "answer_access", "answer_home", "answer_share", "answer_support"}

// AnswerFields are the four standard answers, in page order.
var AnswerFields = TextFields[1:]

// TextInput is a product's texts in one language.
type TextInput struct {
	Description   string `json:"description,omitempty"`
	AnswerAccess  string `json:"answer_access,omitempty" doc:"How do I get access?"`
	AnswerHome    string `json:"answer_home,omitempty" doc:"Can I use it from home?"`
	AnswerShare   string `json:"answer_share,omitempty" doc:"Can I share it with other libraries?"`
	AnswerSupport string `json:"answer_support,omitempty" doc:"Whom do I contact when it does not work?"`
	// Version, when not 0, must be the product's version the caller read.
	Version int64 `json:"version,omitempty"`
}

// Field returns the text field named f (one of TextFields).
func (t ProductText) Field(f string) string {
	switch f {
	case "description":
		return t.Description
	case "answer_access":
		return t.AnswerAccess
	case "answer_home":
		return t.AnswerHome
	case "answer_share":
		return t.AnswerShare
	case "answer_support":
		return t.AnswerSupport
	}
	return ""
}

func (t *ProductText) setField(f, v string) {
	switch f {
	case "description":
		t.Description = v
	case "answer_access":
		t.AnswerAccess = v
	case "answer_home":
		t.AnswerHome = v
	case "answer_share":
		t.AnswerShare = v
	case "answer_support":
		t.AnswerSupport = v
	}
}

// Empty reports whether every field is empty.
func (t ProductText) Empty() bool {
	for _, f := range TextFields {
		if t.Field(f) != "" {
			return false
		}
	}
	return true
}

func (t ProductText) snapshot() map[string]any {
	m := map[string]any{}
	for _, f := range TextFields {
		m[t.Lang+"."+f] = t.Field(f)
	}
	return m
}

// normaliseTexts checks the languages and trims every field.
func normaliseTexts(ps *problems, in map[string]TextInput) map[string]ProductText {
	out := map[string]ProductText{}
	for lang, ti := range in {
		if !slices.Contains(TextLangs, lang) {
			ps.Addf("texts."+lang, "products.lang.unknown", lang, nil)
			continue
		}
		t := ProductText{Lang: lang}
		for f, v := range map[string]string{"description": ti.Description, "answer_access": ti.AnswerAccess,
			"answer_home": ti.AnswerHome, "answer_share": ti.AnswerShare, "answer_support": ti.AnswerSupport} {
			t.setField(f, oneLineEnd(v))
		}
		out[lang] = t
	}
	return out
}

// completeForPublishing names every empty Bokmål field: a product cannot be
// published until its description and all four answers are written.
func completeForPublishing(nb ProductText) error {
	var ps problems
	for _, f := range TextFields {
		if nb.Field(f) == "" {
			ps.Addf("texts.nb."+f, "products.publish.missing."+f, "", nil)
		}
	}
	return ps.Err()
}

func loadTexts(ctx context.Context, idb bun.IDB, productID int64) (map[string]ProductText, error) {
	var ts []ProductText
	if err := idb.NewSelect().Model(&ts).Where("product_id = ?", productID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("texts of product %d: %w", productID, err)
	}
	out := map[string]ProductText{}
	for _, t := range ts {
		out[t.Lang] = t
	}
	return out, nil
}

// writeTexts stores the given languages (an all-empty sv or en text is
// removed) and reports whether anything changed.
func writeTexts(ctx context.Context, tx bun.IDB, by auth.Actor, productID int64, texts map[string]ProductText) (bool, error) {
	if len(texts) == 0 {
		return false, nil
	}
	cur, err := loadTexts(ctx, tx, productID)
	if err != nil {
		return false, err
	}
	changed := false
	for _, lang := range TextLangs {
		t, ok := texts[lang]
		if !ok {
			continue
		}
		t.ProductID = productID
		old, had := cur[lang]
		var before map[string]any
		if had {
			before = old.snapshot()
		}
		fields := make([]string, len(TextFields))
		for i, f := range TextFields {
			fields[i] = lang + "." + f
		}
		changes := audit.Diff(fields, before, t.snapshot())
		if len(changes) == 0 {
			continue
		}
		action := "update"
		switch {
		case t.Empty() && lang != "nb":
			action = "delete"
			_, err = tx.NewDelete().Model((*ProductText)(nil)).Where("product_id = ? AND lang = ?", productID, lang).Exec(ctx)
		case had:
			_, err = tx.NewUpdate().Model(&t).WherePK().Exec(ctx)
		default:
			action = "create"
			_, err = tx.NewInsert().Model(&t).Exec(ctx)
		}
		if err != nil {
			return false, fmt.Errorf("save %s text of product %d: %w", lang, productID, err)
		}
		changed = true
		if err := audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "product_text", EntityID: productID, Action: action, Changes: changes}); err != nil {
			return false, err
		}
	}
	return changed, nil
}

// SetText replaces a product's texts in one language. On a published
// product the Bokmål texts must stay complete.
func (s *Service) SetText(ctx context.Context, by auth.Actor, productID int64, lang string, in TextInput) (*ProductText, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var ps problems
	texts := normaliseTexts(&ps, map[string]TextInput{lang: in})
	if err := ps.Err(); err != nil {
		return nil, err
	}
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old, err := getProduct(ctx, tx, productID)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != old.Version {
			return ErrConflict
		}
		p := *old
		_, err = s.saveProduct(ctx, tx, by, old, &p, texts)
		return err
	})
	if err != nil {
		return nil, err
	}
	t := texts[lang]
	t.ProductID = productID
	return &t, nil
}

// Texts returns a product's stored texts by language, for editing.
func (s *Service) Texts(ctx context.Context, by auth.Actor, productID int64) (map[string]ProductText, error) {
	if _, err := s.Product(ctx, by, productID); err != nil {
		return nil, err
	}
	return loadTexts(ctx, s.DB, productID)
}

// Fallback says, per field, whether a text shown in one language came from
// Bokmål because that language's own field is empty.
type Fallback struct {
	Description   bool `json:"description,omitempty"`
	AnswerAccess  bool `json:"answer_access,omitempty"`
	AnswerHome    bool `json:"answer_home,omitempty"`
	AnswerShare   bool `json:"answer_share,omitempty"`
	AnswerSupport bool `json:"answer_support,omitempty"`
}

// Field reports the fallback of field f (one of TextFields).
func (fb Fallback) Field(f string) bool {
	switch f {
	case "description":
		return fb.Description
	case "answer_access":
		return fb.AnswerAccess
	case "answer_home":
		return fb.AnswerHome
	case "answer_share":
		return fb.AnswerShare
	case "answer_support":
		return fb.AnswerSupport
	}
	return false
}

// Any reports whether any field fell back.
func (fb Fallback) Any() bool {
	return fb.Description || fb.AnswerAccess || fb.AnswerHome || fb.AnswerShare || fb.AnswerSupport
}

// LocalText is a product's texts in one language with Bokmål filled in
// where that language has none.
type LocalText struct {
	ProductText
	Fallback Fallback `json:"fallback"`
}

// localise merges lang's text over Bokmål, field by field.
func localise(texts map[string]ProductText, lang string) LocalText {
	nb := texts["nb"]
	if lang == "nb" || !slices.Contains(TextLangs, lang) {
		nb.Lang = "nb"
		return LocalText{ProductText: nb}
	}
	own := texts[lang]
	out := LocalText{ProductText: own}
	out.ProductID, out.Lang = nb.ProductID, lang
	for _, f := range TextFields {
		if own.Field(f) == "" && nb.Field(f) != "" {
			out.setField(f, nb.Field(f))
			switch f {
			case "description":
				out.Fallback.Description = true
			case "answer_access":
				out.Fallback.AnswerAccess = true
			case "answer_home":
				out.Fallback.AnswerHome = true
			case "answer_share":
				out.Fallback.AnswerShare = true
			case "answer_support":
				out.Fallback.AnswerSupport = true
			}
		}
	}
	return out
}

// Text returns a product's texts in lang, each field empty in lang taken
// from Bokmål; fellBack reports whether any field was. An unknown language
// reads as Bokmål. No access check: use it for published products.
func (s *Service) Text(ctx context.Context, productID int64, lang string) (ProductText, bool, error) {
	lt, err := s.LocalText(ctx, productID, lang)
	if err != nil {
		return ProductText{}, false, err
	}
	return lt.ProductText, lt.Fallback.Any(), nil
}

// LocalText is Text with the fallback of every field.
func (s *Service) LocalText(ctx context.Context, productID int64, lang string) (LocalText, error) {
	texts, err := loadTexts(ctx, s.DB, productID)
	if err != nil {
		return LocalText{}, err
	}
	lt := localise(texts, lang)
	lt.ProductID = productID
	return lt, nil
}
