package members_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/tabular"
)

func table(t *testing.T, name, content string) *tabular.Table {
	t.Helper()
	tb, err := tabular.Read(name, []byte(content))
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func count(t *testing.T, s *members.Service) int {
	t.Helper()
	_, total, err := s.List(context.Background(), admin, members.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

const goodCSV = "navn;type;kommune;isil;orgnr;kontaktperson;e-post;ip\n" +
	"Tromsø bibliotek;folkebibliotek;Tromsø;NO-2055000;988077917;Sigrid Eikrem;sigrid@tromso.example;193.157.30.0/24\n" +
	"Alta bibliotek;public;5603;;919477822;;;\n" +
	"Alta vgs;vgs;Alta;NO-3056000;;;;\"193.157.40.0/24, 2001:700:5::/48\"\n"

func TestImportDryRunWritesNothing(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	plan, err := s.Import(ctx, admin, table(t, "m.csv", goodCSV), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Created != 3 || plan.Rejected != 0 || plan.Applied {
		t.Errorf("plan: %+v", plan)
	}
	if plan.Rows[0].Line != 2 || plan.Rows[2].Line != 4 {
		t.Errorf("row lines %d, %d", plan.Rows[0].Line, plan.Rows[2].Line)
	}
	if n := count(t, s); n != 0 {
		t.Fatalf("dry run wrote %d libraries", n)
	}
}

func TestImportIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	bad := goodCSV + "Feil bibliotek;public;Oslo;NO-99;988077918;;;10.0.0.0/8\n"
	var progress []int
	plan, err := s.Import(ctx, admin, table(t, "medlemmer.csv", bad), false, func(done, total int) { progress = append(progress, done) })
	if !errors.Is(err, members.ErrImportRejected) {
		t.Fatalf("err %v, want ErrImportRejected", err)
	}
	if n := count(t, s); n != 0 {
		t.Fatalf("a rejected import wrote %d libraries", n)
	}
	if len(progress) != 4 || progress[3] != 4 {
		t.Errorf("progress calls %v", progress)
	}
	r := plan.Rows[3]
	if r.Line != 5 || r.Action != members.ActionReject {
		t.Fatalf("row 5: %+v", r)
	}
	got := map[string]string{}
	for _, p := range r.Problems {
		got[p.Column] = p.Value + " " + p.Problem.Code
	}
	if got["isil"] != "NO-99 validate.isil.no_form" || got["orgnr"] != "988077918 validate.orgnr.checksum" {
		t.Errorf("problems name the file's own columns and values: %v", got)
	}
	if plan.Created != 3 || plan.Rejected != 1 {
		t.Errorf("counts: %+v", plan)
	}
}

func TestImportCreatesUpdatesAndRoundTrips(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	plan, err := s.Import(ctx, admin, table(t, "m.csv", goodCSV), false, nil)
	if err != nil || !plan.Applied || plan.Created != 3 {
		t.Fatalf("import: %+v %v", plan, err)
	}
	items, _, _ := s.List(ctx, admin, members.Filter{Query: "Alta vgs"})
	if len(items) != 1 || items[0].Type != "upper_secondary" || items[0].CountyNumber != "56" || items[0].IPRangeCount != 2 {
		t.Fatalf("imported school: %+v", items)
	}
	tromso, _, _ := s.List(ctx, admin, members.Filter{Query: "NO-2055000"})
	if len(tromso) != 1 || tromso[0].PrimaryContact != "Sigrid Eikrem" {
		t.Fatalf("imported contact: %+v", tromso)
	}

	// A sheet with only some columns changes only those, matched by ISIL.
	plan, err = s.Import(ctx, admin, table(t, "u.csv", "isil,name,website\nNO-2055000,Tromsø byBibliotek,tromso.example\n"), false, nil)
	if err != nil || plan.Updated != 1 {
		t.Fatalf("partial update: %+v %v", plan, err)
	}
	l, _ := s.Get(ctx, admin, tromso[0].ID)
	if l.Name != "Tromsø byBibliotek" || l.OrgNumber != "988077917" || l.MunicipalityNumber != "5501" || l.Website != "https://tromso.example" {
		t.Errorf("partial update touched other fields: %+v", l)
	}

	// Locked fields in a staff import are refused with the reason.
	plan, err = s.Import(ctx, staff, table(t, "p.csv", "isil;name;innbyggere\nNO-2055000;Tromsø byBibliotek;78000\n"), false, nil)
	if !errors.Is(err, members.ErrImportRejected) || plan.Rows[0].Problems[0].Problem.Code != "members.locked" || plan.Rows[0].Problems[0].Column != "innbyggere" {
		t.Errorf("staff import of a locked field: %+v %v", plan, err)
	}

	// Export, then import the export: nothing changes.
	var buf bytes.Buffer
	if err := s.Export(ctx, admin, members.Filter{}, "csv", &buf); err != nil {
		t.Fatal(err)
	}
	plan, err = s.Import(ctx, admin, table(t, "export.csv", buf.String()), false, nil)
	if err != nil || plan.Unchanged != 3 || plan.Created+plan.Updated+plan.Rejected != 0 {
		t.Fatalf("round trip of csv export: %+v %v", plan, err)
	}
	buf.Reset()
	if err := s.Export(ctx, admin, members.Filter{}, "xlsx", &buf); err != nil {
		t.Fatal(err)
	}
	xt, err := tabular.Read("export.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	plan, err = s.Import(ctx, admin, xt, false, nil)
	if err != nil || plan.Unchanged != 3 {
		t.Fatalf("round trip of xlsx export: %+v %v", plan, err)
	}

	// Removing a range from the exported cell removes it from the library.
	edited := strings.Replace(goodCSV, "\"193.157.40.0/24, 2001:700:5::/48\"", "193.157.40.0/24", 1)
	plan, err = s.Import(ctx, admin, table(t, "m.csv", edited), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	school, _, _ := s.List(ctx, admin, members.Filter{Query: "Alta vgs"})
	if school[0].IPRangeCount != 1 {
		t.Errorf("ranges after import of a shorter list: %d", school[0].IPRangeCount)
	}
}

func TestImportFileProblems(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	_, err := s.Import(ctx, admin, table(t, "x.csv", "kommune;isil\nOslo;NO-2000000\n"), true, nil)
	var fe *members.FileError
	if !errors.As(err, &fe) || fe.Problem.Code != "import.column.name_missing" {
		t.Errorf("no name column: %v", err)
	}
	plan, err := s.Import(ctx, admin, table(t, "x.csv", "navn;farge;type\nA;blå;annet\n"), true, nil)
	if err != nil || len(plan.IgnoredColumns) != 1 || plan.IgnoredColumns[0] != "farge" {
		t.Errorf("unknown column not reported: %+v %v", plan, err)
	}
	// Two rows that collide with each other are caught in the same run.
	plan, err = s.Import(ctx, admin, table(t, "x.csv", "navn;isil\nA;NO-2000000\nB;NO-2000000\n"), false, nil)
	if !errors.Is(err, members.ErrImportRejected) || plan.Rows[1].Action != members.ActionReject {
		t.Errorf("duplicate ISIL within a file: %+v %v", plan, err)
	}
	if _, err := s.Import(ctx, auth_county(), table(t, "x.csv", "navn\nA\n"), true, nil); !errors.Is(err, members.ErrForbidden) {
		t.Errorf("county contact import: %v", err)
	}
}
