package productweb

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

type trainingPage struct {
	Product  *products.Product
	Items    []trainingView
	Kinds    []string
	Langs    []string
	Form     map[string]string
	Errors   map[string][]*validate.Problem
	TimeZone string
}

// datetimeLocal is the value format of <input type="datetime-local">.
const datetimeLocal = "2006-01-02T15:04"

func (h *Handlers) renderTraining(w http.ResponseWriter, r *http.Request, status int, p *products.Product, form map[string]string, ps []*validate.Problem) {
	ms, err := h.svc.Training(r.Context(), web.ActorOf(r), p.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := trainingPage{Product: p, Kinds: products.TrainingKinds, Langs: products.TextLangs, Form: form, Errors: byField(ps),
		TimeZone: calendar.Zone.String()}
	for _, m := range ms {
		tv := trainingView{TrainingMaterial: m}
		if m.StartsAt != nil {
			tv.When = osloTime(*m.StartsAt)
		}
		d.Items = append(d.Items, tv)
	}
	h.app.Render(w, r, h.pages, "training.html", status, h.app.NewPage(r, p.Name, d))
}

func (h *Handlers) training(w http.ResponseWriter, r *http.Request) {
	p, err := h.svc.Product(r.Context(), web.ActorOf(r), pathID(r, "id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderTraining(w, r, http.StatusOK, p, map[string]string{"kind": products.TrainingRecording, "lang": "nb"}, nil)
}

func (h *Handlers) addTraining(w http.ResponseWriter, r *http.Request) {
	by := web.ActorOf(r)
	p, err := h.svc.Product(r.Context(), by, pathID(r, "id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	_ = r.ParseForm()
	form := map[string]string{}
	for _, k := range []string{"kind", "title", "url", "lang", "subtitled", "starts_at"} {
		form[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	in := products.TrainingInput{Kind: form["kind"], Title: form["title"], URL: form["url"], Lang: form["lang"], Subtitled: form["subtitled"] != ""}
	if s := form["starts_at"]; s != "" {
		// The form's time is a wall-clock time in Oslo.
		t, err := time.ParseInLocation(datetimeLocal, s, calendar.Zone)
		if err != nil {
			h.renderTraining(w, r, http.StatusUnprocessableEntity, p, form,
				[]*validate.Problem{{Field: "starts_at", Code: "training.starts_at.invalid", Value: s}})
			return
		}
		in.StartsAt = &t
	}
	m, err := h.svc.AddTraining(r.Context(), by, p.ID, in)
	if ps := validationProblems(err); ps != nil {
		h.renderTraining(w, r, http.StatusUnprocessableEntity, p, form, ps)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Flash(r, h.app.T(r, "training.added", map[string]any{"Title": m.Title}))
	http.Redirect(w, r, "/products/"+strconv.FormatInt(p.ID, 10)+"/training", http.StatusSeeOther)
}

func (h *Handlers) removeTraining(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	if err := h.svc.RemoveTraining(r.Context(), web.ActorOf(r), id, pathID(r, "tid")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Flash(r, h.app.T(r, "training.removed", nil))
	http.Redirect(w, r, "/products/"+strconv.FormatInt(id, 10)+"/training", http.StatusSeeOther)
}
