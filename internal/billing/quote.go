package billing

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Quote is what an offer costs one library under the offer's price model,
// in the offer's currency, before conversion and markup.
type Quote struct {
	OfferID  int64  `json:"offer_id"`
	Model    string `json:"model"`
	Currency string `json:"currency"`
	Minor    int64  `json:"minor"`
	Priced   bool   `json:"priced"`         // false: Skip says why (no FTE on file …), or no library was given
	Skip     string `json:"skip,omitempty"` // a billing.skip.* code
}

// Quotes prices offers for a library as the enrolment pages show them: the
// library counted among each offer's current subscribers, since a shared
// licence's share depends on who takes part (so it is an estimate until the
// window closes). With libraryID 0 only flat prices are known.
func (s *Service) Quotes(ctx context.Context, offerIDs []int64, libraryID int64) (map[int64]Quote, error) {
	out := map[int64]Quote{}
	if len(offerIDs) == 0 {
		return out, nil
	}
	var offers []offerRow
	if err := selectOffers(s.DB).Where("o.id IN (?)", bun.In(offerIDs)).Scan(ctx, &offers); err != nil {
		return nil, fmt.Errorf("load offers: %w", err)
	}
	var w *world
	for _, o := range offers {
		q := Quote{OfferID: o.ID, Model: o.PriceModel, Currency: o.Currency}
		switch {
		case o.PriceModel == ModelFlat:
			q.Minor, q.Priced = o.PriceMinor, true
		case o.PriceModel == ModelNone || libraryID == 0:
		default:
			if w == nil {
				var err error
				if w, err = loadWorld(ctx, s.DB); err != nil {
					return nil, err
				}
			}
			lib, ok := w.libraries[libraryID]
			if !ok {
				return nil, ErrNotFound
			}
			var ids []int64
			if err := s.DB.NewSelect().Table("subscriptions").Column("library_id").Where("offer_id = ?", o.ID).Scan(ctx, &ids); err != nil {
				return nil, fmt.Errorf("load subscribers: %w", err)
			}
			subs := []Payer{payer(lib)}
			for _, id := range ids {
				if l := w.libraries[id]; l != nil && id != libraryID {
					subs = append(subs, payer(l))
				}
			}
			op, err := o.price()
			if err != nil {
				return nil, err
			}
			charges, skips, err := Price(op, subs, w)
			if err != nil {
				return nil, err
			}
			for _, c := range charges {
				if c.LibraryID == libraryID {
					q.Minor, q.Priced = q.Minor+c.Minor, true
				}
			}
			for _, sk := range skips {
				if sk.LibraryID == libraryID {
					q.Skip = sk.Code
				}
			}
		}
		out[o.ID] = q
	}
	return out, nil
}
