package validate

import "strings"

// Invalid carries every problem found in one input, so a form can show them
// all at once. The domains name it ValidationError; the web and API layers
// map it to inline errors and 422 answers.
type Invalid struct {
	Problems []*Problem
}

func (e *Invalid) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return "invalid input: " + strings.Join(msgs, "; ")
}

// List collects problems as a service walks an input.
type List []*Problem

// Add appends p unless it is nil, so checks can be added unconditionally.
func (l *List) Add(p *Problem) {
	if p != nil {
		*l = append(*l, p)
	}
}

// Addf appends a problem built from its parts.
func (l *List) Addf(field, code, value string, args map[string]any) {
	*l = append(*l, &Problem{Field: field, Code: code, Value: value, Args: args})
}

// Err is nil when nothing was found, else an *Invalid with every problem.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return &Invalid{Problems: l}
}
