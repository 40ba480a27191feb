package caseweb

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/web"
)

// inlineSafe are the types a browser may show in place; everything else,
// and above all HTML and SVG (which run script in Samla's origin), is
// offered as a file to save.
var inlineSafe = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "text/plain": true}

func (h *handlers) attachment(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.Attachment(r.Context(), web.ActorOf(r), pathID(r, "id"), pathID(r, "aid"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctype, _, err := mime.ParseMediaType(a.ContentType)
	ctype = strings.ToLower(ctype)
	if err != nil || !inlineSafe[ctype] {
		ctype = "application/octet-stream"
	} else if ctype == "text/plain" {
		// The sender's charset is not trusted: the bytes are sent as they
		// came, and the reader's own program decides.
		ctype = "text/plain; charset=utf-8"
	}
	name := a.Filename
	if name == "" {
		name = "attachment-" + strconv.FormatInt(a.ID, 10)
	}
	send(w, ctype, name, a.Data)
}

func (h *handlers) raw(w http.ResponseWriter, r *http.Request) {
	id, mid := pathID(r, "id"), pathID(r, "mid")
	data, err := h.svc.RawMail(r.Context(), web.ActorOf(r), id, mid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	send(w, "message/rfc822", "case-"+strconv.FormatInt(id, 10)+"-message-"+strconv.FormatInt(mid, 10)+".eml", data)
}

// send offers data as a file download. The name is given twice: an ASCII
// fallback for old clients and the exact name as RFC 5987 filename*.
func send(w http.ResponseWriter, ctype, name string, data []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", disposition(name))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(data)
}

func disposition(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	ascii := strings.Map(func(r rune) rune {
		if r > 0x7e || r == '"' || r == '%' || r == ';' {
			return '_'
		}
		return r
	}, name)
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + ext5987(name)
}

// ext5987 percent-encodes every byte outside RFC 5987's attr-char.
func ext5987(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
