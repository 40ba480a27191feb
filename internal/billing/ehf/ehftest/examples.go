package ehftest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Prefixes of the official examples' names in Examples.
const (
	ValidPrefix   = "example-"
	InvalidPrefix = "invalid-"
)

// knownInvalid are the fatal rules each official invalid example breaks
// (testdata/README.md says where each comes from). A Peppol release that
// renames a rule changes this list.
var knownInvalid = map[string][]string{
	InvalidPrefix + "NO-example-1-bad-orgnr-and-payable.xml": {"BR-CO-16", "NO-R-001", "PEPPOL-COMMON-R041"},
	InvalidPrefix + "ubl-tc434-test-1.xml": {"NO-R-001", "PEPPOL-EN16931-R004", "PEPPOL-EN16931-R007", "PEPPOL-EN16931-R008",
		"PEPPOL-EN16931-R010", "PEPPOL-EN16931-R020", "PEPPOL-EN16931-R046", "PEPPOL-EN16931-R120"},
}

// Examples are the official example documents of testdata/valid and
// testdata/invalid, named with ValidPrefix or InvalidPrefix, to validate
// beside generated documents as controls: the valid ones must pass
// (AssertValid), the invalid ones must fail with the rules they are known
// to break (AssertInvalidExamples), so a runner that reports nothing
// cannot pass.
func Examples(t testing.TB) (valid, invalid map[string][]byte) {
	t.Helper()
	td := testdata(t)
	return readExamples(t, filepath.Join(td, "valid"), ValidPrefix), readExamples(t, filepath.Join(td, "invalid"), InvalidPrefix)
}

func readExamples(t testing.TB, dir, prefix string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no XML files in %s (%v)", dir, err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[prefix+filepath.Base(f)] = data
	}
	return out
}

// AssertInvalidExamples checks that every official invalid example was
// validated and failed with exactly the fatal rules it is known to break.
func AssertInvalidExamples(t testing.TB, results map[string]Result) {
	t.Helper()
	for name, want := range knownInvalid {
		r, ok := results[name]
		if !ok {
			t.Errorf("%s was not validated", name)
			continue
		}
		if got := r.FatalIDs(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: fatal rules %v, want %v", name, got, want)
		}
	}
	for name := range results {
		if strings.HasPrefix(name, InvalidPrefix) && knownInvalid[name] == nil {
			t.Errorf("%s: an invalid example without its known fatal rules in ehftest", name)
		}
	}
}
