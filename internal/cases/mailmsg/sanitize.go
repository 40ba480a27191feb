package mailmsg

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// Attribute values are matched after the HTML tokenizer has decoded
// entities, so "jav&#x09;ascript:" is seen as "jav\tascript:" and fails.
var (
	safeHref  = regexp.MustCompile(`(?i)^\s*(https?|mailto):`)
	cidSrc    = regexp.MustCompile(`(?i)^\s*cid:`)
	dimension = regexp.MustCompile(`^[0-9]{1,4}%?$`)
	smallInt  = regexp.MustCompile(`^[0-9]{1,3}$`)
	direction = regexp.MustCompile(`(?i)^(ltr|rtl|auto)$`)
	langTag   = regexp.MustCompile(`^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$`)
	alignment = regexp.MustCompile(`(?i)^(left|right|center|justify)$`)
	valign    = regexp.MustCompile(`(?i)^(top|middle|bottom|baseline)$`)
	cellScope = regexp.MustCompile(`(?i)^(row|col|rowgroup|colgroup)$`)
	listType  = regexp.MustCompile(`^(1|a|A|i|I|disc|circle|square)$`)
)

// SanitizeHTML turns the HTML body of a mail into markup that is safe to
// show inside Samla's own page. It is stricter than bluemonday's UGC policy:
//
//   - no scripts, event handlers, forms, frames, objects, embeds or SVG
//     (the tags go; their text, if any, stays as plain text);
//   - no style attributes, <style> elements, classes or ids (the CSP forbids
//     inline styles, and classes or ids could borrow Samla's own look or
//     clobber its DOM);
//   - links only to http, https and mailto, each with rel="nofollow
//     noreferrer" (plus target="_blank" and rel="noopener" when the link
//     has a host); relative links are dropped, the text stays;
//   - images only from cid: URLs that cid resolves, rewritten to the URL it
//     returns; every other image source (http(s) tracking pixels, data:
//     URIs, relative paths) is dropped, so loading a mail contacts no one.
//     An image without a source keeps its alt text;
//   - the content of <title>, <style>, <script>, <noscript>, <iframe>,
//     <object> and <template> is dropped, not shown as text; <html>,
//     <head> and <body> tags go.
//
// cid receives the Content-ID without "cid:" and angle brackets, URL
// decoded, as in Attachment.ContentID; it may be nil. Its URL must be
// relative, http(s) or data:, else the image is dropped.
func SanitizeHTML(html string, cid func(contentID string) (url string, ok bool)) string {
	if strings.TrimSpace(html) == "" {
		return ""
	}
	return newMailPolicy(newCIDResolver(cid)).Sanitize(html)
}

// cidResolver asks the caller once per Content-ID; bluemonday looks at a
// src both when checking and when rewriting it.
type cidResolver struct {
	fn   func(string) (string, bool)
	seen map[string]*url.URL
}

func newCIDResolver(fn func(string) (string, bool)) *cidResolver {
	return &cidResolver{fn: fn, seen: map[string]*url.URL{}}
}

func (r *cidResolver) resolve(u *url.URL) (*url.URL, bool) {
	if r.fn == nil || u == nil || !strings.EqualFold(u.Scheme, "cid") {
		return nil, false
	}
	raw := u.Opaque
	if raw == "" {
		// "cid://x" puts the id in the host.
		raw = u.Host + u.Path
	}
	id, err := url.PathUnescape(raw)
	if err != nil {
		id = raw
	}
	id = NormalizeID(id)
	if id == "" {
		return nil, false
	}
	if t, ok := r.seen[id]; ok {
		return t, t != nil
	}
	var target *url.URL
	if s, ok := r.fn(id); ok {
		if t, err := url.Parse(strings.TrimSpace(s)); err == nil {
			switch strings.ToLower(t.Scheme) {
			case "", "http", "https", "data":
				target = t
			}
		}
	}
	r.seen[id] = target
	return target, target != nil
}

// newMailPolicy builds the policy for one call: the cid resolver is per
// message, and bluemonday keeps the src rewriter in the policy.
func newMailPolicy(r *cidResolver) *bluemonday.Policy {
	p := bluemonday.NewPolicy()

	p.AllowAttrs("title").Globally()
	p.AllowAttrs("dir").Matching(direction).Globally()
	p.AllowAttrs("lang").Matching(langTag).Globally()

	p.AllowElements(
		"article", "aside", "section", "header", "footer", "hgroup", "summary", "figure", "figcaption",
		"h1", "h2", "h3", "h4", "h5", "h6",
		"p", "div", "span", "br", "hr", "wbr", "blockquote", "pre", "address", "center",
		"abbr", "acronym", "b", "bdi", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd",
		"mark", "q", "s", "samp", "small", "strike", "strong", "sub", "sup", "time", "tt", "u", "var",
		"ul", "ol", "li", "dl", "dt", "dd",
		"table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
	)
	p.AllowAttrs("open").Matching(regexp.MustCompile(`(?i)^(|open)$`)).OnElements("details")
	p.AllowElements("details")
	p.AllowAttrs("align").Matching(alignment).OnElements("p", "div", "h1", "h2", "h3", "h4", "h5", "h6",
		"table", "tr", "th", "td", "col", "colgroup", "thead", "tbody", "tfoot", "caption", "img")
	p.AllowAttrs("valign").Matching(valign).OnElements("tr", "th", "td", "col", "colgroup", "thead", "tbody", "tfoot")
	p.AllowAttrs("colspan", "rowspan", "span").Matching(smallInt).OnElements("th", "td", "col", "colgroup")
	p.AllowAttrs("scope").Matching(cellScope).OnElements("th", "td")
	p.AllowAttrs("width", "height").Matching(dimension).OnElements("table", "th", "td", "col", "colgroup", "img")
	p.AllowAttrs("border", "cellpadding", "cellspacing").Matching(smallInt).OnElements("table")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^-?[0-9]{1,6}$`)).OnElements("ol")
	p.AllowAttrs("reversed").Matching(regexp.MustCompile(`(?i)^(|reversed)$`)).OnElements("ol")
	p.AllowAttrs("type").Matching(listType).OnElements("ol", "ul", "li")
	p.AllowAttrs("datetime").Matching(bluemonday.ISO8601).OnElements("time", "del", "ins")

	p.AllowAttrs("href").Matching(safeHref).OnElements("a")
	p.AllowAttrs("src").Matching(cidSrc).OnElements("img")
	p.AllowAttrs("alt").OnElements("img")

	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowURLSchemeWithCustomPolicy("cid", func(u *url.URL) bool {
		_, ok := r.resolve(u)
		return ok
	})
	p.RewriteSrc(func(u *url.URL) {
		if t, ok := r.resolve(u); ok {
			*u = *t
		}
	})
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)

	// bluemonday already drops the text inside script, style, title,
	// iframe, object, noscript and a few more. Only elements that always
	// have an end tag may be added: the content of an unclosed one (a void
	// <embed>, a sloppy <svg>) would hide the rest of the mail.
	p.SkipElementsContent("template")
	return p
}
