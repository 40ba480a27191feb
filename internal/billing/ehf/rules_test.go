package ehf

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/samla-org/samla/internal/billing/ehf/ehftest"
)

// TestOfficialRules writes every kind of document Samla sends and runs the
// official CEN EN 16931 and PEPPOL BIS Billing 3.0 rules (release 3.0.21)
// and the UBL 2.1 schemas over them (ehftest): none may have a fatal
// failure or a schema error. The official examples run beside them as
// controls: the valid ones must pass, the invalid ones must fail with
// exactly the rules they are known to break, so a runner that reports
// nothing cannot pass.
//
// SAMLA_EHF_OUT=dir also writes the generated documents there, for a person
// to read (scripts/validate-ehf.sh uses it).
func TestOfficialRules(t *testing.T) {
	files := map[string][]byte{}
	var generated []string
	for _, s := range scenarios() {
		data, err := Write(s.doc)
		if err != nil {
			t.Fatalf("%s: Write: %v", s.name, err)
		}
		name := s.name + ".xml"
		generated = append(generated, name)
		files[name] = data
	}
	if keep := os.Getenv("SAMLA_EHF_OUT"); keep != "" {
		if err := os.MkdirAll(keep, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range generated {
			if err := os.WriteFile(filepath.Join(keep, name), files[name], 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	refused := refusedDocs(t)
	for name, r := range refused {
		files[name] = r.data
	}
	valid, invalid := ehftest.Examples(t)
	maps.Copy(files, valid)
	maps.Copy(files, invalid)

	results := ehftest.Validate(t, files)

	for _, name := range append(generated, slices.Sorted(maps.Keys(valid))...) {
		results[name].AssertValid(t, name)
	}
	ehftest.AssertInvalidExamples(t, results)
	for name, r := range refused {
		got := results[name].FatalIDs()
		t.Logf("%s: fatal %v (as expected: Write refuses it)", name, got)
		for _, id := range r.want {
			if !slices.Contains(got, id) {
				t.Errorf("%s: fatal rules %v, want %s among them: the rule Write enforces is not the official one", name, got, id)
			}
		}
	}
}

// refusedDoc is a document Write refuses, built by going around its checks,
// and the official rules it must break.
type refusedDoc struct {
	data []byte
	want []string
}

// refusedDocs show that Write's refusals stand for fatal official rules,
// not for taste. (One refusal is stricter than the rules: S, Z or E from a
// seller outside the VAT register; checker.categories says why.)
func refusedDocs(t *testing.T) map[string]refusedDoc {
	t.Helper()
	checked := func(name string) *doc {
		for _, s := range scenarios() {
			if s.name == name {
				c, err := check(s.doc)
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
		}
		t.Fatalf("no scenario %s", name)
		return nil
	}
	out := map[string]refusedDoc{}
	add := func(name string, c *doc, want ...string) {
		out["refused-"+name+".xml"] = refusedDoc{c.build().marshal(), want}
	}

	c := checked("not-subject-O")
	c.seller.VATRegistered = true
	c.notSubject = false // so the VAT id is written
	add("O-with-seller-VAT-id", c, "BR-O-02")

	c = checked("not-subject-O")
	c.Lines = append(c.Lines, line("2", "PressReader 2027", 1250000, VATStandard, 2500))
	c.totals = Compute(c.Lines)
	add("O-mixed-with-S", c, "BR-O-11")

	c = checked("flat-price")
	c.BuyerReference = ""
	add("no-buyer-reference", c, "PEPPOL-EN16931-R003")

	c = checked("flat-price")
	c.seller.org = "924187515" // wrong check digit
	add("bad-seller-org-number", c, "PEPPOL-COMMON-R041", "NO-R-001")

	return out
}
