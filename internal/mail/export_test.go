package mail

import "context"

// ClaimForTest claims the next due message without sending it, as a worker
// that crashes right after its claim would.
func (w *Worker) ClaimForTest(ctx context.Context) (id int64, ok bool, err error) {
	r, ok, err := w.claim(ctx)
	if r != nil {
		id = r.ID
	}
	return id, ok, err
}
