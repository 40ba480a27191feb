package billing

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/billing/ehf"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/tabular"
)

// RunSummary is a run with its invoice count and total.
type RunSummary struct {
	Run
	Invoices   int   `bun:"invoices" json:"invoices"`
	TotalMinor int64 `bun:"total_minor" json:"total_minor"`
}

// Runs lists the invoice runs, newest first.
func (s *Service) Runs(ctx context.Context, by auth.Actor) ([]RunSummary, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var out []RunSummary
	// The model is the run, scanned into summaries: bun would take the
	// table name from RunSummary otherwise.
	err := s.DB.NewSelect().Model((*Run)(nil)).
		ColumnExpr("r.*").
		ColumnExpr("(SELECT COUNT(*) FROM invoices AS i WHERE i.run_id = r.id) AS invoices").
		ColumnExpr("(SELECT COALESCE(SUM(i.total_minor), 0) FROM invoices AS i WHERE i.run_id = r.id) AS total_minor").
		OrderExpr("r.id DESC").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return out, nil
}

// RunDetail is a run with its invoices (without lines).
func (s *Service) RunDetail(ctx context.Context, by auth.Actor, runID int64) (*Run, []*Invoice, error) {
	if !by.IsConsortium() {
		return nil, nil, ErrForbidden
	}
	run := new(Run)
	if err := load(ctx, s.DB, run, runID); err != nil {
		return nil, nil, err
	}
	var invs []*Invoice
	if err := s.DB.NewSelect().Model(&invs).Where("run_id = ?", runID).OrderExpr("id").Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("load run %d invoices: %w", runID, err)
	}
	return run, invs, nil
}

// Invoice is one invoice or credit note with its lines.
func (s *Service) Invoice(ctx context.Context, by auth.Actor, id int64) (*Invoice, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	return loadInvoice(ctx, s.DB, id)
}

func loadInvoice(ctx context.Context, idb bun.IDB, id int64) (*Invoice, error) {
	inv := new(Invoice)
	err := idb.NewSelect().Model(inv).Relation("Lines", func(q *bun.SelectQuery) *bun.SelectQuery { return q.OrderExpr("position") }).
		Where("i.id = ?", id).Scan(ctx)
	if err != nil {
		if db.IsNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("load invoice %d: %w", id, err)
	}
	return inv, nil
}

// EHF writes an approved invoice or credit note as an EHF / PEPPOL BIS
// Billing 3.0 document.
func (s *Service) EHF(ctx context.Context, by auth.Actor, invoiceID int64) (string, []byte, error) {
	if !by.IsConsortium() {
		return "", nil, ErrForbidden
	}
	inv, err := loadInvoice(ctx, s.DB, invoiceID)
	if err != nil {
		return "", nil, err
	}
	if inv.Status != StatusApproved {
		return "", nil, fmt.Errorf("invoice %d is a draft: only approved invoices have a number: %w", invoiceID, ErrConflict)
	}
	st, err := s.GetSettings(ctx)
	if err != nil {
		return "", nil, err
	}
	d, err := s.document(ctx, st, inv)
	if err != nil {
		return "", nil, err
	}
	xml, err := ehf.Write(d)
	if err != nil {
		return "", nil, fmt.Errorf("EHF for invoice %s: %w", inv.NumberText(), err)
	}
	prefix := "faktura"
	if inv.Kind == KindCreditNote {
		prefix = "kreditnota"
	}
	return fmt.Sprintf("%s-%s.xml", prefix, inv.NumberText()), xml, nil
}

// document maps a stored invoice to an EHF document. Credit notes are
// stored negative; the document carries them positive, as UBL wants.
func (s *Service) document(ctx context.Context, st *Settings, inv *Invoice) (ehf.Document, error) {
	sign := int64(1)
	kind := ehf.KindInvoice
	d := ehf.Document{Number: inv.NumberText(), IssueDate: inv.IssueDate, DueDate: inv.DueDate, Currency: inv.Currency,
		BuyerReference: inv.BuyerReference, OrderReference: inv.OrderReference, Note: inv.Note, BankAccount: st.BankAccount}
	if inv.Kind == KindCreditNote {
		sign, kind = -1, ehf.KindCreditNote
		d.DueDate = ""
		if inv.CreditsInvoiceID != nil {
			orig, err := loadInvoice(ctx, s.DB, *inv.CreditsInvoiceID)
			if err != nil {
				return d, err
			}
			d.PrecedingNumber, d.PrecedingDate = orig.NumberText(), orig.IssueDate
		}
	}
	d.Kind = kind
	d.Seller = ehf.Party{Name: st.Name, OrgNumber: st.OrgNumber, VATRegistered: st.VATRegistered, Street: st.Street,
		Postcode: st.Postcode, City: st.City, Country: st.Country, Email: st.Email}
	street, postcode, city := splitAddress(inv.BuyerAddress)
	d.Buyer = ehf.Party{Name: inv.BuyerName, OrgNumber: inv.BuyerOrgNumber, Street: street, Postcode: postcode, City: city, Country: inv.BuyerCountry}
	if scheme, id, ok := strings.Cut(inv.BuyerEndpoint, ":"); ok {
		d.Buyer.EndpointScheme, d.Buyer.EndpointID = scheme, id
	}
	if inv.HomeRateMicro != nil && inv.Currency != st.HomeCurrency {
		d.TaxCurrency, d.TaxRate = st.HomeCurrency, money.Rate(*inv.HomeRateMicro)
	}
	lg := lang(inv.BuyerCountry)
	for i, l := range inv.Lines {
		d.Lines = append(d.Lines, ehf.Line{ID: fmt.Sprint(i + 1), Name: l.Description, NetMinor: sign * l.AmountMinor,
			VATCategory: l.VATCategory, VATRateBP: l.VATRateBP, Note: s.LineNote(lg, inv, l)})
	}
	return d, nil
}

// LineNote is what the buyer reads under a line: the foreign price and
// the rate it was converted at, or the markup's base. Line rates are home
// currency per unit of the price's currency; on an invoice in another
// currency than the home one the rate shown is the cross rate, price
// currency per invoice currency unit.
func (s *Service) LineNote(lg string, inv *Invoice, l *Line) string {
	switch {
	case l.RateMicro != nil:
		rate := money.Rate(*l.RateMicro)
		if inv.HomeRateMicro != nil && *inv.HomeRateMicro > 0 {
			if cross, err := money.CrossRate(rate, money.Rate(*inv.HomeRateMicro)); err == nil {
				rate = cross
			}
		}
		return s.Catalog.T(lg, "billing.note.converted", map[string]any{
			"Amount": money.Format(lg, abs(l.SourceMinor), l.SourceCurrency), "Rate": rate.Text(lg),
			"Date": string(l.RateDate)})
	case l.Kind == LineMarkup:
		return s.Catalog.T(lg, "billing.note.markup", map[string]any{
			"Percent": money.PercentText(l.MarkupBP, lg), "Amount": money.Format(lg, abs(l.SourceMinor), l.SourceCurrency)})
	}
	return ""
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

var postLine = regexp.MustCompile(`^(?:[A-Z]{2}-)?(\d{4,5}|\d{3} \d{2})\s+(.+)$`)

// splitAddress reads a typed invoice address: the last line "0150 Oslo"
// (or "352 30 Växjö") gives postcode and city, the lines before it the
// street. Anything else stays street text.
func splitAddress(s string) (street, postcode, city string) {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r", ""), "\n") {
		for _, part := range strings.Split(l, ",") {
			if p := strings.TrimSpace(part); p != "" {
				lines = append(lines, p)
			}
		}
	}
	if n := len(lines); n > 0 {
		if m := postLine.FindStringSubmatch(lines[n-1]); m != nil {
			return strings.Join(lines[:n-1], ", "), m[1], m[2]
		}
	}
	return strings.Join(lines, ", "), "", ""
}

// RunCSV writes a run's lines for the accounting system: one row per line
// with the invoice it is on, amounts as plain decimals with a dot.
func (s *Service) RunCSV(ctx context.Context, by auth.Actor, runID int64, w io.Writer) error {
	if _, _, err := s.RunDetail(ctx, by, runID); err != nil {
		return err
	}
	// The invoices with their lines in one query, not one per invoice.
	var invs []*Invoice
	err := s.DB.NewSelect().Model(&invs).Relation("Lines", func(q *bun.SelectQuery) *bun.SelectQuery { return q.OrderExpr("position") }).
		Where("i.run_id = ?", runID).OrderExpr("i.id").Scan(ctx)
	if err != nil {
		return fmt.Errorf("load run %d invoices: %w", runID, err)
	}
	header := []string{"invoice_number", "status", "issue_date", "due_date", "buyer_name", "buyer_org_number", "buyer_reference",
		"currency", "line", "description", "net", "vat_category", "vat_rate", "source_currency", "source_amount", "rate", "rate_date", "invoice_net", "invoice_vat", "invoice_total"}
	var rows [][]string
	for _, inv := range invs {
		for _, l := range inv.Lines {
			rate := ""
			if l.RateMicro != nil {
				rate = money.Rate(*l.RateMicro).String()
			}
			rows = append(rows, []string{inv.NumberText(), inv.Status, string(inv.IssueDate), string(inv.DueDate), inv.BuyerName,
				inv.BuyerOrgNumber, inv.BuyerReference, inv.Currency, fmt.Sprint(l.Position), l.Description, money.Plain(l.AmountMinor),
				l.VATCategory, money.PercentText(l.VATRateBP, "en"), l.SourceCurrency, money.Plain(l.SourceMinor), rate, string(l.RateDate),
				money.Plain(inv.NetMinor), money.Plain(inv.VATMinor), money.Plain(inv.TotalMinor)})
		}
	}
	return tabular.WriteCSV(w, header, rows)
}

// load reads the row with id into the model m, or says ErrNotFound.
func load(ctx context.Context, idb bun.IDB, m any, id int64) error {
	if err := idb.NewSelect().Model(m).Where("id = ?", id).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return ErrNotFound
		}
		return fmt.Errorf("load %T %d: %w", m, id, err)
	}
	return nil
}
