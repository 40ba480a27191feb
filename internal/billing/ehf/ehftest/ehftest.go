// Package ehftest checks EHF / PEPPOL BIS Billing 3.0 documents in tests
// with the official rules: the CEN EN 16931 and PEPPOL Schematron (compiled
// to XSLT, run by Saxon-HE) and the UBL 2.1 schemas (the JDK's validator).
// The rules are the files in internal/billing/ehf/testdata, found from this
// package's source; nothing is copied.
//
// Without Java and Saxon the calling test is skipped with the reason, unless
// SAMLA_REQUIRE_SAXON=1 (CI), where that is a failure: a machine without
// Java must not pass CI by skipping.
//
// It imports nothing of Samla, so package ehf's own tests can use it.
package ehftest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Failure is one svrl:failed-assert of a rule set on one file.
type Failure struct {
	Rules    string // CEN or PEPPOL
	ID       string // BR-CO-16, NO-R-001 …
	Flag     string // fatal or warning
	Location string // short XPath: /Invoice/TaxTotal/TaxSubtotal[2]
	Text     string
}

func (f Failure) String() string {
	return fmt.Sprintf("%s %s %s at %s: %s", f.Flag, f.Rules, f.ID, f.Location, f.Text)
}

// Result is what the rules say about one file.
type Result struct {
	Failures []Failure // every failed assert of both rule sets
	// Schema is the UBL 2.1 schema error, "" when the file is
	// schema-valid or was not checked (SchemaChecked false: a JRE without
	// jdk.compiler cannot run the check).
	Schema        string
	SchemaChecked bool
}

// Fatal are the fatal failures.
func (r Result) Fatal() []Failure { return r.flagged(true) }

// Warnings are the failures that are not fatal.
func (r Result) Warnings() []Failure { return r.flagged(false) }

func (r Result) flagged(fatal bool) []Failure {
	var out []Failure
	for _, f := range r.Failures {
		if (f.Flag == "fatal") == fatal {
			out = append(out, f)
		}
	}
	return out
}

// FatalIDs are the distinct rule ids of the fatal failures, sorted.
func (r Result) FatalIDs() []string {
	var ids []string
	for _, f := range r.Fatal() {
		if !slices.Contains(ids, f.ID) {
			ids = append(ids, f.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

// AssertValid fails the test for every fatal failure and schema error of
// the file and logs every warning, each with its rule id and XPath.
func (r Result) AssertValid(t testing.TB, name string) {
	t.Helper()
	for _, f := range r.Failures {
		if f.Flag == "fatal" {
			t.Errorf("%s: %s", name, f)
		} else {
			t.Logf("%s: %s", name, f)
		}
	}
	if r.Schema != "" {
		t.Errorf("%s: UBL 2.1 schema: %s", name, r.Schema)
	}
}

// Validate writes files (base name → content; names end in .xml) to a
// temporary directory and runs each rule set once over all of them, and
// the schema check beside: a JVM start and stylesheet compilation cost
// about 2 s, so one run per file would take minutes. Every file has a
// Result. The test is skipped (or, with SAMLA_REQUIRE_SAXON=1, failed) when
// Java or Saxon is missing; a rule run that does not work fails it.
func Validate(t testing.TB, files map[string][]byte) map[string]Result {
	t.Helper()
	java, jar := requireJava(t)
	td := testdata(t)
	if len(files) == 0 {
		t.Fatal("ehftest.Validate: no files")
	}
	dir := t.TempDir()
	names := make([]string, 0, len(files))
	for name, data := range files {
		if filepath.Base(name) != name || !strings.HasSuffix(name, ".xml") {
			t.Fatalf("ehftest.Validate: %q: want a base name ending in .xml", name)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	sort.Strings(names)

	xsd := startSchemaCheck(t, java, td, dir, names)
	results := runRules(t, java, jar, td, dir, names)
	schema, checked := xsd()
	for _, n := range names {
		r := results[n]
		r.Schema, r.SchemaChecked = schema[n], checked
		results[n] = r
	}
	return results
}

// The official rule sets, compiled Schematron, in testdata/xslt (see
// testdata/README.md). Both must pass: CEN-valid is not Peppol-valid.
var ruleSets = []struct{ name, xslt string }{
	{"CEN", "xslt/EN16931-UBL-validation.xslt"},
	{"PEPPOL", "xslt/PEPPOL-EN16931-UBL.xslt"},
}

// jvmFast stops the JIT at its first tier: a run of a few seconds spends
// more on optimising compilation than it wins back, and this halves the
// CPU time of a rule run.
const jvmFast = "-XX:TieredStopAtLevel=1"

// runRules runs the rule sets side by side, each once over dir.
func runRules(t testing.TB, java, jar, td, dir string, names []string) map[string]Result {
	t.Helper()
	out := t.TempDir()
	results := make(map[string]Result, len(names))
	for _, n := range names {
		results[n] = Result{}
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []string
	)
	for _, rs := range ruleSets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svrlDir := filepath.Join(out, rs.name)
			// Saxon takes -o as a directory only when it already is one.
			if err := os.Mkdir(svrlDir, 0o755); err != nil {
				mu.Lock()
				errs = append(errs, err.Error())
				mu.Unlock()
				return
			}
			cmd := exec.Command(java, jvmFast, "-cp", jar, "net.sf.saxon.Transform",
				"-s:"+dir, "-xsl:"+filepath.Join(td, rs.xslt), "-o:"+svrlDir)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			runErr := cmd.Run()
			mu.Lock()
			defer mu.Unlock()
			if runErr != nil {
				errs = append(errs, fmt.Sprintf("%s rules: saxon: %v\n%s", rs.name, runErr, stderr.String()))
				return
			}
			for _, n := range names {
				fa, err := readSVRL(filepath.Join(svrlDir, n), rs.name)
				if err != nil {
					errs = append(errs, fmt.Sprintf("%s rules on %s: %v\n%s", rs.name, n, err, stderr.String()))
					continue
				}
				r := results[n]
				r.Failures = append(r.Failures, fa...)
				results[n] = r
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(strings.Join(errs, "\n"))
	}
	return results
}

// startSchemaCheck validates the files against the UBL 2.1 schemas with
// testdata/XsdCheck.java while the rules run; the returned function waits
// and gives the error per file. Running a Java source file needs a JDK
// (jdk.compiler), not only a JRE: without one the check is left out with
// a note, or fails the test under SAMLA_REQUIRE_SAXON=1.
func startSchemaCheck(t testing.TB, java, td, dir string, names []string) func() (map[string]string, bool) {
	t.Helper()
	mods, _ := exec.Command(java, "--list-modules").Output()
	if !bytes.Contains(mods, []byte("jdk.compiler")) {
		msg := "UBL 2.1 schema check skipped: this Java is a JRE without jdk.compiler; install default-jdk-headless"
		if os.Getenv("SAMLA_REQUIRE_SAXON") == "1" {
			t.Error(msg + " (SAMLA_REQUIRE_SAXON=1 requires it)")
		} else {
			t.Log(msg)
		}
		return func() (map[string]string, bool) { return nil, false }
	}
	args := []string{jvmFast, filepath.Join(td, "XsdCheck.java"), filepath.Join(td, "xsd")}
	for _, n := range names {
		args = append(args, filepath.Join(dir, n))
	}
	cmd := exec.Command(java, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("XsdCheck: %v", err)
	}
	return func() (map[string]string, bool) {
		t.Helper()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("XsdCheck: %v\n%s", err, stderr.String())
		}
		errs := map[string]string{}
		seen := map[string]bool{}
		for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			if n, ok := strings.CutPrefix(l, "OK "); ok {
				seen[n] = true
				continue
			}
			if rest, ok := strings.CutPrefix(l, "FAIL "); ok {
				if n, msg, ok := strings.Cut(rest, ": "); ok {
					seen[n] = true
					errs[n] = msg
					continue
				}
			}
			t.Errorf("XsdCheck: unexpected output %q", l)
		}
		for _, n := range names {
			if !seen[n] {
				t.Errorf("XsdCheck said nothing about %s:\n%s\n%s", n, stdout.String(), stderr.String())
			}
		}
		return errs, true
	}
}
