package caseweb

import (
	"net/http"
	"strconv"

	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/web"
)

type snippetsView struct {
	Items []cases.Snippet
	Q     string
	Lang  string
	Langs []string
}

type snippetForm struct {
	Snippet      *cases.Snippet // nil when creating
	In           cases.SnippetInput
	Langs        []string
	Placeholders []string
	Errors       map[string][]string
}

func (h *handlers) snippets(w http.ResponseWriter, r *http.Request) {
	q, lang := r.URL.Query().Get("q"), r.URL.Query().Get("lang")
	items, err := h.svc.Snippets(r.Context(), web.ActorOf(r), q, lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "snippets.html", http.StatusOK, h.app.T(r, "cweb.snippets.title", nil),
		snippetsView{Items: items, Q: q, Lang: lang, Langs: cases.SnippetLangs})
}

func (h *handlers) renderSnippet(w http.ResponseWriter, r *http.Request, status int, sn *cases.Snippet, in cases.SnippetInput, errs map[string][]string) {
	title := h.app.T(r, "cweb.snippet.new", nil)
	if sn != nil {
		title = sn.Title
	}
	h.render(w, r, "snippet_form.html", status, title,
		snippetForm{Snippet: sn, In: in, Langs: cases.SnippetLangs, Placeholders: cases.Placeholders, Errors: errs})
}

func (h *handlers) newSnippet(w http.ResponseWriter, r *http.Request) {
	h.renderSnippet(w, r, http.StatusOK, nil, cases.SnippetInput{Lang: web.Lang(r)}, nil)
}

func snippetInput(r *http.Request) cases.SnippetInput {
	_ = r.ParseForm()
	v, _ := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	return cases.SnippetInput{Title: r.PostForm.Get("title"), Lang: r.PostForm.Get("lang"), Body: r.PostForm.Get("body"), Version: v}
}

func (h *handlers) createSnippet(w http.ResponseWriter, r *http.Request) {
	in := snippetInput(r)
	sn, err := h.svc.SaveSnippet(r.Context(), web.ActorOf(r), 0, in)
	if ps := validationProblems(err); ps != nil {
		h.renderSnippet(w, r, http.StatusUnprocessableEntity, nil, in, h.messages(r, "snippet", ps))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/cases/snippets", h.app.T(r, "cweb.snippet.saved", map[string]any{"Title": sn.Title}))
}

func (h *handlers) editSnippet(w http.ResponseWriter, r *http.Request, id int64) {
	sn, err := h.svc.Snippet(r.Context(), web.ActorOf(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderSnippet(w, r, http.StatusOK, sn, cases.SnippetInput{Title: sn.Title, Lang: sn.Lang, Body: sn.Body, Version: sn.Version}, nil)
}

func (h *handlers) updateSnippet(w http.ResponseWriter, r *http.Request, id int64) {
	by := web.ActorOf(r)
	old, err := h.svc.Snippet(r.Context(), by, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in := snippetInput(r)
	sn, err := h.svc.SaveSnippet(r.Context(), by, id, in)
	switch ps := validationProblems(err); {
	case ps != nil:
		h.renderSnippet(w, r, http.StatusUnprocessableEntity, old, in, h.messages(r, "snippet", ps))
		return
	case isConflict(err):
		h.renderSnippet(w, r, http.StatusConflict, old, in, map[string][]string{"snippet._form": {h.app.T(r, "error.conflict", nil)}})
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/cases/snippets", h.app.T(r, "cweb.snippet.saved", map[string]any{"Title": sn.Title}))
}

func (h *handlers) deleteSnippet(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteSnippet(r.Context(), web.ActorOf(r), pathID(r, "id")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/cases/snippets", h.app.T(r, "cweb.snippet.deleted", nil))
}
