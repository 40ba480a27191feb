package mailmsg

import (
	"sort"
	"strconv"
	"strings"
)

// parseParams parses a Content-Type or Content-Disposition value. It is
// deliberately more lenient than mime.ParseMediaType: spaces around "=",
// unclosed quotes, raw 8-bit values and RFC 2231 values in any charset
// (mime only knows UTF-8 and ASCII there) are accepted, because a part
// whose parameters cannot be read would lose its boundary or filename.
func parseParams(v string) (value string, params map[string]string) {
	params = map[string]string{}
	i := strings.IndexByte(v, ';')
	if i < 0 {
		return strings.ToLower(strings.TrimSpace(v)), params
	}
	value = strings.ToLower(strings.TrimSpace(v[:i]))
	rest := v[i+1:]

	type segment struct {
		n       int
		encoded bool
		val     string
	}
	continued := map[string][]segment{}

	for len(rest) > 0 {
		rest = strings.TrimLeft(rest, " \t;")
		if rest == "" {
			break
		}
		j := strings.IndexAny(rest, "=;")
		if j < 0 {
			break
		}
		key := strings.ToLower(strings.TrimSpace(rest[:j]))
		if rest[j] == ';' {
			rest = rest[j+1:]
			continue
		}
		rest = strings.TrimLeft(rest[j+1:], " \t")
		var val string
		if strings.HasPrefix(rest, `"`) {
			var b strings.Builder
			k := 1
			for ; k < len(rest); k++ {
				c := rest[k]
				if c == '\\' && k+1 < len(rest) {
					k++
					b.WriteByte(rest[k])
					continue
				}
				if c == '"' {
					break
				}
				b.WriteByte(c)
			}
			val = b.String()
			if k < len(rest) {
				k++
			}
			rest = rest[k:]
		} else {
			k := strings.IndexByte(rest, ';')
			if k < 0 {
				k = len(rest)
			}
			val = strings.TrimSpace(rest[:k])
			rest = rest[k:]
		}
		if key == "" {
			continue
		}
		if star := strings.IndexByte(key, '*'); star >= 0 {
			base := key[:star]
			suffix := key[star+1:]
			encoded := strings.HasSuffix(suffix, "*") || suffix == ""
			suffix = strings.TrimSuffix(suffix, "*")
			n := 0
			if suffix != "" {
				var err error
				n, err = strconv.Atoi(suffix)
				if err != nil || n < 0 || n > 1000 {
					continue
				}
			}
			continued[base] = append(continued[base], segment{n: n, encoded: encoded, val: val})
			continue
		}
		if _, dup := params[key]; !dup {
			params[key] = val
		}
	}

	// RFC 2231 values take precedence over plain ones.
	for base, segs := range continued {
		sort.SliceStable(segs, func(a, b int) bool { return segs[a].n < segs[b].n })
		var raw []byte
		charset := ""
		for idx, s := range segs {
			val := s.val
			if s.encoded {
				if idx == 0 {
					if parts := strings.SplitN(val, "'", 3); len(parts) == 3 {
						charset = parts[0]
						val = parts[2]
					}
				}
				raw = append(raw, percentDecode(val)...)
			} else {
				raw = append(raw, val...)
			}
		}
		s, _ := decodeBytes(raw, charset)
		params[base] = s
	}
	return value, params
}

func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if b, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				out = append(out, byte(b))
				i += 2
				continue
			}
		}
		out = append(out, s[i])
	}
	return out
}
