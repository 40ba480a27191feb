package caseweb

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/cases/mailmsg"
	"github.com/samla-org/samla/internal/web"
)

// caseView is the case page: the case, its thread, and every form on it
// with the values to show (what was posted, when a form is shown again
// with its errors).
type caseView struct {
	Detail      *cases.Detail
	Choices     *choices
	Library     string
	Product     string
	Vendor      string
	Owner       string
	Messages    []msgView
	Following   bool
	Snippets    []cases.Snippet
	ReplyStates []string
	Edit        editForm
	Tags        string
	Reply       replyForm
	Note        string
	Person      struct{ Email, Name string }
	Errors      map[string][]string
}

type editForm struct {
	Subject, State, Priority, VendorRef     string
	LibraryID, ProductID, VendorID, OwnerID string
	Version                                 int64
}

type replyForm struct {
	CaseID       int64
	To, Cc, Body string
	State        string
	Errors       map[string][]string
}

// msgView is one entry of the thread as the page shows it.
type msgView struct {
	cases.Message
	Date      string
	HTML      template.HTML // sanitised; empty when the mail had no HTML
	Files     []cases.Attachment
	Delivery  string // queued, sent or failed, for outbound mail
	LastError string
}

func editFrom(in cases.CaseInput) editForm {
	s := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	return editForm{Subject: in.Subject, State: in.State, Priority: in.Priority, VendorRef: in.VendorRef,
		LibraryID: s(in.LibraryID), ProductID: s(in.ProductID), VendorID: s(in.VendorID), OwnerID: s(in.OwnerID), Version: in.Version}
}

// load reads the case and everything its page shows, with the forms
// filled as they are when nothing was posted.
func (h *handlers) load(w http.ResponseWriter, r *http.Request) (*caseView, bool) {
	by := web.ActorOf(r)
	d, err := h.svc.Detail(r.Context(), by, pathID(r, "id"))
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	ch, err := h.choices(r)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	snippets, err := h.svc.Snippets(r.Context(), by, "", "")
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	to, cc, err := h.svc.Recipients(r.Context(), by, d.Case.ID)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	v := &caseView{Detail: d, Choices: ch, Snippets: snippets, Following: slices.Contains(d.Followers, by.UserID),
		ReplyStates: []string{"", cases.StateWaitingLibrary, cases.StateWaitingVendor, cases.StateSolved},
		Edit:        editFrom(cases.InputFrom(&d.Case)), Tags: strings.Join(d.Tags, ", "),
		Reply:  replyForm{CaseID: d.Case.ID, To: to, Cc: strings.Join(cc, ", ")},
		Errors: map[string][]string{}}
	c := &d.Case
	for _, l := range ch.Libraries {
		if c.LibraryID != nil && l.ID == *c.LibraryID {
			v.Library = l.Name
		}
	}
	for _, p := range ch.Products {
		if c.ProductID != nil && p.ID == *c.ProductID {
			v.Product = p.Name
		}
	}
	for _, x := range ch.Vendors {
		if c.VendorID != nil && x.ID == *c.VendorID {
			v.Vendor = x.Name
		}
	}
	for _, u := range ch.Owners {
		if c.OwnerID != nil && u.ID == *c.OwnerID {
			v.Owner = u.Name
		}
	}
	page := h.app.NewPage(r, "", nil)
	for _, m := range d.Messages {
		v.Messages = append(v.Messages, h.message(page, d, m))
	}
	return v, true
}

// message prepares one thread entry: the HTML body sanitised with its
// inline images pointing at their downloads (and then left out of the
// file list), and the delivery state of a reply.
func (h *handlers) message(p *web.Page, d *cases.Detail, m cases.Message) msgView {
	mv := msgView{Message: m, Date: p.Time(m.CreatedAt)}
	atts := d.Attachments[m.ID]
	used := map[int64]bool{}
	if m.BodyHTML != "" {
		mv.HTML = template.HTML(mailmsg.SanitizeHTML(m.BodyHTML, func(cid string) (string, bool) {
			for _, a := range atts {
				if a.ContentID != "" && a.ContentID == cid {
					used[a.ID] = true
					return attachmentURL(d.Case.ID, a.ID), true
				}
			}
			return "", false
		}))
	}
	for _, a := range atts {
		if !(used[a.ID] && a.Inline) {
			mv.Files = append(mv.Files, a)
		}
	}
	if st, ok := d.Delivery[m.ID]; ok {
		switch {
		case st.SentAt != nil:
			mv.Delivery = "sent"
		case st.LastError != "":
			mv.Delivery, mv.LastError = "failed", st.LastError
		default:
			mv.Delivery = "queued"
		}
	}
	return mv
}

func attachmentURL(caseID, id int64) string {
	return caseURL(caseID) + "/attachments/" + strconv.FormatInt(id, 10)
}

func (h *handlers) show(w http.ResponseWriter, r *http.Request) {
	if v, ok := h.load(w, r); ok {
		h.renderCase(w, r, http.StatusOK, v)
	}
}

func (h *handlers) renderCase(w http.ResponseWriter, r *http.Request, status int, v *caseView) {
	v.Reply.Errors = v.Errors
	title := h.app.T(r, "cweb.case.title", map[string]any{"ID": v.Detail.Case.ID, "Subject": v.Detail.Case.Subject})
	h.render(w, r, "case.html", status, title, v)
}

// again shows the case page with a form's errors and its posted values.
func (h *handlers) again(w http.ResponseWriter, r *http.Request, form string, err error, keep func(v *caseView)) {
	ps := validationProblems(err)
	if ps == nil && !isConflict(err) {
		h.fail(w, r, err)
		return
	}
	v, ok := h.load(w, r)
	if !ok {
		return
	}
	status := http.StatusUnprocessableEntity
	if ps != nil {
		v.Errors = h.messages(r, form, ps)
	} else {
		status = http.StatusConflict
		v.Errors = map[string][]string{form + "._form": {h.app.T(r, "error.conflict", nil)}}
	}
	keep(v)
	h.renderCase(w, r, status, v)
}

func optID(s string) *int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return nil
	}
	return &n
}

func (h *handlers) update(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f := r.PostForm
	version, _ := strconv.ParseInt(f.Get("version"), 10, 64)
	in := cases.CaseInput{Subject: f.Get("subject"), State: f.Get("state"), Priority: f.Get("priority"),
		LibraryID: optID(f.Get("library_id")), ProductID: optID(f.Get("product_id")), VendorID: optID(f.Get("vendor_id")),
		OwnerID: optID(f.Get("owner_id")), VendorRef: f.Get("vendor_ref"), Version: version}
	id := pathID(r, "id")
	if _, err := h.svc.Update(r.Context(), web.ActorOf(r), id, in); err != nil {
		h.again(w, r, "edit", err, func(v *caseView) { v.Edit = editFrom(in) })
		return
	}
	h.redirect(w, r, caseURL(id), h.app.T(r, "cweb.case.saved", nil))
}

func (h *handlers) setTags(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	if _, err := h.svc.SetTags(r.Context(), web.ActorOf(r), id, []string{r.PostFormValue("tags")}); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, caseURL(id), h.app.T(r, "cweb.tags.saved", nil))
}

func (h *handlers) follow(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	on := r.PostFormValue("follow") == "1"
	if err := h.svc.Follow(r.Context(), web.ActorOf(r), id, on); err != nil {
		h.fail(w, r, err)
		return
	}
	msg := "cweb.follow.off"
	if on {
		msg = "cweb.follow.on"
	}
	h.redirect(w, r, caseURL(id), h.app.T(r, msg, nil))
}

func (h *handlers) addParticipant(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	email, name := r.PostFormValue("email"), r.PostFormValue("name")
	if _, err := h.svc.AddParticipant(r.Context(), web.ActorOf(r), id, email, name); err != nil {
		h.again(w, r, "person", err, func(v *caseView) { v.Person.Email, v.Person.Name = email, name })
		return
	}
	h.redirect(w, r, caseURL(id), h.app.T(r, "cweb.person.added", map[string]any{"Email": email}))
}

func (h *handlers) removeParticipant(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	if err := h.svc.RemoveParticipant(r.Context(), web.ActorOf(r), id, pathID(r, "pid")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, caseURL(id), h.app.T(r, "cweb.person.removed", nil))
}

func (h *handlers) reply(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	_ = r.ParseForm()
	f := r.PostForm
	form := replyForm{CaseID: id, To: f.Get("to"), Cc: f.Get("cc"), Body: f.Get("body"), State: f.Get("state")}
	in := cases.ReplyInput{Body: form.Body, To: []string{form.To}, Cc: []string{form.Cc}, State: form.State}
	if _, err := h.svc.Reply(r.Context(), web.ActorOf(r), id, in); err != nil {
		h.again(w, r, "reply", err, func(v *caseView) { v.Reply = form })
		return
	}
	h.redirect(w, r, caseURL(id), h.app.T(r, "cweb.reply.queued", nil))
}

func (h *handlers) note(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	body := r.PostFormValue("body")
	if _, err := h.svc.AddNote(r.Context(), web.ActorOf(r), id, body); err != nil {
		h.again(w, r, "note", err, func(v *caseView) { v.Note = body })
		return
	}
	h.redirect(w, r, caseURL(id), h.app.T(r, "cweb.note.added", nil))
}

// insertSnippet answers the snippet picker (htmx): the reply's text area
// again, with the chosen snippet, filled in for this case, after the text
// already written.
func (h *handlers) insertSnippet(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	q := r.URL.Query()
	body := q.Get("body")
	sid, _ := strconv.ParseInt(q.Get("snippet"), 10, 64)
	if sid > 0 {
		text, err := h.svc.SnippetFor(r.Context(), web.ActorOf(r), id, sid)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if strings.TrimSpace(body) != "" {
			body = strings.TrimRight(body, "\r\n") + "\n\n" + text
		} else {
			body = text
		}
	}
	h.render(w, r, "reply_body.html", http.StatusOK, h.app.T(r, "cweb.reply.title", nil),
		&caseView{Reply: replyForm{CaseID: id, Body: body}})
}
