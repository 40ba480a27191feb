package memberweb

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/tabular"
	"github.com/samla-org/samla/internal/web"
)

// maxUpload bounds an import file; the largest consortium sheet is a few MB.
const maxUpload = 20 << 20

type importData struct {
	Plan      *members.Plan
	Token     string
	FileError string
	Columns   []string
}

func (h *Handlers) importForm(w http.ResponseWriter, r *http.Request) {
	h.app.Render(w, r, h.pages, "import.html", http.StatusOK, h.app.NewPage(r, h.app.T(r, "import.title", nil), importData{Columns: members.Columns}))
}

// importPreview stores the upload and shows its dry run; the user then
// confirms by token, so the file is not sent twice.
func (h *Handlers) importPreview(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		h.importFailed(w, r, "", h.app.T(r, "import.no_file", nil))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		h.importFailed(w, r, "", h.app.T(r, "import.too_large", map[string]any{"MB": maxUpload >> 20}))
		return
	}
	token, err := h.storeUpload(hdr.Filename, data)
	if err != nil {
		h.app.ServerError(w, r, err)
		return
	}
	h.runImport(w, r, token, hdr.Filename, data, true)
}

func (h *Handlers) importApply(w http.ResponseWriter, r *http.Request) {
	token := r.FormValue("token")
	name, data, err := h.loadUpload(token)
	if err != nil {
		h.importFailed(w, r, "", h.app.T(r, "import.expired", nil))
		return
	}
	h.runImport(w, r, token, name, data, false)
}

func (h *Handlers) runImport(w http.ResponseWriter, r *http.Request, token, name string, data []byte, dryRun bool) {
	t, err := tabular.Read(name, data)
	if err != nil {
		h.importFailed(w, r, "", err.Error())
		return
	}
	plan, err := h.svc.Import(r.Context(), web.ActorOf(r), t, dryRun, nil)
	var fe *members.FileError
	switch {
	case errors.As(err, &fe):
		h.importFailed(w, r, "", name+": "+h.app.T(r, fe.Problem.Code, fe.Problem.Args))
		return
	case err != nil && !errors.Is(err, members.ErrImportRejected):
		h.fail(w, r, err)
		return
	}
	if !dryRun && plan.Applied {
		_ = os.RemoveAll(filepath.Join(h.uploadDir, token))
		h.app.Flash(r, h.app.T(r, "import.done", map[string]any{"Created": plan.Created, "Updated": plan.Updated, "Unchanged": plan.Unchanged}))
		http.Redirect(w, r, "/libraries", http.StatusSeeOther)
		return
	}
	status := http.StatusOK
	if plan.Rejected > 0 {
		status = http.StatusUnprocessableEntity
	}
	h.app.Render(w, r, h.pages, "import.html", status, h.app.NewPage(r, h.app.T(r, "import.title", nil), importData{Plan: plan, Token: token, Columns: members.Columns}))
}

func (h *Handlers) importFailed(w http.ResponseWriter, r *http.Request, token, msg string) {
	h.app.Render(w, r, h.pages, "import.html", http.StatusUnprocessableEntity, h.app.NewPage(r, h.app.T(r, "import.title", nil), importData{FileError: msg, Token: token, Columns: members.Columns}))
}

var tokenPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (h *Handlers) storeUpload(name string, data []byte) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b)
	dir := filepath.Join(h.uploadDir, token)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("store upload: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "name"), []byte(filepath.Base(name)), 0o640); err != nil {
		return "", fmt.Errorf("store upload: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data"), data, 0o640); err != nil {
		return "", fmt.Errorf("store upload: %w", err)
	}
	h.sweepUploads()
	return token, nil
}

func (h *Handlers) loadUpload(token string) (string, []byte, error) {
	if !tokenPattern.MatchString(token) {
		return "", nil, errors.New("bad upload token")
	}
	dir := filepath.Join(h.uploadDir, token)
	name, err := os.ReadFile(filepath.Join(dir, "name"))
	if err != nil {
		return "", nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, "data"))
	return string(name), data, err
}

// sweepUploads forgets previews nobody confirmed within a day.
func (h *Handlers) sweepUploads() {
	entries, _ := os.ReadDir(h.uploadDir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
			_ = os.RemoveAll(filepath.Join(h.uploadDir, e.Name()))
		}
	}
}

func (h *Handlers) export(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format != "xlsx" {
		format = "csv"
	}
	f, _ := filterFrom(r)
	name := "samla-members-" + time.Now().Format("2006-01-02") + "." + format
	ctype := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if err := h.svc.Export(r.Context(), web.ActorOf(r), f, format, w); err != nil {
		h.app.Log.Error("export failed", "err", err)
	}
}
