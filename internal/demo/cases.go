package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/server"
)

// DeskAddress is the demo consortium's case desk mailbox.
const DeskAddress = "Samla-sekretariatet <post@samla.example>"

// seedCases fills the case desk the way a few weeks of mail would: a
// library writing to a vendor with the desk on copy and the vendor's
// answer, an out-of-office, a question about an invoice, a Swedish case,
// replies, a note, tags, snippets in three languages and saved views.
func seedCases(ctx context.Context, s *server.Services, now time.Time, staff auth.Actor) error {
	c := s.Cases
	if c.Address == "" {
		c.Address = DeskAddress
	}
	clock := now.Add(-40 * 24 * time.Hour)
	defer func() { c.Now = nil }()
	c.Now = func() time.Time { return clock }

	var libs []struct {
		Name  string `bun:"name"`
		Email string `bun:"email"`
		ID    int64  `bun:"id"`
	}
	err := s.DB.NewSelect().TableExpr("libraries AS l").ColumnExpr("l.id, l.name, co.email").
		Join("JOIN library_contacts AS lc ON lc.library_id = l.id AND lc.role = 'primary'").
		Join("JOIN contacts AS co ON co.id = lc.contact_id").
		Where("l.type = 'public'").OrderExpr("l.country, l.id").Limit(40).Scan(ctx, &libs)
	if err != nil || len(libs) < 3 {
		return fmt.Errorf("demo cases: libraries with contacts: %v (%d found)", err, len(libs))
	}
	no1, no2 := libs[0], libs[1]
	se := libs[len(libs)-1]

	mails := []struct {
		after time.Duration
		raw   []string
		body  string
	}{
		{0, []string{"From: " + no1.Email, "To: support@nordavis.example", "Cc: " + DeskAddress,
			"Subject: Avisleser Norden: innlogging feiler fra filialen", "Message-ID: <demo-1@bibliotek.example>"},
			"Hei!\n\nLånerne på filialen vår får «ingen tilgang» i Avisleser Norden siden mandag.\nIP-adressene våre er de samme som før.\n\nHilsen biblioteket"},
		{3 * time.Hour, []string{"From: Nordavis kundeservice <support@nordavis.example>", "To: " + no1.Email, "Cc: " + DeskAddress,
			"Subject: SV: Avisleser Norden: innlogging feiler fra filialen", "Message-ID: <demo-2@nordavis.example>",
			"In-Reply-To: <demo-1@bibliotek.example>", "References: <demo-1@bibliotek.example>"},
			"Takk for meldingen. Vi ser at IP-listen vår mangler ett område og retter det i løpet av dagen."},
		{4 * time.Hour, []string{"From: " + no1.Email, "To: " + DeskAddress, "Subject: Fravær: Avisleser Norden",
			"Auto-Submitted: auto-replied", "Message-ID: <demo-3@bibliotek.example>", "In-Reply-To: <demo-2@nordavis.example>"},
			"Jeg er på kurs og svarer etter 20. november."},
		{9 * 24 * time.Hour, []string{"From: " + no2.Email, "To: " + DeskAddress, "Subject: Spørsmål om fakturaen for Lovbasen Pro",
			"Message-ID: <demo-4@bibliotek.example>"},
			"Hei, vi har fått faktura for Lovbasen Pro, men vi meldte oss av i høst. Kan dere se på det?"},
		{20 * 24 * time.Hour, []string{"From: " + se.Email, "To: hjalp@larelys.example", "Cc: " + DeskAddress,
			"Subject: Lesetrening Plus går inte att starta", "Message-ID: <demo-5@bibliotek.example>"},
			"Hej! Eleverna får ett felmeddelande när de loggar in i Lesetrening Plus. Gäller alla skolor i kommunen."},
		{33 * 24 * time.Hour, []string{"From: " + no2.Email, "To: kundeservice@juridika.example", "Cc: " + DeskAddress,
			"Subject: Lovbasen Pro er treg", "Message-ID: <demo-6@bibliotek.example>"},
			"Søk i Lovbasen Pro tar over et minutt i dag."},
	}
	start := clock
	caseOf := map[int]int64{}
	for i, m := range mails {
		clock = start.Add(m.after)
		raw := strings.Join(m.raw, "\r\n") + "\r\nDate: " + clock.Format(time.RFC1123Z) +
			"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + m.body + "\r\n"
		got, err := c.Ingest(ctx, cases.Incoming{Raw: []byte(raw), Source: "demo"})
		if err != nil {
			return fmt.Errorf("demo mail %d: %w", i+1, err)
		}
		caseOf[i] = got.CaseID
	}

	clock = start.Add(5 * time.Hour)
	if _, err := c.AddNote(ctx, staff, caseOf[0], "Nordavis bekrefter feil i IP-listen. Følg opp fredag om det ikke er løst."); err != nil {
		return fmt.Errorf("demo note: %w", err)
	}
	if _, err := c.SetTags(ctx, staff, caseOf[0], []string{"tilgang", "ip"}); err != nil {
		return err
	}
	clock = start.Add(10 * 24 * time.Hour)
	if _, err := c.Reply(ctx, staff, caseOf[3], cases.ReplyInput{Body: "Hei! Vi sjekker påmeldingen deres og kommer tilbake i løpet av uka.", State: cases.StateOpen}); err != nil {
		return fmt.Errorf("demo reply: %w", err)
	}
	if _, err := c.SetTags(ctx, staff, caseOf[3], []string{"faktura"}); err != nil {
		return err
	}
	clock = start.Add(21 * 24 * time.Hour)
	if _, err := c.Reply(ctx, staff, caseOf[4], cases.ReplyInput{Body: "Hej! Vi har kontaktat Lärelys och återkommer.", State: cases.StateWaitingVendor}); err != nil {
		return fmt.Errorf("demo reply: %w", err)
	}

	snippets := []cases.SnippetInput{
		{Title: "Vi undersøker saken", Lang: "nb", Body: "Hei {contact}!\n\nTakk for at du meldte fra om {product}. Vi har tatt det opp med {vendor} og kommer tilbake til {library} så snart vi vet mer.\n\nVennlig hilsen\n{staff}\nSamla-sekretariatet"},
		{Title: "Saken er løst", Lang: "nb", Body: "Hei {contact}!\n\n{vendor} melder at feilen i {product} er rettet. Gi beskjed om det fortsatt ikke virker, så åpner vi sak {case} igjen.\n\nHilsen {staff}"},
		{Title: "Vi undersöker ärendet", Lang: "sv", Body: "Hej {contact}!\n\nTack för att du hörde av dig om {product}. Vi har tagit upp det med {vendor} och återkommer till {library}.\n\nVänliga hälsningar\n{staff}"},
		{Title: "We are looking into it", Lang: "en", Body: "Dear {vendor},\n\nOur member {library} reports a problem with {product} (our reference {case}). Could you look into it?\n\nBest regards\n{staff}"},
	}
	for _, sn := range snippets {
		if _, err := c.SaveSnippet(ctx, staff, 0, sn); err != nil {
			return fmt.Errorf("demo snippet %q: %w", sn.Title, err)
		}
	}
	for name, f := range map[string]cases.Filter{
		"Venter på leverandør": {State: cases.StateWaitingVendor},
		"Faktura":              {Tag: "faktura", State: "all"},
		"Eldre enn en uke":     {OlderThan: 7},
	} {
		if _, err := c.SaveView(ctx, staff, name, f); err != nil {
			return fmt.Errorf("demo view %q: %w", name, err)
		}
	}
	return nil
}
