package products

import (
	"slices"
	"strings"
)

// AccessMethods returns the product's access methods in the order of the
// package-level AccessMethods list.
func (p Product) AccessMethods() []string { return splitSet(p.AccessMethodsText) }

// TargetGroups returns the product's target groups in the order of the
// package-level TargetGroups list.
func (p Product) TargetGroups() []string { return splitSet(p.TargetGroupsText) }

// HasAccessMethod reports whether the product offers method m.
func (p Product) HasAccessMethod(m string) bool { return slices.Contains(p.AccessMethods(), m) }

// HasTargetGroup reports whether the product is meant for group g.
func (p Product) HasTargetGroup(g string) bool { return slices.Contains(p.TargetGroups(), g) }

func splitSet(s string) []string {
	out := []string{}
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// normaliseSet checks that every value is one of allowed and returns them
// deduplicated, in allowed's order, joined by commas. Unknown values become
// problems on field.
func normaliseSet(ps *problems, field, code string, values, allowed []string) string {
	seen := map[string]bool{}
	for _, v := range values {
		v = strings.ToLower(strings.TrimSpace(v))
		if v == "" {
			continue
		}
		if !slices.Contains(allowed, v) {
			ps.Addf(field, code, v, nil)
			continue
		}
		seen[v] = true
	}
	var out []string
	for _, a := range allowed {
		if seen[a] {
			out = append(out, a)
		}
	}
	return strings.Join(out, ",")
}
