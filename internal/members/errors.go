package members

import (
	"errors"

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
// at once; the same type in every domain, so the layers above map it once.
type ValidationError = validate.Invalid

// problems collects validation problems as a service walks an input.
type problems = validate.List
