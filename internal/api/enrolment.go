package api

import (
	"context"
	"errors"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/enrolment"
)

// registerEnrolment adds agreements, offers, windows, answers, trials,
// subscriptions, terms acceptance and data processing agreements.
func registerEnrolment(api huma.API, d Deps) {
	registerAgreements(api, d)
	registerWindows(api, d)
	registerSubscriptions(api, d)
	registerTerms(api, d)
	registerDPAs(api, d)
	registerTrials(api, d)
}

// failEnrolment maps the enrolment domain's errors as fail does the
// registry's: a refusal is 403 with its reason translated (and its message
// id as an error detail, for clients that branch on it), a validation error
// 422 naming every field, a window that is not open 409 saying so. Errors of
// other domains go on to productFail and fail.
func failEnrolment(ctx context.Context, d Deps, err error) error {
	l := lang(ctx)
	var ref *enrolment.Refusal
	switch {
	case errors.As(err, &ref):
		msg := d.Catalog.T(l, ref.MessageID, nil)
		return huma.Error403Forbidden(msg, &huma.ErrorDetail{Message: ref.MessageID + ": " + msg})
	case errors.Is(err, enrolment.ErrWindowClosed):
		msg := d.Catalog.T(l, "enrolment.error.window_closed", nil)
		return huma.Error409Conflict(msg, &huma.ErrorDetail{Message: "enrolment.error.window_closed: " + msg})
	}
	return fail(ctx, d, err)
}

// enrolmentNow is the enrolment service's clock, which tests pin.
func enrolmentNow(d Deps) time.Time {
	if d.Enrolment.Now != nil {
		return d.Enrolment.Now()
	}
	return time.Now()
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// translated is a message id with its template data, and the sentence they
// make in the caller's language.
func translated(ctx context.Context, d Deps, id string, args map[string]any) string {
	if id == "" {
		return ""
	}
	return d.Catalog.T(lang(ctx), id, args)
}
