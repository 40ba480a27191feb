package mailmsg

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParse checks that Parse never panics and is deterministic. The seed
// corpus is every fixture in testdata.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*/*.eml")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/mixed; boundary=b\n\n--b--\n"))
	f.Add([]byte("Content-Type: text/plain; name*0*=utf-8''%E2%9C; name*1*=%94\n\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m1, err1 := Parse(raw)
		m2, err2 := Parse(raw)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("errors differ: %v / %v", err1, err2)
		}
		if err1 != nil {
			if m1 != nil {
				t.Fatalf("error %v with a message", err1)
			}
			return
		}
		if !m1.Date.Equal(m2.Date) {
			t.Fatalf("dates differ")
		}
		m1.Date, m2.Date = m1.Date.UTC(), m2.Date.UTC()
		if !reflect.DeepEqual(m1, m2) {
			t.Fatalf("Parse is not deterministic:\n%+v\n%+v", m1, m2)
		}
	})
}
