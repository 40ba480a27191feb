package ratesweb

import (
	"errors"
	"io"
	"net/http"

	"github.com/samla-org/samla/internal/rates"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

// importFile stores the rates of an uploaded file. Success goes back to
// the list with the counts as a flash; a file that cannot be read or that
// disagrees with stored rates stays on the page with every problem listed.
func (h *Handlers) importFile(w http.ResponseWriter, r *http.Request) {
	fileProblem := func(status int, code string, args map[string]any) {
		h.render(w, r, status, &page{ImportErrors: byField([]*validate.Problem{{Field: "file", Code: code, Args: args}})})
	}
	r.Body = http.MaxBytesReader(w, r.Body, rates.MaxFileSize+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fileProblem(http.StatusRequestEntityTooLarge, rates.CodeTooLarge, map[string]any{"MaxMB": rates.MaxFileSize >> 20})
			return
		}
		if errors.Is(err, http.ErrNotMultipart) {
			fileProblem(http.StatusUnprocessableEntity, "rates.import.no_file", nil)
			return
		}
		h.app.Error(w, r, http.StatusBadRequest, "error.bad_request")
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		fileProblem(http.StatusUnprocessableEntity, "rates.import.no_file", nil)
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		h.app.Error(w, r, http.StatusBadRequest, "error.bad_request")
		return
	}
	res, err := h.svc.Import(r.Context(), web.ActorOf(r), hdr.Filename, data)
	if out := h.refused(r, hdr.Filename, err); out != nil {
		h.render(w, r, http.StatusUnprocessableEntity, &page{Import: out})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Flash(r, h.app.T(r, "rates.import.done", map[string]any{"File": res.File, "Imported": res.Imported,
		"Unchanged": res.Unchanged, "Replaced": res.Replaced, "Skipped": res.Skipped}))
	http.Redirect(w, r, "/rates", http.StatusSeeOther)
}

// refused translates a file's problems or conflicts; nil for any other
// outcome.
func (h *Handlers) refused(r *http.Request, name string, err error) *importOutcome {
	var fe *rates.FileError
	if errors.As(err, &fe) {
		out := &importOutcome{File: fe.Name, More: fe.More}
		for _, p := range fe.Problems {
			out.Messages = append(out.Messages, h.app.T(r, p.Code, p.Data()))
		}
		return out
	}
	var ce *rates.ConflictError
	if errors.As(err, &ce) {
		out := &importOutcome{File: ce.Name, Conflicts: true}
		lang := web.Lang(r)
		for i, c := range ce.Conflicts {
			if i == rates.MaxProblems {
				out.More = len(ce.Conflicts) - i
				break
			}
			data := c.Data()
			data["Source"] = h.app.T(r, "rates.source."+c.Source, nil)
			data["Stored"], data["InFile"] = c.Stored.Text(lang), c.InFile.Text(lang)
			out.Messages = append(out.Messages, h.app.T(r, rates.CodeConflict, data))
		}
		return out
	}
	return nil
}
