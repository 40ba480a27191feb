package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/billing/ehf"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/refdata"
	"github.com/samla-org/samla/internal/validate"
)

// RunInput is what an admin gives to start an invoice run.
type RunInput struct {
	Kind        string
	Name        string
	PeriodFrom  calendar.Date
	PeriodTo    calendar.Date
	IssueDate   calendar.Date // default: today
	Currency    string        // default: the home currency
	RateDate    calendar.Date // default: the issue date
	AgreementID *int64        // subscriptions: only this agreement; deficit: required

	// Deficit and consortium-cost runs.
	Year        int
	AmountMinor *int64           // deficit: the amount to share, default the computed deficit
	Among       string           // ScopeAll or ScopeParticipating counties, each paid by its county library
	Key         string           // KeyPopulation, KeyEqual, KeyFixed
	Fixed       map[string]int64 // "county:NO-46" / "library:12" → weight
}

// RunSkip is a subscriber a run could not bill, and why.
type RunSkip struct {
	Skip
	Library string `json:"library"`
	Offer   string `json:"offer"`
}

// pending is a line before it has an invoice.
type pending struct {
	line    Line
	library *members.Library
	sortKey string
}

// CreateRun computes a draft invoice run: one invoice per paying party with
// one line per subscription (and its markup), or per share of a deficit or
// of the consortium's costs. Nothing already billed is billed again.
// Subscribers that cannot be priced are listed on the run with the reason.
func (s *Service) CreateRun(ctx context.Context, by auth.Actor, in RunInput) (*Run, error) {
	if by.Role != auth.RoleAdmin {
		return nil, ErrForbidden
	}
	st, err := s.GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	today := calendar.Today(s.now())
	if in.IssueDate.IsZero() {
		in.IssueDate = today
	}
	if in.Currency == "" {
		in.Currency = st.HomeCurrency
	}
	if in.RateDate.IsZero() {
		in.RateDate = in.IssueDate
	}
	if err := checkRunInput(&in); err != nil {
		return nil, err
	}
	s = s.cachedRates(ctx, st, in.RateDate, today)
	params, _ := json.Marshal(map[string]any{"among": in.Among, "key": in.Key, "fixed": in.Fixed, "amount_minor": in.AmountMinor})
	run := &Run{Kind: in.Kind, Name: in.Name, Year: in.Year, PeriodFrom: in.PeriodFrom, PeriodTo: in.PeriodTo,
		IssueDate: in.IssueDate, DueDate: in.IssueDate.AddDays(st.PaymentDays), Currency: in.Currency,
		RateDate: in.RateDate, AgreementID: in.AgreementID, Params: string(params), Status: StatusDraft,
		CreatedBy: by.Name, CreatedAt: s.now().UTC()}
	err = s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		w, err := loadWorld(ctx, tx)
		if err != nil {
			return err
		}
		var lines []pending
		var skips []RunSkip
		switch in.Kind {
		case RunSubscriptions:
			lines, skips, err = s.subscriptionLines(ctx, tx, w, st, run)
		case RunDeficit:
			lines, err = s.deficitLines(ctx, tx, w, st, run, in)
		case RunCosts:
			lines, err = s.costLines(ctx, tx, w, st, run, in)
		}
		if err != nil {
			return err
		}
		skipped, _ := json.Marshal(skips)
		run.Skipped = string(skipped)
		if _, err := tx.NewInsert().Model(run).Exec(ctx); err != nil {
			return fmt.Errorf("insert invoice run: %w", err)
		}
		if err := s.assemble(ctx, tx, w, st, run, lines); err != nil {
			return err
		}
		return audit.Write(ctx, tx, who(by), audit.Record{Entity: "invoice_run", EntityID: run.ID, Action: "create",
			Changes: []audit.Change{{Field: "kind", After: run.Kind}, {Field: "name", After: run.Name},
				{Field: "lines", After: len(lines)}, {Field: "skipped", After: len(skips)}}})
	})
	if err != nil {
		return nil, err
	}
	return run, nil
}

func checkRunInput(in *RunInput) error {
	var ps validate.List
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		ps.Addf("name", "billing.run.name", "", nil)
	}
	switch in.Kind {
	case RunSubscriptions:
		date(&ps, "period_from", &in.PeriodFrom)
		if date(&ps, "period_to", &in.PeriodTo) && in.PeriodTo < in.PeriodFrom {
			ps.Addf("period_to", "billing.run.period", string(in.PeriodTo), nil)
		}
		if in.Year == 0 && len(in.PeriodFrom) >= 4 {
			fmt.Sscan(string(in.PeriodFrom)[:4], &in.Year)
		}
	case RunDeficit, RunCosts:
		if in.Year < 2000 || in.Year > 2100 {
			ps.Addf("year", "billing.run.year", fmt.Sprint(in.Year), nil)
		}
		if in.Kind == RunDeficit && in.AgreementID == nil {
			ps.Addf("agreement_id", "billing.run.agreement", "", nil)
		}
		if in.Among == "" {
			in.Among = ScopeAll
			if in.Kind == RunDeficit {
				in.Among = ScopeParticipating
			}
		}
		if in.Among != ScopeAll && in.Among != ScopeParticipating {
			ps.Addf("among", "billing.price.among", in.Among, nil)
		}
		if in.Key != KeyPopulation && in.Key != KeyEqual && in.Key != KeyFixed {
			ps.Addf("key", "billing.price.key", in.Key, nil)
		}
		if in.AmountMinor != nil && *in.AmountMinor <= 0 {
			ps.Addf("amount", "billing.price.total", money.Plain(*in.AmountMinor), nil)
		}
		in.PeriodFrom = calendar.Date(fmt.Sprintf("%04d-01-01", in.Year))
		in.PeriodTo = calendar.Date(fmt.Sprintf("%04d-12-31", in.Year))
	default:
		ps.Addf("kind", "billing.run.kind", in.Kind, nil)
	}
	if !money.KnownCurrency(in.Currency) {
		ps.Addf("currency", "billing.price.currency", in.Currency, nil)
	}
	date(&ps, "issue_date", &in.IssueDate)
	date(&ps, "rate_date", &in.RateDate)
	return ps.Err()
}

// date reads a typed date (2027-01-04 or 04.01.2027) into its stored form,
// or adds a problem for the field.
func date(ps *validate.List, field string, d *calendar.Date) bool {
	v, err := calendar.Parse(strings.TrimSpace(string(*d)))
	if err != nil {
		ps.Addf(field, "billing.run.date", string(*d), nil)
		return false
	}
	*d = v
	return true
}

// world is the member registry as billing needs it.
type world struct {
	libraries map[int64]*members.Library
	primary   map[int64]string // library → primary contact's name
	countyLib map[string]*members.Library
}

func loadWorld(ctx context.Context, idb bun.IDB) (*world, error) {
	var libs []*members.Library
	if err := idb.NewSelect().Model(&libs).OrderExpr("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load libraries: %w", err)
	}
	w := &world{libraries: map[int64]*members.Library{}, primary: map[int64]string{}, countyLib: map[string]*members.Library{}}
	for _, l := range libs {
		w.libraries[l.ID] = l
		if l.Type == "county" {
			k := l.Country + "-" + l.CountyNumber
			if _, dup := w.countyLib[k]; !dup { // the oldest county library of a county pays its share
				w.countyLib[k] = l
			}
		}
	}
	var contacts []struct {
		LibraryID int64  `bun:"library_id"`
		Name      string `bun:"name"`
	}
	err := idb.NewSelect().TableExpr("library_contacts AS lc").Join("JOIN contacts AS c ON c.id = lc.contact_id").
		ColumnExpr("lc.library_id, c.name").Where("lc.role = 'primary'").Scan(ctx, &contacts)
	if err != nil {
		return nil, fmt.Errorf("load primary contacts: %w", err)
	}
	for _, c := range contacts {
		w.primary[c.LibraryID] = c.Name
	}
	return w, nil
}

func payer(l *members.Library) Payer {
	return Payer{LibraryID: l.ID, Name: l.Name, Type: l.Type, Country: l.Country, County: l.CountyNumber,
		FTE: l.FTE, Population: l.Population, Students: l.Students}
}

// CountyPopulation implements Registry from the embedded reference data.
func (w *world) CountyPopulation(country, county string) int64 {
	return int64(refdata.CountyPopulation(country, county))
}

// CountyLibrary implements Registry: the county library of the registry.
func (w *world) CountyLibrary(country, county string) (Payer, bool) {
	l, ok := w.countyLib[country+"-"+county]
	if !ok {
		return Payer{}, false
	}
	return payer(l), true
}

// party is who receives a library's invoices.
type party struct {
	key, kind, name, org, address, country, endpoint string
}

func (w *world) partyOf(l *members.Library) party {
	p := party{kind: l.InvoiceParty, name: l.Name, org: l.OrgNumber, address: l.InvoiceAddress, country: l.Country, endpoint: l.EInvoiceEndpoint}
	switch l.InvoiceParty {
	case members.InvoiceMunicipality:
		p.org = l.InvoiceOrgNumber
		if m, ok := refdata.MunicipalityByNumber(l.Country, l.MunicipalityNumber); ok {
			p.name = m.Name + map[string]string{"NO": " kommune", "SE": " kommun"}[l.Country]
		}
	case members.InvoiceCounty:
		p.org = l.InvoiceOrgNumber
		if c, ok := refdata.CountyByNumber(l.Country, l.CountyNumber); ok {
			p.name = c.Name
			if l.Country == "NO" {
				p.name += " fylkeskommune"
			}
		}
	default:
		p.kind = members.InvoiceSelf
		if l.InvoiceOrgNumber != "" {
			p.org = l.InvoiceOrgNumber
		}
	}
	if p.org != "" {
		p.key = "org:" + p.org
	} else {
		p.key = fmt.Sprintf("library:%d", l.ID)
	}
	return p
}

// lang is the language of a buyer's invoice text.
func lang(country string) string {
	if country == "SE" {
		return "sv"
	}
	return "nb"
}

// assemble groups pending lines into one draft invoice per paying party
// and stores them with the run.
func (s *Service) assemble(ctx context.Context, tx bun.Tx, w *world, st *Settings, run *Run, lines []pending) error {
	type group struct {
		p     party
		libs  map[int64]bool
		lines []pending
	}
	groups := map[string]*group{}
	var keys []string
	for _, pl := range lines {
		p := w.partyOf(pl.library)
		g, ok := groups[p.key]
		if !ok {
			g = &group{p: p, libs: map[int64]bool{}}
			groups[p.key] = g
			keys = append(keys, p.key)
		}
		g.libs[pl.library.ID] = true
		g.lines = append(g.lines, pl)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := groups[keys[i]].p, groups[keys[j]].p
		if a.name != b.name {
			return a.name < b.name
		}
		return a.key < b.key
	})
	// An invoice in another currency carries the rate of its VAT in the
	// home currency; it is the run's, the same for every invoice.
	var homeRate int64
	if run.Currency != st.HomeCurrency {
		r, _, err := s.rate(ctx, run.Currency, run.RateDate, st)
		if err != nil {
			return err
		}
		homeRate = int64(r)
	}
	for _, k := range keys {
		g := groups[k]
		sort.SliceStable(g.lines, func(i, j int) bool { return g.lines[i].sortKey < g.lines[j].sortKey })
		inv := &Invoice{RunID: &run.ID, Kind: KindInvoice, Status: StatusDraft, PartyKey: g.p.key, PartyKind: g.p.kind,
			BuyerName: g.p.name, BuyerOrgNumber: g.p.org, BuyerAddress: g.p.address, BuyerCountry: g.p.country,
			BuyerEndpoint: g.p.endpoint, Currency: run.Currency, IssueDate: run.IssueDate, DueDate: run.DueDate,
			CreatedAt: s.now().UTC()}
		// The buyer's reference defaults to the primary contact of the
		// first library on the invoice; the admin can change it on the draft.
		first := g.lines[0].library
		inv.BuyerReference = w.primary[first.ID]
		if inv.BuyerReference == "" {
			inv.BuyerReference = first.Name
		}
		if run.Currency != st.HomeCurrency {
			r := homeRate
			inv.HomeRateMicro = &r
		}
		setTotals(inv, g.lines)
		if _, err := tx.NewInsert().Model(inv).Exec(ctx); err != nil {
			return fmt.Errorf("insert draft invoice for %s: %w", g.p.name, err)
		}
		ls := make([]*Line, len(g.lines))
		for i := range g.lines {
			l := g.lines[i].line
			l.InvoiceID, l.Position = inv.ID, i+1
			ls[i] = &l
		}
		if _, err := tx.NewInsert().Model(&ls).Exec(ctx); err != nil {
			return fmt.Errorf("insert lines for %s: %w", g.p.name, err)
		}
	}
	return nil
}

// setTotals computes an invoice's totals with the same VAT breakdown the
// EHF document carries, so the stored and the sent amounts never differ.
func setTotals(inv *Invoice, lines []pending) {
	el := make([]ehf.Line, len(lines))
	for i, pl := range lines {
		el[i] = ehf.Line{NetMinor: pl.line.AmountMinor, VATCategory: pl.line.VATCategory, VATRateBP: pl.line.VATRateBP}
	}
	t := ehf.Compute(el)
	inv.NetMinor, inv.VATMinor, inv.TotalMinor = t.LineMinor, t.VATMinor, t.TotalMinor
}

// rate is home-currency units per unit of currency on or before day.
func (s *Service) rate(ctx context.Context, currency string, day calendar.Date, st *Settings) (money.Rate, calendar.Date, error) {
	if currency == st.HomeCurrency {
		return money.RateScale, day, nil
	}
	if s.Rates == nil {
		return 0, "", fmt.Errorf("%w for %s on %s", ErrNoRate, currency, day)
	}
	r, d, err := s.Rates(ctx, currency, day)
	if errors.Is(err, ErrNoRate) {
		return 0, "", err
	}
	if err != nil {
		return 0, "", fmt.Errorf("%w for %s on %s: %v", ErrNoRate, currency, day, err)
	}
	return r, d, nil
}

func steps(ss []Step) string {
	b, _ := json.Marshal(ss)
	return string(b)
}

// Steps decodes how a line's amount was computed.
func (l *Line) Steps() []Step {
	var ss []Step
	// UseNumber: amounts stay exact integers, never floats.
	dec := json.NewDecoder(strings.NewReader(l.Computation))
	dec.UseNumber()
	_ = dec.Decode(&ss) // written by steps(); a row without it shows nothing
	return ss
}

// Skips decodes the subscribers a run could not bill.
func (r *Run) Skips() []RunSkip {
	var ss []RunSkip
	_ = json.Unmarshal([]byte(r.Skipped), &ss)
	return ss
}

// cachedRates returns a copy of the service whose exchange rates come from
// lookups made now, for every currency on each of days. Work inside a
// transaction uses it: the rates live in the same database, and with
// SQLite's single connection a lookup from inside a transaction would wait
// for that transaction forever.
func (s *Service) cachedRates(ctx context.Context, st *Settings, days ...calendar.Date) *Service {
	type entry struct {
		rate money.Rate
		day  calendar.Date
		err  error
	}
	got := map[string]entry{}
	for _, d := range days {
		for _, c := range money.Currencies {
			r, day, err := s.rate(ctx, c, d, st)
			got[c+"@"+string(d)] = entry{r, day, err}
		}
	}
	c := *s
	c.Rates = func(_ context.Context, currency string, on calendar.Date) (money.Rate, calendar.Date, error) {
		e, ok := got[currency+"@"+string(on)]
		if !ok {
			return 0, "", fmt.Errorf("%w for %s on %s", ErrNoRate, currency, on)
		}
		return e.rate, e.day, e.err
	}
	return &c
}
