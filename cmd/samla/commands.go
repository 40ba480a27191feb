package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/tabular"
)

// The command line acts as the system: whoever runs it already holds the
// database, so role checks would protect nothing.
var cli = auth.Actor{Name: "samla (command line)", Role: auth.RoleAdmin}

func cmdUser(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "token" {
		return cmdUserToken(ctx, args[1:], stdout)
	}
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: samla user add --email E --name N --role admin|staff|county_contact|library|vendor [--password P] [--county NO-46] [--library ID] [--vendor ID]")
	}
	var email, name, role, password, county string
	var library, vendor int64
	_, _, s, err := open(ctx, "user add", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "e-mail address (login)")
		fs.StringVar(&name, "name", "", "full name")
		fs.StringVar(&role, "role", "staff", "admin, staff, county_contact, library or vendor")
		fs.StringVar(&password, "password", "", "password (default: SAMLA_PASSWORD, or asked for)")
		fs.StringVar(&county, "county", "", "for a county contact: country and county, e.g. NO-46")
		fs.Int64Var(&library, "library", 0, "for a library contact: the library id")
		fs.Int64Var(&vendor, "vendor", 0, "for a vendor contact: the vendor id")
	})
	if err != nil {
		return err
	}
	defer s.DB.Close()
	if password == "" {
		password = os.Getenv("SAMLA_PASSWORD")
	}
	if password == "" && term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Fprint(stdout, "Password: ")
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return err
		}
		password = string(b)
	}
	n := auth.NewUser{Email: email, Name: name, Password: password, Role: auth.Role(role)}
	if county != "" {
		c, num, ok := strings.Cut(county, "-")
		if !ok {
			return fmt.Errorf("--county %q: want country-number, e.g. NO-46", county)
		}
		n.Country, n.CountyNumber = c, num
	}
	if library != 0 {
		n.LibraryID = &library
	}
	if vendor != 0 {
		n.VendorID = &vendor
	}
	u, err := s.Users.Create(ctx, cli, n)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s user %s (id %d)\n", u.Role, u.Email, u.ID)
	return nil
}

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "rates" {
		return cmdImportRates(ctx, args[1:], stdout)
	}
	if len(args) > 0 && args[0] == "counter" {
		return cmdImportCounter(ctx, args[1:], stdout)
	}
	if len(args) > 0 && args[0] == "mail" {
		return cmdImportMail(ctx, args[1:], stdout)
	}
	if len(args) == 0 || args[0] != "members" {
		return errors.New("usage: samla import members FILE [--dry-run]")
	}
	var dryRun bool
	// Go's flag package stops at the first non-flag, so pull the file out
	// wherever it stands: `import members FILE --dry-run` is what people type.
	var file string
	var flagArgs []string
	for _, a := range args[1:] {
		if file == "" && !strings.HasPrefix(a, "-") && (len(flagArgs) == 0 || !needsValue(flagArgs[len(flagArgs)-1])) {
			file = a
			continue
		}
		flagArgs = append(flagArgs, a)
	}
	if file == "" {
		return errors.New("usage: samla import members FILE [--dry-run]")
	}
	_, _, s, err := open(ctx, "import members", flagArgs, func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "check the file and show what would change; write nothing")
	})
	if err != nil {
		return err
	}
	defer s.DB.Close()
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	t, err := tabular.Read(filepath.Base(file), data)
	if err != nil {
		return err
	}
	progress := newProgress(stderr, len(t.Rows))
	plan, err := s.Members.Import(ctx, cli, t, dryRun, progress.update)
	progress.done()
	if plan != nil {
		printPlan(stdout, s.Catalog, plan)
	}
	var fe *members.FileError
	if errors.As(err, &fe) {
		return fmt.Errorf("%s: %s", fe.File, s.Catalog.T("en", fe.Problem.Code, fe.Problem.Args))
	}
	return err
}

func needsValue(flagName string) bool {
	for _, f := range []string{"--addr", "-addr", "--data", "-data", "--database", "-database", "--base-url", "-base-url"} {
		if flagName == f {
			return true
		}
	}
	return false
}

func cmdExport(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "ehf" {
		return cmdExportEHF(ctx, args[1:], stdout)
	}
	if len(args) < 2 || args[0] != "members" {
		return errors.New("usage: samla export members FILE.csv|FILE.xlsx")
	}
	file := args[1]
	_, _, s, err := open(ctx, "export members", args[2:], nil)
	if err != nil {
		return err
	}
	defer s.DB.Close()
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(file)), ".")
	if format != "csv" && format != "xlsx" {
		return fmt.Errorf("export %s: the file name must end in .csv or .xlsx", file)
	}
	tmp := file + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := s.Members.Export(ctx, cli, members.Filter{}, format, f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	// Rename last so a failed export never leaves half a file under the real name.
	if err := os.Rename(tmp, file); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported the registry to %s\n", file)
	return nil
}

// cmdUserToken makes an API token for an existing user, for scripts that
// talk to /api/v1 (the same as "Create token" on the account page).
func cmdUserToken(ctx context.Context, args []string, stdout io.Writer) error {
	var email, name string
	_, _, s, err := open(ctx, "user token", args, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the user's e-mail address")
		fs.StringVar(&name, "name", "command line", "what the token is for")
	})
	if err != nil {
		return err
	}
	defer s.DB.Close()
	u, err := s.Users.ByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("user %q: %w", email, err)
	}
	a, err := s.Users.Actor(ctx, u)
	if err != nil {
		return err
	}
	clear, _, err := s.Users.CreateToken(ctx, a, name)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, clear)
	return nil
}
