package billingweb

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

// form is one form's state: what was typed, and why it was refused, with
// the messages already in the reader's language.
type form struct {
	Values map[string]string
	errs   map[string][]string
	fields map[string]bool // the fields the form shows; problems on others are shown above it
	other  []string
	cat    *i18n.Catalog
	lang   string
}

// newForm starts a form showing fields, with values (nil for none).
func (h *handlers) newForm(r *http.Request, values map[string]string, fields ...string) *form {
	if values == nil {
		values = map[string]string{}
	}
	f := &form{Values: values, errs: map[string][]string{}, fields: map[string]bool{}, cat: h.app.Catalog, lang: web.Lang(r)}
	for _, k := range fields {
		f.fields[k] = true
	}
	return f
}

// posted copies the posted form; several values of a field are joined by ",".
func posted(r *http.Request) map[string]string {
	_ = r.ParseForm()
	v := map[string]string{}
	for k, vs := range r.PostForm {
		v[k] = strings.Join(vs, ",")
	}
	return v
}

// refuse files problems under their fields, translated.
func (f *form) refuse(ps ...*validate.Problem) {
	for _, p := range ps {
		f.add(p.Field, problemText(f.cat, f.lang, p))
	}
}

// add files a message under field, or above the form when the form does
// not show the field.
func (f *form) add(field, msg string) {
	if f.fields[field] {
		f.errs[field] = append(f.errs[field], msg)
		return
	}
	f.other = append(f.other, msg)
}

// problemText translates a problem; the offending value is available to
// the message as .Value unless the problem names its own.
func problemText(cat *i18n.Catalog, lang string, p *validate.Problem) string {
	args := map[string]any{"Value": p.Value}
	for k, v := range p.Args {
		args[k] = v
	}
	return cat.T(lang, p.Code, args)
}

// Err lists the messages of a field.
func (f *form) Err(field string) []string { return f.errs[field] }

// Invalid is "invalid" when the field has a problem: the class the styles mark.
func (f *form) Invalid(field string) string {
	if len(f.errs[field]) > 0 {
		return "invalid"
	}
	return ""
}

// Other lists the messages that belong to no field the form shows.
func (f *form) Other() []string { return f.other }

// Summary is the line above a refused form.
func (f *form) Summary() string { return f.cat.T(f.lang, "form.has_errors", nil) }

// Failed reports whether anything was refused.
func (f *form) Failed() bool { return len(f.errs) > 0 || len(f.other) > 0 }

// V is a value as typed.
func (f *form) V(field string) string { return f.Values[field] }

// Is reports whether a field's value is v: for selects and radios.
func (f *form) Is(field, v string) bool { return f.Values[field] == v }

// Checked reports whether a checkbox was ticked.
func (f *form) Checked(field string) bool {
	switch f.Values[field] {
	case "on", "yes", "true", "1":
		return true
	}
	return false
}

// problems returns the problems of a validation error, or false for any
// other error.
func problems(err error) ([]*validate.Problem, bool) {
	var ve *billing.ValidationError
	if errors.As(err, &ve) {
		return ve.Problems, true
	}
	return nil, false
}

// refused files the problems of a validation error on the form and
// reports whether err was one.
func (f *form) refused(err error) bool {
	ps, ok := problems(err)
	f.refuse(ps...)
	return ok
}

// parseAmount reads an optional amount as people type it ("12 500,00") into
// minor units; blank is nil. A problem names field when it is no amount.
func parseAmount(f *form, field string) (*int64, bool) {
	raw := strings.TrimSpace(f.Values[field])
	if raw == "" {
		return nil, true
	}
	v, err := money.ParseMinor(raw)
	if err != nil {
		f.refuse(&validate.Problem{Field: field, Code: "bweb.error.amount", Value: raw})
		return nil, false
	}
	return &v, true
}

// parseWhole reads an optional whole number, spaces between groups allowed
// ("12 000"); blank is nil.
func parseWhole(f *form, field string) (*int64, bool) {
	raw := strings.TrimSpace(f.Values[field])
	if raw == "" {
		return nil, true
	}
	v, err := strconv.ParseInt(strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\u2009':
			return -1
		}
		return r
	}, raw), 10, 64)
	if err != nil {
		f.refuse(&validate.Problem{Field: field, Code: "bweb.error.whole", Value: raw})
		return nil, false
	}
	return &v, true
}

// parsePercent reads a percentage typed as "5", "2,5" or "2.25" into basis
// points.
func parsePercent(s string) (int64, bool) {
	neg, whole, frac, err := money.SplitDecimal(s, 2)
	if err != nil || neg || (whole == "" && frac == "") {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// amountText writes minor units the way parseAmount reads them and people
// type them: "12 500,00".
func amountText(minor int64) string { return money.Format("nb", minor, "") }

// optAmountText is amountText of an optional amount; "" for none.
func optAmountText(v *int64) string {
	if v == nil {
		return ""
	}
	return amountText(*v)
}
