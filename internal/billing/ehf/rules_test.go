package ehf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestOfficialRules writes every kind of document Samla sends and runs the
// official CEN EN 16931 and PEPPOL BIS Billing 3.0 rules (release 3.0.21)
// over them with Saxon: none may have a fatal failure. The official
// examples run beside them as controls: the valid ones must pass, the
// invalid ones must fail with exactly the rules they are known to break, so
// a runner that reports nothing cannot pass. The generated documents are
// also checked against the UBL 2.1 schemas, which the Schematron does not
// cover (element order, element names).
//
// SAMLA_EHF_OUT=dir also writes the generated documents there, for a person
// to read.
func TestOfficialRules(t *testing.T) {
	java, jar := requireJava(t)
	dir := t.TempDir()
	keep := os.Getenv("SAMLA_EHF_OUT")
	if keep != "" {
		if err := os.MkdirAll(keep, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	var generated []string
	for _, s := range scenarios() {
		data, err := Write(s.doc)
		if err != nil {
			t.Fatalf("%s: Write: %v", s.name, err)
		}
		name := s.name + ".xml"
		generated = append(generated, name)
		writeFile(t, filepath.Join(dir, name), data)
		if keep != "" {
			writeFile(t, filepath.Join(keep, name), data)
		}
	}
	refused := refusedDocs(t)
	for name, r := range refused {
		writeFile(t, filepath.Join(dir, name), r.data)
	}
	valid := copyInto(t, dir, "testdata/valid", "example-")
	invalid := copyInto(t, dir, "testdata/invalid", "invalid-")

	// The schema check runs beside the two Saxon runs.
	xsd := startXSDCheck(t, java, dir, append(append([]string{}, generated...), valid...))

	results := validateDir(t, java, jar, dir)

	for _, name := range append(append([]string{}, generated...), valid...) {
		for _, f := range results[name] {
			if f.Flag == "fatal" {
				t.Errorf("%s: %s", name, f)
			} else {
				t.Logf("%s: %s", name, f)
			}
		}
	}
	want := map[string][]string{
		"invalid-NO-example-1-bad-orgnr-and-payable.xml": {"BR-CO-16", "NO-R-001", "PEPPOL-COMMON-R041"},
		"invalid-ubl-tc434-test-1.xml": {"NO-R-001", "PEPPOL-EN16931-R004", "PEPPOL-EN16931-R007", "PEPPOL-EN16931-R008",
			"PEPPOL-EN16931-R010", "PEPPOL-EN16931-R020", "PEPPOL-EN16931-R046", "PEPPOL-EN16931-R120"},
	}
	if len(invalid) != len(want) {
		t.Errorf("invalid examples %v, want the %d known ones", invalid, len(want))
	}
	for name, ids := range want {
		if got := fatalIDs(results[name]); !reflect.DeepEqual(got, ids) {
			t.Errorf("%s: fatal rules %v, want %v", name, got, ids)
		}
	}
	for name, r := range refused {
		got := fatalIDs(results[name])
		t.Logf("%s: fatal %v (as expected: Write refuses it)", name, got)
		for _, id := range r.want {
			if !slices.Contains(got, id) {
				t.Errorf("%s: fatal rules %v, want %s among them: the rule Write enforces is not the official one", name, got, id)
			}
		}
	}
	xsd(t)
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

// startXSDCheck validates files in dir against the UBL 2.1 schemas with
// testdata/XsdCheck.java; the returned function waits and reports. Running
// a Java source file needs a JDK (jdk.compiler), not only a JRE.
func startXSDCheck(t *testing.T, java, dir string, names []string) func(*testing.T) {
	t.Helper()
	mods, _ := exec.Command(java, "--list-modules").Output()
	if !bytes.Contains(mods, []byte("jdk.compiler")) {
		msg := "UBL schema check skipped: this Java is a JRE without jdk.compiler; install default-jdk-headless"
		return func(t *testing.T) {
			if os.Getenv("SAMLA_REQUIRE_SAXON") == "1" {
				t.Error(msg + " (SAMLA_REQUIRE_SAXON=1 requires it)")
			} else {
				t.Log(msg)
			}
		}
	}
	args := []string{jvmFast, "testdata/XsdCheck.java", "testdata/xsd"}
	for _, n := range names {
		args = append(args, filepath.Join(dir, n))
	}
	cmd := exec.Command(java, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("XsdCheck: %v", err)
	}
	return func(t *testing.T) {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("XsdCheck: %v\n%s", err, stderr.String())
		}
		ok := 0
		for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			if strings.HasPrefix(l, "OK ") {
				ok++
			} else {
				t.Errorf("UBL 2.1 schema: %s", l)
			}
		}
		if ok != len(names) {
			t.Errorf("UBL 2.1 schema: %d of %d files OK\n%s", ok, len(names), stdout.String())
		}
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyInto copies the XML files of src into dir with a name prefix and
// returns the new names.
func copyInto(t *testing.T, dir, src, prefix string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(src, "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no XML files in %s (%v)", src, err)
	}
	var names []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := prefix + filepath.Base(f)
		writeFile(t, filepath.Join(dir, name), data)
		names = append(names, name)
	}
	return names
}
