package api

import "github.com/danielgtaylor/huma/v2"

// registerEnrolment adds agreements, offers, windows, answers, trials,
// subscriptions, terms acceptance and data processing agreements.
func registerEnrolment(api huma.API, d Deps) {}
