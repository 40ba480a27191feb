package enrolmentweb

import "github.com/samla-org/samla/internal/money"

// admParsePrice reads a price as people type it ("12 500,00") into minor
// units; the rules are money.ParseMinor's.
func admParsePrice(s string) (int64, error) { return money.ParseMinor(s) }

// admPriceText writes minor units back the way admParsePrice reads them
// and a person types them in Norway and Sweden: "12 500,00".
func admPriceText(minor int64) string { return money.Format("nb", minor, "") }
