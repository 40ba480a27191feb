package mailmsg

import (
	"strings"
)

// autoReplySubjects are subject prefixes clients put on out-of-office
// replies. They are the last resort, for servers that set no header.
var autoReplySubjects = []string{
	"automatic reply:", "auto reply:", "autoreply:", "auto-reply:", "out of office:",
	"automatisk svar:", "autosvar:", "fraværsmelding", "frånvaro:", "abwesenheitsnotiz",
	"automatische antwort:", "réponse automatique",
}

// classify sets Auto and AutoRule; the first rule that matches wins, in the
// order bounce, explicit auto-reply headers, bulk, then weaker auto-reply
// signs. Bounces come first because many of them also say Auto-Submitted.
func (m *Message) classify(h header) {
	set := func(k AutoKind, rule string) { m.Auto, m.AutoRule = k, rule }

	ctype, cparams := parseParams(h.value("content-type"))
	if ctype == "multipart/report" {
		rt := cparams["report-type"]
		if rt == "" {
			set(AutoBounce, "Content-Type: multipart/report")
		} else {
			set(AutoBounce, "Content-Type: multipart/report; report-type="+rt)
		}
		return
	}
	if v := h.value("x-failed-recipients"); v != "" {
		set(AutoBounce, "X-Failed-Recipients")
		return
	}
	if v := strings.ToLower(h.value("x-ms-exchange-message-is-ndr")); v != "" {
		set(AutoBounce, "X-MS-Exchange-Message-Is-Ndr")
		return
	}

	if v := strings.ToLower(h.value("auto-submitted")); v != "" && v != "no" {
		set(AutoReply, "Auto-Submitted: "+h.value("auto-submitted"))
		return
	}
	for _, name := range []string{"x-autoreply", "x-autorespond", "x-autoresponder"} {
		if v := h.value(name); v != "" && !strings.EqualFold(v, "no") {
			set(AutoReply, canonical(name)+": "+v)
			return
		}
	}
	if v := h.value("x-apple-action"); strings.EqualFold(v, "vacation") {
		set(AutoReply, "X-Apple-Action: "+v)
		return
	}
	prec := strings.ToLower(h.value("precedence"))
	if prec == "auto_reply" {
		set(AutoReply, "Precedence: "+prec)
		return
	}

	if prec == "bulk" || prec == "junk" || prec == "list" {
		set(AutoBulk, "Precedence: "+prec)
		return
	}
	for _, name := range []string{"list-id", "list-unsubscribe", "mailing-list"} {
		if _, ok := h.get(name); ok {
			set(AutoBulk, canonical(name))
			return
		}
	}

	if v := h.value("x-auto-response-suppress"); v != "" {
		// Exchange stamps its own automatic replies with this; people's
		// ordinary mail does not carry it.
		set(AutoReply, "X-Auto-Response-Suppress: "+v)
		return
	}
	if rp, ok := h.get("return-path"); ok && strings.TrimSpace(rp) == "<>" {
		set(AutoReply, "Return-Path: <>")
		return
	}
	subj := strings.ToLower(m.Subject)
	for _, p := range autoReplySubjects {
		if strings.HasPrefix(subj, p) {
			set(AutoReply, "Subject prefix "+quote(p))
			return
		}
	}
}

func canonical(name string) string {
	parts := strings.Split(name, "-")
	for i, p := range parts {
		switch p {
		case "id":
			parts[i] = "Id"
		case "x":
			parts[i] = "X"
		default:
			if p != "" {
				parts[i] = strings.ToUpper(p[:1]) + p[1:]
			}
		}
	}
	return strings.Join(parts, "-")
}
