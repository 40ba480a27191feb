package ehf

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// The official rule sets, compiled Schematron, copied into testdata (see
// testdata/README.md). Both must pass: CEN-valid is not Peppol-valid.
var ruleSets = []struct{ name, xslt string }{
	{"CEN", "testdata/xslt/EN16931-UBL-validation.xslt"},
	{"PEPPOL", "testdata/xslt/PEPPOL-EN16931-UBL.xslt"},
}

// jvmFast stops the JIT at its first tier: a run of a few seconds spends
// more on optimising compilation than it wins back, and this halves the
// CPU time of a rule run.
const jvmFast = "-XX:TieredStopAtLevel=1"

// failedAssert is one svrl:failed-assert of a rule set on one file.
type failedAssert struct {
	Rules    string // CEN or PEPPOL
	ID       string // BR-CO-16, NO-R-001 …
	Flag     string // fatal or warning
	Location string
	Text     string
}

func (f failedAssert) String() string {
	return fmt.Sprintf("%s %s %s at %s: %s", f.Flag, f.Rules, f.ID, f.Location, f.Text)
}

// requireJava finds java and the Saxon-HE jar. Without them the validation
// tests are skipped, except where SAMLA_REQUIRE_SAXON=1 (CI) makes that a
// failure, so a machine without Java cannot pass CI by skipping.
func requireJava(t *testing.T) (java, jar string) {
	t.Helper()
	jar = os.Getenv("SAXON_JAR")
	if jar == "" {
		jar = "/usr/share/java/Saxon-HE.jar"
	}
	java, err := exec.LookPath("java")
	missing := ""
	switch {
	case err != nil:
		missing = "java is not on PATH"
	default:
		if _, err := os.Stat(jar); err != nil {
			missing = "no Saxon-HE jar at " + jar + " (set SAXON_JAR)"
		}
	}
	if missing != "" {
		why := "Java/Saxon is missing: " + missing + ". Install with: apt-get install default-jdk-headless libsaxonhe-java"
		if os.Getenv("SAMLA_REQUIRE_SAXON") == "1" {
			t.Fatal("EHF validation tests against the official PEPPOL/EN 16931 rules cannot run (SAMLA_REQUIRE_SAXON=1 requires them): " + why)
		}
		t.Skip("EHF validation tests against the official PEPPOL/EN 16931 rules skipped because " + why)
	}
	return java, jar
}

// validateDir runs every rule set once over all XML files in dir, each
// stylesheet compiled once (a JVM start and compilation cost about 2 s; one
// run per file would take minutes), the rule sets side by side. It returns
// the failed asserts per file name; every file has an entry.
func validateDir(t *testing.T, java, jar, dir string) map[string][]failedAssert {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no XML files in %s (%v)", dir, err)
	}
	out := t.TempDir()
	results := map[string][]failedAssert{}
	for _, n := range names {
		results[filepath.Base(n)] = nil
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
			xslt, _ := filepath.Abs(rs.xslt)
			// Saxon takes -o as a directory only when it already is one.
			if err := os.Mkdir(svrlDir, 0o755); err != nil {
				mu.Lock()
				errs = append(errs, err.Error())
				mu.Unlock()
				return
			}
			cmd := exec.Command(java, jvmFast, "-cp", jar, "net.sf.saxon.Transform",
				"-s:"+dir, "-xsl:"+xslt, "-o:"+svrlDir)
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
				base := filepath.Base(n)
				fa, err := readSVRL(filepath.Join(svrlDir, base), rs.name)
				if err != nil {
					errs = append(errs, fmt.Sprintf("%s rules on %s: %v\n%s", rs.name, base, err, stderr.String()))
					continue
				}
				results[base] = append(results[base], fa...)
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(strings.Join(errs, "\n"))
	}
	return results
}

// readSVRL reads the failed asserts of one SVRL report.
func readSVRL(path, rules string) ([]failedAssert, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var report struct {
		XMLName xml.Name `xml:"http://purl.oclc.org/dsdl/svrl schematron-output"`
		Failed  []struct {
			ID       string `xml:"id,attr"`
			Flag     string `xml:"flag,attr"`
			Location string `xml:"location,attr"`
			Text     string `xml:"http://purl.oclc.org/dsdl/svrl text"`
		} `xml:"http://purl.oclc.org/dsdl/svrl failed-assert"`
	}
	if err := xml.Unmarshal(data, &report); err != nil {
		return nil, fmt.Errorf("parse SVRL %s: %w", path, err)
	}
	var out []failedAssert
	for _, f := range report.Failed {
		out = append(out, failedAssert{
			Rules: rules, ID: f.ID, Flag: f.Flag,
			Location: shortXPath(f.Location), Text: strings.Join(strings.Fields(f.Text), " "),
		})
	}
	return out, nil
}

// shortXPath turns Saxon's /*:Invoice[namespace-uri()='…'][1]/*:TaxTotal[1]
// into /Invoice/TaxTotal.
func shortXPath(p string) string {
	var b strings.Builder
	for _, step := range strings.Split(p, "/") {
		if step == "" {
			continue
		}
		if i := strings.Index(step, "["); i >= 0 {
			// Keep a position other than [1]; drop namespace tests.
			rest := step[i:]
			step = step[:i]
			for _, pred := range strings.SplitAfter(rest, "]") {
				if pred != "" && pred != "[1]" && !strings.HasPrefix(pred, "[namespace-uri()") {
					step += pred
				}
			}
		}
		b.WriteString("/" + strings.TrimPrefix(step, "*:"))
	}
	return b.String()
}

// fatalIDs are the distinct ids of the fatal asserts, sorted.
func fatalIDs(fa []failedAssert) []string {
	seen := map[string]bool{}
	var ids []string
	for _, f := range fa {
		if f.Flag == "fatal" && !seen[f.ID] {
			seen[f.ID] = true
			ids = append(ids, f.ID)
		}
	}
	sort.Strings(ids)
	return ids
}
