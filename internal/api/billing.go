package api

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/billing/ehf"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/rates"
	"github.com/samla-org/samla/internal/validate"
)

// registerBilling adds the billing operations (see billing_*.go): prices,
// invoice runs and invoices, vendor invoices and the consortium's costs,
// the economy reports, and exchange rates.
func registerBilling(api huma.API, d Deps) {
	registerPrices(api, d)
	registerRuns(api, d)
	registerInvoices(api, d)
	registerVendorInvoices(api, d)
	registerEconomy(api, d)
	registerExchangeRates(api, d)
}

// billingFail maps the billing and rates domains' errors. fields renames
// the domain's field names to the request's JSON paths (the price form's
// "bands[1]" is "spec.bands[1]" here); conflict is the message for
// ErrConflict, which means something different per operation (an approved
// run cannot be discarded, a draft has no EHF document).
func billingFail(ctx context.Context, d Deps, err error, fields map[string]string, conflict string) error {
	l := lang(ctx)
	var ve *validate.Invalid
	switch {
	case errors.As(err, &ve):
		return unprocessable(d, l, ve, func(f string) string { return fieldPath(fields, f) }, problemArgs)
	case errors.Is(err, billing.ErrNotFound), errors.Is(err, rates.ErrNotFound):
		return huma.Error404NotFound(d.Catalog.T(l, "error.not_found", nil))
	case errors.Is(err, billing.ErrForbidden), errors.Is(err, rates.ErrForbidden):
		return huma.Error403Forbidden(d.Catalog.T(l, "error.forbidden", nil))
	case errors.Is(err, billing.ErrNoRate), errors.Is(err, rates.ErrNoRate):
		return coded(huma.Error422UnprocessableEntity, d, l, "api.billing.no_rate")
	case errors.Is(err, billing.ErrConflict):
		if conflict == "" {
			conflict = "error.conflict"
		}
		return coded(huma.Error409Conflict, d, l, conflict)
	case errors.Is(err, rates.ErrBusy):
		return coded(huma.Error409Conflict, d, l, "api.rates.busy")
	case errors.Is(err, ehf.ErrInvalid):
		// The registry or the seller details lack what an e-invoice must
		// carry; each field is named, with the rule's reason as its value.
		msg := d.Catalog.T(l, "api.billing.ehf_invalid", nil)
		var details []error
		for _, ie := range invalidFields(err) {
			details = append(details, &huma.ErrorDetail{Message: "api.billing.ehf_invalid: " + msg, Location: "ehf." + ie.Field, Value: ie.Reason})
		}
		return huma.Error422UnprocessableEntity(msg, details...)
	}
	return fail(ctx, d, err)
}

// invalidFields finds every field an EHF document was refused for, in
// the tree of joined and wrapped errors.
func invalidFields(err error) []*ehf.InvalidError {
	switch u := err.(type) {
	case *ehf.InvalidError:
		return []*ehf.InvalidError{u}
	case interface{ Unwrap() []error }:
		var out []*ehf.InvalidError
		for _, e := range u.Unwrap() {
			out = append(out, invalidFields(e)...)
		}
		return out
	}
	if next := errors.Unwrap(err); next != nil {
		return invalidFields(next)
	}
	return nil
}

// coded is a problem whose detail is a translated message, repeated as an
// error detail with its message id for clients that branch on it.
func coded(mk func(string, ...error) huma.StatusError, d Deps, l, id string) error {
	msg := d.Catalog.T(l, id, nil)
	return mk(msg, &huma.ErrorDetail{Message: id + ": " + msg})
}

func fieldPath(fields map[string]string, f string) string {
	if p, ok := fields[f]; ok {
		return p
	}
	// A band's row: bands[2] → spec.bands[2].
	if name, idx, ok := strings.Cut(f, "["); ok {
		if p, ok := fields[name]; ok {
			return p + "[" + idx
		}
	}
	return f
}

// problemArgs writes rates in message arguments as people read them.
func problemArgs(l string, args map[string]any) map[string]any {
	out := make(map[string]any, len(args))
	for k, v := range args {
		if r, ok := v.(money.Rate); ok {
			v = r.Text(l)
		}
		out[k] = v
	}
	return out
}

// normDate writes a date typed 16.10.2026 as 2026-10-16; anything else is
// left for the domain to refuse with its own message.
func normDate(d calendar.Date) calendar.Date {
	if n, err := calendar.Parse(strings.TrimSpace(string(d))); err == nil {
		return n
	}
	return d
}

// yearOr is year, or this year in Europe/Oslo when it is 0.
func yearOr(year int) int {
	if year != 0 {
		return year
	}
	return time.Now().In(calendar.Zone).Year()
}

// rateText is a stored rate as a decimal string, "" when there is none.
func rateText(micro *int64) string {
	if micro == nil {
		return ""
	}
	return money.Rate(*micro).String()
}
