package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/validate"
)

// DefaultSettings are used until an admin saves the consortium's details.
func DefaultSettings() Settings {
	return Settings{ID: 1, VATRegistered: true, Country: "NO", PaymentDays: 30, HomeCurrency: "NOK", ContributionVAT: "E"}
}

// GetSettings reads the seller details, or the defaults.
func (s *Service) GetSettings(ctx context.Context) (*Settings, error) {
	return getSettings(ctx, s.DB)
}

func getSettings(ctx context.Context, idb bun.IDB) (*Settings, error) {
	st := new(Settings)
	err := idb.NewSelect().Model(st).Where("id = 1").Scan(ctx)
	if db.IsNoRows(err) {
		d := DefaultSettings()
		return &d, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read billing settings: %w", err)
	}
	return st, nil
}

var settingsFields = []string{"name", "org_number", "vat_registered", "street", "postcode", "city", "country",
	"bank_account", "email", "payment_days", "home_currency", "contribution_vat"}

func (st *Settings) fields() map[string]any {
	return map[string]any{"name": st.Name, "org_number": st.OrgNumber, "vat_registered": st.VATRegistered,
		"street": st.Street, "postcode": st.Postcode, "city": st.City, "country": st.Country,
		"bank_account": st.BankAccount, "email": st.Email, "payment_days": st.PaymentDays,
		"home_currency": st.HomeCurrency, "contribution_vat": st.ContributionVAT}
}

// SaveSettings stores the seller details; admins only. Version must be the
// one read (0 for the first save).
func (s *Service) SaveSettings(ctx context.Context, by auth.Actor, in Settings) (*Settings, error) {
	if by.Role != auth.RoleAdmin {
		return nil, ErrForbidden
	}
	var ps validate.List
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		ps.Addf("name", "billing.settings.name", "", nil)
	}
	if in.Country == "" {
		in.Country = "NO"
	}
	if nr, p := validate.OrgNumber(in.Country, in.OrgNumber); p != nil {
		p.Field = "org_number"
		ps.Add(p)
	} else {
		in.OrgNumber = nr
	}
	if in.PaymentDays < 0 || in.PaymentDays > 365 {
		ps.Addf("payment_days", "billing.settings.payment_days", fmt.Sprint(in.PaymentDays), nil)
	}
	if !money.KnownCurrency(in.HomeCurrency) {
		ps.Addf("home_currency", "billing.price.currency", in.HomeCurrency, nil)
	}
	switch in.ContributionVAT {
	case "E", "Z", "S", "O":
	default:
		ps.Addf("contribution_vat", "billing.settings.vat", in.ContributionVAT, nil)
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	in.ID = 1
	in.UpdatedAt = s.now().UTC()
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old, err := getSettings(ctx, tx)
		if err != nil {
			return err
		}
		if old.Version != in.Version {
			return ErrConflict
		}
		in.Version = old.Version + 1
		if old.Version == 0 {
			_, err = tx.NewInsert().Model(&in).Exec(ctx)
		} else {
			_, err = tx.NewUpdate().Model(&in).WherePK().Exec(ctx)
		}
		if err != nil {
			return fmt.Errorf("save billing settings: %w", err)
		}
		return audit.Write(ctx, tx, who(by), audit.Record{Entity: "billing_settings", EntityID: 1, Action: "update",
			Changes: audit.Diff(settingsFields, old.fields(), in.fields())})
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}

func who(a auth.Actor) audit.Who { return audit.Who{UserID: a.UserID, Name: a.Name} }
