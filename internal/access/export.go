package access

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/tabular"
	"github.com/samla-org/samla/internal/validate"
)

// Codes of problems with the vendor a caller asks about.
const (
	CodeVendorRequired = "access.vendor_required"
	CodeUnknownVendor  = "access.unknown_vendor"
)

// LibraryRef names a library for a vendor.
type LibraryRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	ISIL string `json:"isil"`
}

// RangeList is every IP range of the libraries granted at least one of a
// vendor's products today.
type RangeList struct {
	VendorID   int64         `json:"vendor_id"`
	VendorName string        `json:"vendor_name"`
	Day        calendar.Date `json:"day"`
	// LastChange is the latest IP-range change of any library listed; zero
	// when none is.
	LastChange time.Time `json:"last_change"`
	// Modified is when the list may last have changed, for Last-Modified:
	// LastChange, or a later audited change to what decides who is a
	// subscriber, or midnight of Day (subscriptions start and end by date
	// with no record written). A library that stops subscribing leaves no
	// IP-range change behind, so LastChange alone would answer 304 to a
	// vendor whose copy still lists it.
	Modified time.Time    `json:"modified"`
	Ranges   []RangeEntry `json:"ranges"`
}

// RangeEntry is one range of one subscribing library.
type RangeEntry struct {
	Library LibraryRef `json:"library"`
	Range   string     `json:"range"`
	Start   string     `json:"start"`
	End     string     `json:"end"`
	// Shared: other libraries' users come from this address too, so an
	// address alone does not tell the vendor which library a user is from.
	Shared     bool     `json:"shared"`
	SharedWith []string `json:"shared_with"`
	// Products are the vendor's products the library is granted today.
	Products []string `json:"products"`
	// LibraryChanged is the library's last IP-range change.
	LibraryChanged time.Time `json:"library_changed"`

	ipr validate.IPRange
}

// vendorRef is the vendor a request is about.
type vendorRef struct {
	ID   int64
	Name string
}

// vendorFor decides whose subscribers the actor may see: the consortium
// names any vendor, a vendor token only its own (vendorID 0 means its own).
func (s *Service) vendorFor(ctx context.Context, by auth.Actor, vendorID int64) (vendorRef, error) {
	switch {
	case by.IsConsortium():
		if vendorID <= 0 {
			return vendorRef{}, &ValidationError{Problems: []*validate.Problem{{Field: "vendor_id", Code: CodeVendorRequired}}}
		}
	case by.Role == auth.RoleVendor && by.VendorID != 0:
		if vendorID != 0 && vendorID != by.VendorID {
			return vendorRef{}, ErrForbidden
		}
		vendorID = by.VendorID
	default:
		return vendorRef{}, ErrForbidden
	}
	v := vendorRef{ID: vendorID}
	if err := s.DB.NewRaw("SELECT name FROM vendors WHERE id = ?", vendorID).Scan(ctx, &v.Name); err != nil {
		if db.IsNoRows(err) {
			return vendorRef{}, &ValidationError{Problems: []*validate.Problem{{Field: "vendor_id", Code: CodeUnknownVendor, Value: strconv.FormatInt(vendorID, 10)}}}
		}
		return vendorRef{}, fmt.Errorf("vendor %d: %w", vendorID, err)
	}
	return v, nil
}

// fresh is an index that reflects the registry as it is now: exports and
// the feed must not lag behind the watcher's polling interval.
func (s *Service) fresh(ctx context.Context) (*Index, error) {
	stamp, err := s.Stamp(ctx)
	if err != nil {
		return nil, err
	}
	if ix := s.Current(); ix != nil && s.upToDate(ix, stamp) {
		return ix, nil
	}
	if err := s.Rebuild(ctx); err != nil {
		return nil, err
	}
	return s.Current(), nil
}

// subscriber is a library granted at least one of a vendor's products.
type subscriber struct {
	lib      *Library
	products []string
}

// subscribers are the libraries with at least one of the vendor's products
// entitled on the index's day, by the index's own rules (before the
// sharing rule, which is about single addresses, not libraries).
func subscribers(ix *Index, vendorID int64) map[int64]*subscriber {
	out := map[int64]*subscriber{}
	for id, l := range ix.libraries {
		for _, e := range l.Products {
			if e.VendorID != vendorID || !e.Entitled {
				continue
			}
			sub := out[id]
			if sub == nil {
				sub = &subscriber{lib: l}
				out[id] = sub
			}
			sub.products = append(sub.products, e.Name)
		}
	}
	return out
}

// Ranges lists every range of the vendor's subscribers, ordered by library
// name and address.
func (s *Service) Ranges(ctx context.Context, by auth.Actor, vendorID int64) (*RangeList, error) {
	v, err := s.vendorFor(ctx, by, vendorID)
	if err != nil {
		return nil, err
	}
	ix, err := s.fresh(ctx)
	if err != nil {
		return nil, err
	}
	subs := subscribers(ix, v.ID)
	list := &RangeList{VendorID: v.ID, VendorName: v.Name, Day: ix.Day, Ranges: []RangeEntry{}}
	if list.Modified, err = s.rosterChanged(ctx, ix.Day); err != nil {
		return nil, err
	}
	if len(subs) == 0 {
		return list, nil
	}
	ids := slices.Sorted(maps.Keys(subs))
	var rows []members.IPRange
	if err := s.DB.NewSelect().Model(&rows).Where("library_id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("ranges of vendor %d: %w", v.ID, err)
	}
	others, err := s.sharedWith(ctx, ids)
	if err != nil {
		return nil, err
	}
	changed, err := s.lastChanges(ctx, ids)
	if err != nil {
		return nil, err
	}
	// A range imported before the audit log existed has no record; its own
	// creation time is the best answer there is.
	created := map[int64]time.Time{}
	for _, r := range rows {
		if _, ok := changed[r.LibraryID]; !ok && r.CreatedAt.After(created[r.LibraryID]) {
			created[r.LibraryID] = r.CreatedAt.UTC()
		}
	}
	for id, at := range created {
		changed[id] = at
	}
	for _, r := range rows {
		ipr, err := validate.FromKeys(r.StartKey, r.EndKey)
		if err != nil {
			return nil, fmt.Errorf("range %d: %w", r.ID, err)
		}
		sub := subs[r.LibraryID]
		e := RangeEntry{
			Library: LibraryRef{ID: sub.lib.ID, Name: sub.lib.Name, ISIL: sub.lib.ISIL},
			Range:   r.RangeText, Start: ipr.Start.String(), End: ipr.End.String(),
			Shared: r.Shared || len(others[r.ID]) > 0, SharedWith: others[r.ID], Products: sub.products,
			LibraryChanged: changed[r.LibraryID], ipr: ipr,
		}
		if e.SharedWith == nil {
			e.SharedWith = []string{}
		}
		list.Ranges = append(list.Ranges, e)
		if e.LibraryChanged.After(list.LastChange) {
			list.LastChange = e.LibraryChanged
		}
	}
	if list.LastChange.After(list.Modified) {
		list.Modified = list.LastChange
	}
	slices.SortFunc(list.Ranges, func(a, b RangeEntry) int {
		if c := strings.Compare(a.Library.Name, b.Library.Name); c != 0 {
			return c
		}
		if c := cmpInt64(a.Library.ID, b.Library.ID); c != 0 {
			return c
		}
		return cmpRange(a.ipr, b.ipr)
	})
	return list, nil
}

// rosterEntities are the audited things that decide which libraries are a
// vendor's subscribers and what the list says about them. Any vendor's
// counts: erring towards "modified" only costs a vendor one download.
var rosterEntities = []string{"library", "subscription", "trial", "enrolment", "terms_acceptance", "licence_version",
	"data_processing_agreement", "product", "vendor"}

// rosterChanged is the later of midnight starting day and the last audited
// change to a roster entity.
func (s *Service) rosterChanged(ctx context.Context, day calendar.Date) (time.Time, error) {
	t := day.Time().UTC()
	var e audit.Entry
	err := s.DB.NewSelect().Model(&e).Column("at").Where("entity IN (?)", bun.In(rosterEntities)).OrderExpr("id DESC").Limit(1).Scan(ctx)
	switch {
	case db.IsNoRows(err):
		return t, nil
	case err != nil:
		return time.Time{}, fmt.Errorf("last roster change: %w", err)
	}
	if e.At.After(t) {
		t = e.At.UTC()
	}
	return t, nil
}

// sharedWith names, per range of the given libraries, the other libraries
// whose ranges overlap it.
func (s *Service) sharedWith(ctx context.Context, ids []int64) (map[int64][]string, error) {
	var pairs []struct {
		RangeID int64  `bun:"range_id"`
		Name    string `bun:"name"`
	}
	err := s.DB.NewRaw(`SELECT a.id AS range_id, l.name AS name
		FROM ip_ranges a
		JOIN ip_ranges b ON b.start_key <= a.end_key AND b.end_key >= a.start_key AND b.library_id <> a.library_id
		JOIN libraries l ON l.id = b.library_id
		WHERE a.library_id IN (?)
		ORDER BY a.id, l.name`, bun.In(ids)).Scan(ctx, &pairs)
	if err != nil && !db.IsNoRows(err) {
		return nil, fmt.Errorf("shared ranges: %w", err)
	}
	out := map[int64][]string{}
	for _, p := range pairs {
		if names := out[p.RangeID]; len(names) == 0 || names[len(names)-1] != p.Name {
			out[p.RangeID] = append(names, p.Name)
		}
	}
	return out, nil
}

// lastChanges is, per library, the time of its last IP-range audit record.
func (s *Service) lastChanges(ctx context.Context, ids []int64) (map[int64]time.Time, error) {
	var rows []struct {
		LibraryID int64     `bun:"library_id"`
		At        time.Time `bun:"at"`
	}
	err := s.DB.NewRaw(`SELECT library_id, MAX(at) AS at FROM audit_log
		WHERE entity = ? AND library_id IN (?) GROUP BY library_id`, entityIPRange, bun.In(ids)).Scan(ctx, &rows)
	if err != nil && !db.IsNoRows(err) {
		return nil, fmt.Errorf("last ip range changes: %w", err)
	}
	out := make(map[int64]time.Time, len(rows))
	for _, r := range rows {
		out[r.LibraryID] = r.At.UTC()
	}
	return out, nil
}

func dateOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return string(calendar.Today(t))
}

func cmpRange(a, b validate.IPRange) int {
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	return a.End.Compare(b.End)
}

// Table is the list as spreadsheet rows, with a header in lang.
func (l *RangeList) Table(cat *i18n.Catalog, lang string) ([]string, [][]string) {
	t := func(id string) string { return cat.T(lang, id, nil) }
	header := []string{t("access.ranges.col.library"), t("access.ranges.col.isil"), t("access.ranges.col.library_id"),
		t("access.ranges.col.range"), t("access.ranges.col.start"), t("access.ranges.col.end"), t("access.ranges.col.shared"),
		t("access.ranges.col.shared_with"), t("access.ranges.col.products"), t("access.ranges.col.last_change")}
	yes, no := t("access.ranges.yes"), t("access.ranges.no")
	rows := make([][]string, 0, len(l.Ranges))
	for _, r := range l.Ranges {
		shared := no
		if r.Shared {
			shared = yes
		}
		rows = append(rows, []string{r.Library.Name, r.Library.ISIL, strconv.FormatInt(r.Library.ID, 10),
			r.Range, r.Start, r.End, shared, strings.Join(r.SharedWith, ", "), strings.Join(r.Products, ", "),
			dateOf(r.LibraryChanged)})
	}
	return header, rows
}

// WriteCSV writes the list for a spreadsheet. It is tabular.WriteCSV's
// dialect: ';' and a UTF-8 BOM, because Norwegian and Swedish Excel use ','
// as the decimal separator and ';' as the list separator, and without the
// BOM read the file in the ANSI code page and mangle æøå in library names.
// A vendor's script reads it as easily with the delimiter set.
func (l *RangeList) WriteCSV(w io.Writer, cat *i18n.Catalog, lang string) error {
	h, rows := l.Table(cat, lang)
	return tabular.WriteCSV(w, h, rows)
}

// WriteXLSX writes the list as one sheet with a bold, frozen header.
func (l *RangeList) WriteXLSX(w io.Writer, cat *i18n.Catalog, lang string) error {
	h, rows := l.Table(cat, lang)
	return tabular.WriteXLSX(w, cat.T(lang, "access.ranges.sheet", nil), h, rows)
}

// CIDRs are every range as the fewest CIDR blocks covering it exactly,
// sorted (IPv4 first) and without duplicates: two libraries sharing a
// block list it once.
func (l *RangeList) CIDRs() []netip.Prefix {
	var ps []netip.Prefix
	for _, r := range l.Ranges {
		ps = append(ps, r.ipr.Prefixes()...)
	}
	slices.SortFunc(ps, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	return slices.Compact(ps)
}

// WriteCIDR writes one CIDR block per line, nothing else, as firewalls and
// vendors' IP-authentication systems load them.
func (l *RangeList) WriteCIDR(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, p := range l.CIDRs() {
		bw.WriteString(p.String())
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write cidr list: %w", err)
	}
	return nil
}

// WriteRanges writes one "start-end" per line (a single address as
// "a-a"), in the order of WriteCIDR, without duplicates.
func (l *RangeList) WriteRanges(w io.Writer) error {
	rs := make([]validate.IPRange, 0, len(l.Ranges))
	for _, r := range l.Ranges {
		rs = append(rs, r.ipr)
	}
	slices.SortFunc(rs, cmpRange)
	rs = slices.Compact(rs)
	bw := bufio.NewWriter(w)
	for _, r := range rs {
		bw.WriteString(r.Start.String())
		bw.WriteByte('-')
		bw.WriteString(r.End.String())
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write range list: %w", err)
	}
	return nil
}
