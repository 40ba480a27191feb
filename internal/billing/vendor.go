package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/validate"
)

// VendorInvoiceInput registers an incoming invoice.
type VendorInvoiceInput struct {
	AgreementID int64
	Number      string
	InvoiceDate calendar.Date
	Currency    string
	AmountMinor int64
	Rate        string // home units per unit as paid; blank: the rate on file for the invoice date
	PaidOn      calendar.Date
	Note        string
}

// Vendor invoice statuses.
const (
	VendorRegistered = "registered"
	VendorApproved   = "approved" // approved for payment
)

// RegisterVendorInvoice records a vendor's invoice against an agreement and
// checks it at once against what was agreed: the offers' vendor totals, or
// for offers priced per library, the prices of the libraries enrolled.
func (s *Service) RegisterVendorInvoice(ctx context.Context, by auth.Actor, in VendorInvoiceInput) (*VendorInvoice, error) {
	if by.Role != auth.RoleAdmin {
		return nil, ErrForbidden
	}
	st, err := s.GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	var ps validate.List
	in.Number = strings.TrimSpace(in.Number)
	if in.Number == "" {
		ps.Addf("number", "billing.vendor.number", "", nil)
	}
	date(&ps, "invoice_date", &in.InvoiceDate)
	if in.PaidOn != "" {
		date(&ps, "paid_on", &in.PaidOn)
	}
	if !money.KnownCurrency(in.Currency) {
		ps.Addf("currency", "billing.price.currency", in.Currency, nil)
	}
	if in.AmountMinor <= 0 {
		ps.Addf("amount", "billing.vendor.amount", money.Plain(in.AmountMinor), nil)
	}
	var rate money.Rate
	if strings.TrimSpace(in.Rate) != "" {
		if rate, err = money.ParseRate(in.Rate, 0); err != nil {
			ps.Addf("rate", "billing.vendor.rate", in.Rate, nil)
		}
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	if rate == 0 {
		if rate, _, err = s.rate(ctx, in.Currency, in.InvoiceDate, st); err != nil {
			ps.Addf("rate", "billing.vendor.no_rate", in.Currency, map[string]any{"Date": string(in.InvoiceDate), "Value": in.Currency})
			return nil, ps.Err()
		}
	}
	s = s.cachedRates(ctx, st, in.InvoiceDate)
	home, err := money.Convert(in.AmountMinor, rate)
	if err != nil {
		return nil, err
	}
	vi := &VendorInvoice{AgreementID: in.AgreementID, Number: in.Number, InvoiceDate: in.InvoiceDate, Currency: in.Currency,
		AmountMinor: in.AmountMinor, RateMicro: int64(rate), HomeMinor: home, PaidOn: in.PaidOn, Status: VendorRegistered,
		Note: in.Note, CreatedBy: by.Name, CreatedAt: s.now().UTC(), Version: 1}
	err = s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		exp, err := s.expectedVendorCost(ctx, tx, st, in.AgreementID, in.Currency, in.InvoiceDate)
		if err != nil {
			return err
		}
		vi.ExpectedMinor, vi.DifferenceMinor = exp, in.AmountMinor-exp
		if _, err := tx.NewInsert().Model(vi).Exec(ctx); err != nil {
			if db.IsUniqueViolation(err) {
				ps.Addf("number", "billing.vendor.duplicate", in.Number, nil)
				return ps.Err()
			}
			return fmt.Errorf("insert vendor invoice: %w", err)
		}
		return audit.Write(ctx, tx, who(by), audit.Record{Entity: "vendor_invoice", EntityID: vi.ID, Action: "create",
			Changes: []audit.Change{{Field: "number", After: vi.Number}, {Field: "amount_minor", After: vi.AmountMinor},
				{Field: "currency", After: vi.Currency}, {Field: "difference_minor", After: vi.DifferenceMinor}}})
	})
	if err != nil {
		return nil, err
	}
	return vi, nil
}

// expectedVendorCost is what the vendor should invoice for an agreement,
// in currency: per offer its vendor total when one was agreed, else the
// sum of the prices of the libraries enrolled.
func (s *Service) expectedVendorCost(ctx context.Context, tx bun.IDB, st *Settings, agreementID int64, currency string, day calendar.Date) (int64, error) {
	var offers []offerRow
	if err := selectOffers(tx).Where("o.agreement_id = ?", agreementID).Where("o.price_model <> ?", ModelNone).Scan(ctx, &offers); err != nil {
		return 0, fmt.Errorf("load offers of agreement %d: %w", agreementID, err)
	}
	if len(offers) == 0 {
		return 0, ErrNotFound
	}
	w, err := loadWorld(ctx, tx)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, o := range offers {
		amount := int64(0)
		if o.VendorCost != nil {
			amount = *o.VendorCost
		} else {
			var libIDs []int64
			if err := tx.NewSelect().Table("subscriptions").Column("library_id").Where("offer_id = ?", o.ID).Scan(ctx, &libIDs); err != nil {
				return 0, fmt.Errorf("load subscribers: %w", err)
			}
			var subs []Payer
			for _, id := range libIDs {
				if l := w.libraries[id]; l != nil {
					subs = append(subs, payer(l))
				}
			}
			op, err := o.price()
			if err != nil {
				return 0, err
			}
			charges, _, err := Price(op, subs, w)
			if err != nil {
				return 0, fmt.Errorf("offer %d: %w", o.ID, err)
			}
			for _, c := range charges {
				amount += c.Minor
			}
		}
		if o.Currency != currency {
			from, _, err := s.rate(ctx, o.Currency, day, st)
			if err != nil {
				return 0, err
			}
			to, _, err := s.rate(ctx, currency, day, st)
			if err != nil {
				return 0, err
			}
			if amount, err = money.ConvertBetween(amount, from, to); err != nil {
				return 0, err
			}
		}
		total += amount
	}
	return total, nil
}

// VendorInvoices lists an agreement's vendor invoices.
func (s *Service) VendorInvoices(ctx context.Context, by auth.Actor, agreementID int64) ([]*VendorInvoice, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var out []*VendorInvoice
	if err := s.DB.NewSelect().Model(&out).Where("agreement_id = ?", agreementID).OrderExpr("invoice_date, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list vendor invoices: %w", err)
	}
	return out, nil
}

// ApproveVendorInvoice approves a checked vendor invoice for payment. An
// invoice that differs from what was agreed needs a note saying why it is
// right to pay it.
func (s *Service) ApproveVendorInvoice(ctx context.Context, by auth.Actor, id int64, note string) error {
	if by.Role != auth.RoleAdmin {
		return ErrForbidden
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		vi := new(VendorInvoice)
		if err := load(ctx, tx, vi, id); err != nil {
			return err
		}
		if vi.Status == VendorApproved {
			return nil
		}
		note = strings.TrimSpace(note)
		if vi.DifferenceMinor != 0 && note == "" {
			var ps validate.List
			ps.Addf("note", "billing.vendor.explain_difference", money.Plain(vi.DifferenceMinor), nil)
			return ps.Err()
		}
		now := s.now().UTC()
		vi.Status, vi.ApprovedBy, vi.ApprovedAt, vi.Version = VendorApproved, by.Name, &now, vi.Version+1
		if note != "" {
			vi.Note = strings.TrimSpace(vi.Note + "\n" + note)
		}
		if _, err := tx.NewUpdate().Model(vi).Column("status", "approved_by", "approved_at", "version", "note").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("approve vendor invoice %d: %w", id, err)
		}
		return audit.Write(ctx, tx, who(by), audit.Record{Entity: "vendor_invoice", EntityID: id, Action: "approve", Reason: note,
			Changes: []audit.Change{{Field: "status", Before: VendorRegistered, After: VendorApproved}}})
	})
}

// AddCost adds an item of the consortium's own costs for a year, in the
// home currency.
func (s *Service) AddCost(ctx context.Context, by auth.Actor, year int, description string, amountMinor int64) (*Cost, error) {
	if by.Role != auth.RoleAdmin {
		return nil, ErrForbidden
	}
	st, err := s.GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	var ps validate.List
	description = strings.TrimSpace(description)
	if description == "" {
		ps.Addf("description", "billing.cost.description", "", nil)
	}
	if amountMinor <= 0 {
		ps.Addf("amount", "billing.vendor.amount", money.Plain(amountMinor), nil)
	}
	if year < 2000 || year > 2100 {
		ps.Addf("year", "billing.run.year", fmt.Sprint(year), nil)
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	c := &Cost{Year: year, Description: description, AmountMinor: amountMinor, Currency: st.HomeCurrency, CreatedBy: by.Name, CreatedAt: s.now().UTC()}
	err = s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
			return fmt.Errorf("insert cost: %w", err)
		}
		return audit.Write(ctx, tx, who(by), audit.Record{Entity: "consortium_cost", EntityID: c.ID, Action: "create",
			Changes: []audit.Change{{Field: "description", After: description}, {Field: "amount_minor", After: amountMinor}, {Field: "year", After: year}}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteCost removes a cost item.
func (s *Service) DeleteCost(ctx context.Context, by auth.Actor, id int64) error {
	if by.Role != auth.RoleAdmin {
		return ErrForbidden
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c := new(Cost)
		if err := load(ctx, tx, c, id); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model(c).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("delete cost %d: %w", id, err)
		}
		return audit.Write(ctx, tx, who(by), audit.Record{Entity: "consortium_cost", EntityID: id, Action: "delete",
			Changes: []audit.Change{{Field: "description", Before: c.Description}, {Field: "amount_minor", Before: c.AmountMinor}}})
	})
}
