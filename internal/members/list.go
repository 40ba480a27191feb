package members

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/refdata"
)

// Missing-data filters: the registry's to-do list.
const (
	MissingISIL           = "isil"
	MissingPrimaryContact = "primary_contact"
	MissingIPRanges       = "ip_ranges"
	MissingOrgNumber      = "org_number"
	MissingCoordinates    = "coordinates"
)

// MissingFilters in the order the UI lists them.
var MissingFilters = []string{MissingISIL, MissingPrimaryContact, MissingIPRanges, MissingOrgNumber, MissingCoordinates}

// Filter narrows the library list.
type Filter struct {
	Query        string // matches name, ISIL or organisation number
	Country      string
	CountyNumber string
	Type         string
	Missing      string
	Limit        int
	Offset       int
}

// ListItem is a library with what the list page shows beside it.
type ListItem struct {
	Library
	CountyName       string `json:"county_name,omitempty"`
	MunicipalityName string `json:"municipality_name,omitempty"`
	PrimaryContact   string `json:"primary_contact,omitempty"`
	IPRangeCount     int    `json:"ip_range_count"`
}

// List returns the libraries the actor may see that match f, by name, and
// the total number matching (for paging).
func (s *Service) List(ctx context.Context, by auth.Actor, f Filter) ([]ListItem, int, error) {
	var ls []Library
	q := s.DB.NewSelect().Model(&ls)
	q = scope(q, by)
	if v := strings.TrimSpace(f.Query); v != "" {
		like := "%" + strings.ToLower(v) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("LOWER(name) LIKE ?", like).WhereOr("LOWER(isil) LIKE ?", like).WhereOr("org_number LIKE ?", like)
		})
	}
	if f.Country != "" {
		q = q.Where("country = ?", f.Country)
	}
	if f.CountyNumber != "" {
		q = q.Where("county_number = ?", f.CountyNumber)
	}
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	switch f.Missing {
	case MissingISIL:
		q = q.Where("isil IS NULL")
	case MissingOrgNumber:
		q = q.Where("org_number = ''")
	case MissingCoordinates:
		q = q.Where("latitude IS NULL")
	case MissingPrimaryContact:
		q = q.Where("NOT EXISTS (SELECT 1 FROM library_contacts lc WHERE lc.library_id = library.id AND lc.role = 'primary')")
	case MissingIPRanges:
		q = q.Where("NOT EXISTS (SELECT 1 FROM ip_ranges r WHERE r.library_id = library.id)")
	case "":
	default:
		return nil, 0, fmt.Errorf("unknown missing-data filter %q", f.Missing)
	}
	limit := f.Limit
	if limit <= 0 || limit > 5000 {
		limit = 5000
	}
	total, err := q.OrderExpr("name, id").Limit(int64(limit)).Offset(int64(f.Offset)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list libraries: %w", err)
	}
	items, err := s.decorate(ctx, ls)
	return items, int(total), err
}

// scope limits a library query to what the actor may see.
func scope(q *bun.SelectQuery, by auth.Actor) *bun.SelectQuery {
	switch by.Role {
	case auth.RoleAdmin, auth.RoleStaff:
		return q
	case auth.RoleCountyContact:
		return q.Where("country = ? AND county_number = ?", by.Country, by.CountyNumber)
	case auth.RoleLibrary, auth.RoleVendor:
		if len(by.LibraryIDs) > 0 && (by.Role == auth.RoleLibrary || by.VendorID != 0) {
			return q.Where("library.id IN (?)", bun.In(by.LibraryIDs))
		}
	}
	return q.Where("1 = 0")
}

// decorate adds the primary contact and IP range count in two queries for
// the whole page rather than two per row.
func (s *Service) decorate(ctx context.Context, ls []Library) ([]ListItem, error) {
	items := make([]ListItem, len(ls))
	if len(ls) == 0 {
		return items, nil
	}
	ids := make([]int64, len(ls))
	index := make(map[int64]int, len(ls))
	for i, l := range ls {
		items[i].Library = l
		if c, ok := refdata.CountyByNumber(l.Country, l.CountyNumber); ok {
			items[i].CountyName = c.Name
		}
		if m, ok := refdata.MunicipalityByNumber(l.Country, l.MunicipalityNumber); ok {
			items[i].MunicipalityName = m.Name
		}
		ids[i] = l.ID
		index[l.ID] = i
	}
	var links []LibraryContact
	if err := s.DB.NewSelect().Model(&links).Relation("Contact").
		Where("lc.library_id IN (?) AND lc.role = 'primary'", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("primary contacts: %w", err)
	}
	for _, lc := range links {
		if lc.Contact != nil {
			items[index[lc.LibraryID]].PrimaryContact = lc.Contact.Name
		}
	}
	var counts []struct {
		LibraryID int64 `bun:"library_id"`
		N         int   `bun:"n"`
	}
	if err := s.DB.NewSelect().TableExpr("ip_ranges").ColumnExpr("library_id, COUNT(*) AS n").
		Where("library_id IN (?)", bun.In(ids)).GroupExpr("library_id").Scan(ctx, &counts); err != nil {
		return nil, fmt.Errorf("ip range counts: %w", err)
	}
	for _, c := range counts {
		items[index[c.LibraryID]].IPRangeCount = c.N
	}
	return items, nil
}

// LibrariesForContactEmail answers auth.LibraryScope: the libraries where a
// contact with this e-mail is registered, in any role.
func (s *Service) LibrariesForContactEmail(ctx context.Context, email string) ([]int64, error) {
	var ids []int64
	err := s.DB.NewSelect().TableExpr("library_contacts AS lc").ColumnExpr("lc.library_id").
		Join("JOIN contacts AS c ON c.id = lc.contact_id").Where("c.email = ?", strings.ToLower(email)).
		Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("libraries of contact %s: %w", email, err)
	}
	return ids, nil
}

// Options lists all libraries the actor may see as id/name pairs, for
// parent pickers.
func (s *Service) Options(ctx context.Context, by auth.Actor) ([]Library, error) {
	var ls []Library
	if err := scope(s.DB.NewSelect().Model(&ls).Column("id", "name", "isil"), by).OrderExpr("name").Scan(ctx); err != nil {
		return nil, fmt.Errorf("library options: %w", err)
	}
	return ls, nil
}
