package products

import (
	"errors"
	"strings"

	"github.com/samla-org/samla/internal/validate"
)

// Typed errors; the web and API layers map them to status codes and
// translated messages. The domain knows nothing of HTTP.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("not allowed for this role")
	// ErrConflict means the record changed since the caller read it.
	ErrConflict = errors.New("the record was changed by someone else")
)

// ValidationError carries every problem found, so a form can show them all
// at once. Problem codes are message IDs in internal/i18n/gen/products.tsv
// (or validate.* for the shared rules).
type ValidationError struct {
	Problems []*validate.Problem
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return "invalid input: " + strings.Join(msgs, "; ")
}

// problems collects validation problems as a service walks an input.
type problems []*validate.Problem

func (ps *problems) add(p *validate.Problem) {
	if p != nil {
		*ps = append(*ps, p)
	}
}

// addf adds a problem; its value is also in Args as "Value", so a message
// can quote what was given.
func (ps *problems) addf(field, code, value string, args map[string]any) {
	if args == nil {
		args = map[string]any{}
	}
	if _, ok := args["Value"]; !ok {
		args["Value"] = value
	}
	*ps = append(*ps, &validate.Problem{Field: field, Code: code, Value: value, Args: args})
}

func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps}
}
