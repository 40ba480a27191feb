package usageweb

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/usage"
	"github.com/samla-org/samla/internal/web"
)

// maxFile is the largest report a person may upload; the harvest has no
// such cap, but a browser upload beyond it is a mistake.
const maxFile = 64 << 20

// maxUpload bounds one POST with many files.
const maxUpload = 1 << 30

type uploadView struct {
	Libraries []members.Library
	LibraryID int64
	Platform  string
	Results   []fileResult
	Errors    []string
}

// fileResult is what became of one uploaded file.
type fileResult struct {
	FileName    string
	Res         *usage.ImportResult
	LibraryName string
	Totals      []metricTotal
	Errors      []string
}

type metricTotal struct {
	Metric string
	Count  string
}

func (h *handlers) uploadForm(w http.ResponseWriter, r *http.Request) {
	v := &uploadView{}
	if err := h.uploadChoices(r, v); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "upload.html", http.StatusOK, h.app.T(r, "uweb.upload.title", nil), v)
}

func (h *handlers) uploadChoices(r *http.Request, v *uploadView) error {
	var err error
	v.Libraries, err = h.d.Members.Options(r.Context(), web.ActorOf(r))
	return err
}

// upload imports each file on its own: the service stores each in its own
// transaction, so one broken file leaves the others stored.
func (h *handlers) upload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	v := &uploadView{}
	if err := h.uploadChoices(r, v); err != nil {
		h.fail(w, r, err)
		return
	}
	title := h.app.T(r, "uweb.upload.title", nil)
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		v.Errors = []string{h.app.T(r, "uweb.upload.unreadable", nil)}
		h.render(w, r, "upload.html", http.StatusBadRequest, title, v)
		return
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	v.LibraryID = int64Param(r, "library")
	v.Platform = strings.TrimSpace(r.FormValue("platform"))
	files := r.MultipartForm.File["files"]
	if len(files) == 0 {
		v.Errors = []string{h.app.T(r, "uweb.upload.no_files", nil)}
		h.render(w, r, "upload.html", http.StatusUnprocessableEntity, title, v)
		return
	}
	names := map[int64]string{}
	for _, l := range v.Libraries {
		names[l.ID] = l.Name
	}
	status := http.StatusOK
	for _, fh := range files {
		fr := fileResult{FileName: fh.Filename}
		data, err := readFile(fh.Open)
		switch {
		case errors.Is(err, errTooLarge):
			fr.Errors = []string{h.app.T(r, "uweb.upload.too_large", map[string]any{"MiB": maxFile >> 20})}
		case err != nil:
			fr.Errors = []string{h.app.T(r, "uweb.upload.unreadable", nil)}
		default:
			res, err := h.svc.Import(r.Context(), web.ActorOf(r), usage.ImportInput{LibraryID: v.LibraryID, Platform: v.Platform,
				FileName: fh.Filename, Kind: "upload", Keep: data}, bytes.NewReader(data))
			if errors.Is(err, usage.ErrForbidden) {
				h.fail(w, r, err)
				return
			}
			if err != nil {
				fr.Errors = h.importError(r, err)
			} else {
				fr.Res = res
				fr.LibraryName = names[res.LibraryID]
				fr.Totals = totalsOf(web.Lang(r), res.Totals)
			}
		}
		if fr.Errors != nil {
			status = http.StatusUnprocessableEntity
		}
		v.Results = append(v.Results, fr)
	}
	h.render(w, r, "upload.html", status, title, v)
}

var errTooLarge = errors.New("file too large")

func readFile(open func() (multipart.File, error)) ([]byte, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFile {
		return nil, errTooLarge
	}
	return data, nil
}

// importError says why a file was not imported: a ValidationError's
// problems translated, a report of only exceptions with each exception,
// anything else (a broken file names its line or JSON path) as it is.
func (h *handlers) importError(r *http.Request, err error) []string {
	if msgs, ok := h.problems(r, err); ok {
		return msgs
	}
	var re *usage.ReportError
	if errors.As(err, &re) {
		out := []string{h.app.T(r, "uweb.upload.only_exceptions", nil)}
		for _, x := range re.Exceptions {
			out = append(out, strings.TrimSpace(strings.Join([]string{strconv.Itoa(x.Code), x.Message, x.Data}, " ")))
		}
		return out
	}
	return []string{err.Error()}
}

func totalsOf(lang string, m map[string]int64) []metricTotal {
	out := make([]metricTotal, 0, len(m))
	for k, n := range m {
		out = append(out, metricTotal{Metric: k, Count: groupDigits(lang, n)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Metric < out[j].Metric })
	return out
}
