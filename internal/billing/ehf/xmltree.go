package ehf

import (
	"bytes"
	"encoding/xml"
	"strings"
)

// node is an element of the document being written. A tree rather than
// encoding/xml structs: the same builder serves Invoice and CreditNote, whose
// element names and orders differ in a few places, and one rule in write
// drops every element without text and children, so no empty element can
// reach the document (PEPPOL-EN16931-R008).
type node struct {
	name  string
	attrs [][2]string
	text  string
	kids  []*node
}

// el makes an element with children; nil children are skipped.
func el(name string, kids ...*node) *node {
	n := &node{name: name}
	for _, k := range kids {
		if k != nil {
			n.kids = append(n.kids, k)
		}
	}
	return n
}

// leaf makes an element holding text; attributes come in name, value pairs.
// An attribute with an empty value is left out.
func leaf(name, text string, attrs ...string) *node {
	n := &node{name: name, text: text}
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] != "" {
			n.attrs = append(n.attrs, [2]string{attrs[i], attrs[i+1]})
		}
	}
	return n
}

// add appends children, skipping nil ones.
func (n *node) add(kids ...*node) *node {
	for _, k := range kids {
		if k != nil {
			n.kids = append(n.kids, k)
		}
	}
	return n
}

// empty reports whether the element would be written with nothing in it.
func (n *node) empty() bool {
	if strings.TrimSpace(n.text) != "" {
		return false
	}
	for _, k := range n.kids {
		if !k.empty() {
			return false
		}
	}
	return true
}

// marshal writes the tree as an indented UTF-8 XML document.
func (n *node) marshal() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	n.write(&b, 0)
	return b.Bytes()
}

func (n *node) write(b *bytes.Buffer, depth int) {
	if n.empty() {
		return
	}
	indent := strings.Repeat("  ", depth)
	b.WriteString(indent + "<" + n.name)
	for _, a := range n.attrs {
		b.WriteString(" " + a[0] + `="`)
		escape(b, a[1])
		b.WriteString(`"`)
	}
	b.WriteString(">")
	if len(n.kids) == 0 {
		escape(b, strings.TrimSpace(n.text))
	} else {
		b.WriteString("\n")
		for _, k := range n.kids {
			k.write(b, depth+1)
		}
		b.WriteString(indent)
	}
	b.WriteString("</" + n.name + ">\n")
}

func escape(b *bytes.Buffer, s string) {
	// EscapeText also escapes quotes, newlines and tabs, so the same
	// function is safe inside attribute values; it cannot fail on a Buffer.
	_ = xml.EscapeText(b, []byte(s))
}
