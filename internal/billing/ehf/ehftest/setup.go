package ehftest

import (
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// requireJava finds java and the Saxon-HE jar ($SAXON_JAR, else the Debian
// package's), or skips the test saying what is missing and how to install
// it; with SAMLA_REQUIRE_SAXON=1 it fails the test instead.
func requireJava(t testing.TB) (java, jar string) {
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
			t.Fatal("EHF validation against the official PEPPOL/EN 16931 rules cannot run (SAMLA_REQUIRE_SAXON=1 requires it): " + why)
		}
		t.Skip("EHF validation against the official PEPPOL/EN 16931 rules skipped because " + why)
	}
	return java, jar
}

// testdata is internal/billing/ehf/testdata: next to this package's source
// (runtime.Caller), or, in a binary built with -trimpath, found from the
// working directory up to go.mod.
func testdata(t testing.TB) string {
	t.Helper()
	var tried []string
	if _, file, _, ok := runtime.Caller(0); ok {
		d := filepath.Join(filepath.Dir(file), "..", "testdata")
		if isRuleDir(d) {
			return d
		}
		tried = append(tried, d)
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				td := filepath.Join(d, "internal", "billing", "ehf", "testdata")
				if isRuleDir(td) {
					return td
				}
				tried = append(tried, td)
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	t.Fatalf("ehftest: the rule files (internal/billing/ehf/testdata/xslt) are not at %s", strings.Join(tried, " or "))
	return ""
}

func isRuleDir(d string) bool {
	_, err := os.Stat(filepath.Join(d, ruleSets[0].xslt))
	return err == nil
}

// readSVRL reads the failed asserts of one SVRL report.
func readSVRL(path, rules string) ([]Failure, error) {
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
	var out []Failure
	for _, f := range report.Failed {
		out = append(out, Failure{
			Rules: rules, ID: f.ID, Flag: f.Flag,
			Location: ShortXPath(f.Location), Text: strings.Join(strings.Fields(f.Text), " "),
		})
	}
	return out, nil
}

// ShortXPath turns Saxon's /*:Invoice[namespace-uri()='…'][1]/*:TaxTotal[1]
// into /Invoice/TaxTotal, keeping positions other than [1].
func ShortXPath(p string) string {
	var b strings.Builder
	for _, step := range strings.Split(p, "/") {
		if step == "" {
			continue
		}
		if i := strings.Index(step, "["); i >= 0 {
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
