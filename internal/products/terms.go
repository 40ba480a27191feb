package products

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Term keys in the order every product page and form shows them.
const (
	TermWalkIn           = "walk_in"
	TermRemoteAccess     = "remote_access"
	TermInterlibraryLoan = "interlibrary_loan"
	TermTextDataMining   = "text_data_mining"
	TermCoursePacks      = "course_packs"
	TermPerpetualAccess  = "perpetual_access"
	TermArchiving        = "archiving"
	TermConcurrentUsers  = "concurrent_users"
	TermGoverningLaw     = "governing_law"
)

// TermKeys lists every term in display order.
var TermKeys = []string{TermWalkIn, TermRemoteAccess, TermInterlibraryLoan, TermTextDataMining,
	TermCoursePacks, TermPerpetualAccess, TermArchiving, TermConcurrentUsers, TermGoverningLaw}

// Values of the interlibrary loan term.
const (
	ILLPrint           = "print"
	ILLElectronic      = "electronic"
	ILLPrintElectronic = "print_electronic"
	ILLNone            = "none"
)

// YesNoValues are the values of an ordinary term.
var YesNoValues = []string{TermYes, TermNo, TermUnclear}

// ILLValues are the values of the interlibrary loan term.
var ILLValues = []string{ILLPrint, ILLElectronic, ILLPrintElectronic, ILLNone, TermUnclear}

// ConcurrentUnlimited is the concurrent-users value for no limit.
const ConcurrentUnlimited = "unlimited"

// NamedTerm is a term with its key, for showing terms in order.
type NamedTerm struct {
	Key string `json:"key"`
	Term
}

// Get returns the term with key k (the zero Term for an unknown key).
func (t Terms) Get(k string) Term {
	if p := t.field(k); p != nil {
		return *p
	}
	return Term{}
}

// Set sets the term with key k; unknown keys are ignored.
func (t *Terms) Set(k string, v Term) {
	if p := t.field(k); p != nil {
		*p = v
	}
}

// List returns every term in TermKeys order.
func (t Terms) List() []NamedTerm {
	out := make([]NamedTerm, 0, len(TermKeys))
	for _, k := range TermKeys {
		out = append(out, NamedTerm{Key: k, Term: t.Get(k)})
	}
	return out
}

func (t *Terms) field(k string) *Term {
	switch k {
	case TermWalkIn:
		return &t.WalkIn
	case TermRemoteAccess:
		return &t.RemoteAccess
	case TermInterlibraryLoan:
		return &t.InterlibraryLoan
	case TermTextDataMining:
		return &t.TextDataMining
	case TermCoursePacks:
		return &t.CoursePacks
	case TermPerpetualAccess:
		return &t.PerpetualAccess
	case TermArchiving:
		return &t.Archiving
	case TermConcurrentUsers:
		return &t.ConcurrentUsers
	case TermGoverningLaw:
		return &t.GoverningLaw
	}
	return nil
}

// Terms decodes the version's stored terms; a term never set reads "unclear".
func (v LicenceVersion) Terms() Terms {
	var t Terms
	_ = json.Unmarshal([]byte(v.TermsJSON), &t) // written by AddLicenceVersion; an odd row reads as all unclear
	for _, k := range TermKeys {
		if x := t.Get(k); x.Value == "" {
			x.Value = TermUnclear
			t.Set(k, x)
		}
	}
	return t
}

// normaliseTerms checks every term's value and returns the terms with
// values in canonical form: an empty value becomes "unclear".
func normaliseTerms(ps *problems, in Terms) Terms {
	var out Terms
	for _, k := range TermKeys {
		t := in.Get(k)
		raw := strings.TrimSpace(t.Value)
		t.Clause = oneLineEnd(t.Clause)
		v := strings.ToLower(raw)
		field := "terms." + k
		switch k {
		case TermInterlibraryLoan:
			v = strings.NewReplacer("-", "_", " ", "_", "+", "_").Replace(v)
			switch {
			case v == "":
				v = TermUnclear
			case !slices.Contains(ILLValues, v):
				ps.Addf(field, "licence.term.interlibrary_loan", raw, nil)
			}
		case TermConcurrentUsers:
			v = strings.ReplaceAll(v, " ", "")
			if v == "" {
				v = TermUnclear
			} else if v != ConcurrentUnlimited && v != TermUnclear {
				n, err := strconv.Atoi(v)
				if err != nil || n <= 0 {
					ps.Addf(field, "licence.term.concurrent_users", raw, nil)
				} else {
					v = strconv.Itoa(n)
				}
			}
		case TermGoverningLaw:
			// Free text such as "Norwegian law", kept as written.
			v = raw
			if v == "" || strings.EqualFold(v, TermUnclear) {
				v = TermUnclear
			}
		default:
			switch {
			case v == "":
				v = TermUnclear
			case !slices.Contains(YesNoValues, v):
				ps.Addf(field, "licence.term.yes_no", raw, nil)
			}
		}
		t.Value = v
		out.Set(k, t)
	}
	return out
}
