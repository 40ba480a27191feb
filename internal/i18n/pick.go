package i18n

import (
	"strconv"
	"strings"
)

// Pick chooses the language for a request: an explicit choice (user setting or
// cookie) if supported, else the best Accept-Language match by q-value (the
// earlier entry wins a tie), else Default.
func Pick(choice, acceptLanguage string) string {
	if l := match(choice); l != "" {
		return l
	}
	best, bestQ := Default, 0.0
	for _, entry := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(entry, ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(p, "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || !(f >= 0 && f <= 1) {
					f = 0 // a malformed weight must not outrank real ones
				}
				q = f
			}
		}
		if l := match(tag); l != "" && q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

// match maps a language tag to a supported language, or "". Nynorsk and the
// "no" macrolanguage get bokmål: Norwegian readers read both, and we ship one.
func match(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	primary, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	switch primary {
	case "nb", "nn", "no":
		return "nb"
	case "sv", "en":
		return primary
	}
	return ""
}
