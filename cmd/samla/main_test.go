package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/db/dbtest"
)

// samla runs the command in-process against one database, as a user would.
func samla(t *testing.T, dbURL string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	full := append(args, "--data", t.TempDir(), "--database", dbURL)
	err := run(context.Background(), full, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestCommandLineImportExport(t *testing.T) {
	dbURL := dbtest.URL(t)
	dir := t.TempDir()

	out, _, err := samla(t, dbURL, "user", "add", "--email", "admin@example.org", "--name", "Admin", "--role", "admin", "--password", "a long password")
	if err != nil || !strings.Contains(out, "created admin user admin@example.org") {
		t.Fatalf("user add: %q %v", out, err)
	}
	tok, _, err := samla(t, dbURL, "user", "token", "--email", "Admin@example.org")
	if err != nil || !strings.HasPrefix(tok, "samla_") || len(strings.TrimSpace(tok)) != 70 {
		t.Errorf("user token: %q %v", tok, err)
	}
	if _, _, err := samla(t, dbURL, "user", "token", "--email", "nobody@example.org"); err == nil {
		t.Error("token for an unknown user")
	}
	if _, _, err := samla(t, dbURL, "user", "add", "--email", "x@example.org", "--name", "X", "--role", "admin", "--password", "short"); err == nil {
		t.Error("a short password was accepted")
	}

	bad := filepath.Join(dir, "medlemmer.csv")
	// Windows-1252, as Norwegian Excel saves it: "Bærum" is B\xe6rum.
	content := "navn;type;kommune;orgnr\r\nB\xe6rum bibliotek;folkebibliotek;B\xe6rum;988077917\r\nFeil;folkebibliotek;Oslo;988077918\r\n"
	if err := os.WriteFile(bad, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := samla(t, dbURL, "import", "members", bad, "--dry-run")
	if err == nil {
		t.Fatal("import with a bad row succeeded")
	}
	for _, want := range []string{`medlemmer.csv line 3: REJECT "Feil": column "orgnr" value "988077918"`, `medlemmer.csv line 2: CREATE "Bærum bibliotek"`, "1 created, 0 updated, 0 unchanged, 1 rejected"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry-run output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr, "2/2 rows") {
		t.Errorf("no progress on the terminal: %q", stderr)
	}

	good := filepath.Join(dir, "ok.csv")
	if err := os.WriteFile(good, []byte(content[:strings.LastIndex(strings.TrimRight(content, "\r\n"), "\r\n")+2]), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err = samla(t, dbURL, "import", "members", good)
	if err != nil || !strings.Contains(out, "1 created") {
		t.Fatalf("import: %q %v", out, err)
	}

	for _, name := range []string{"reg.csv", "reg.xlsx"} {
		path := filepath.Join(dir, name)
		if out, _, err := samla(t, dbURL, "export", "members", path); err != nil {
			t.Fatalf("export %s: %q %v", name, out, err)
		}
		out, _, err := samla(t, dbURL, "import", "members", path, "--dry-run")
		if err != nil || !strings.Contains(out, "0 created, 0 updated, 1 unchanged, 0 rejected") {
			t.Errorf("re-import of %s: %q %v", name, out, err)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, "reg.csv"))
	if !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) || !strings.Contains(string(data), "Bærum bibliotek;public;NO;32;3201") {
		t.Errorf("exported CSV: %q", data)
	}
	if _, _, err := samla(t, dbURL, "export", "members", filepath.Join(dir, "reg.pdf")); err == nil {
		t.Error("export to .pdf accepted")
	}
}

func TestUnknownSubcommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, &out, &errOut); err == nil || !strings.Contains(errOut.String(), "samla serve") {
		t.Errorf("unknown subcommand: %v, usage shown: %q", err, errOut.String())
	}
}
