// Package usage holds the consortium's usage statistics: COUNTER R5 and
// R5.1 reports imported from files or harvested over SUSHI, stored as
// import batches (report × library × platform × month) of narrow facts,
// and the questions asked of them — usage over time per library, county
// and product, top titles, cost per use, subscriptions without use.
package usage

import (
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/validate"
)

// Typed errors; the web and API layers map them.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("not allowed for this role")
)

// ValidationError carries every problem found in an input.
type ValidationError = validate.Invalid

// Batch statuses.
const (
	StatusUsage   = "usage"
	StatusNoUsage = "no_usage" // the vendor said there was none (3030 …): not the same as zero
	StatusPartial = "partial"  // the vendor said the data is incomplete (3031, 3032 …)
)

// Service imports, harvests and answers questions about usage.
type Service struct {
	DB *db.DB
	// Now is the clock; tests set it. Nil means time.Now.
	Now func() time.Time
	// Key encrypts SUSHI credentials at rest (32 bytes); without one,
	// credentials cannot be saved.
	Key []byte
	// SUSHI fetches reports for harvests; nil means a plain sushi.Client.
	SUSHI Fetcher
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Platform is a vendor's platform as COUNTER reports name it.
type Platform struct {
	bun.BaseModel `bun:"table:usage_platforms,alias:up"`

	ID        int64     `bun:"id,pk,autoincrement" json:"id"`
	Name      string    `bun:"name" json:"name"`
	NameKey   string    `bun:"name_key" json:"-"`
	ProductID *int64    `bun:"product_id" json:"product_id,omitempty"`
	CreatedAt time.Time `bun:"created_at" json:"-"`
}

// Source is a file or harvest response that numbers came from.
type Source struct {
	bun.BaseModel `bun:"table:usage_sources,alias:us"`

	ID         int64     `bun:"id,pk,autoincrement" json:"id"`
	Kind       string    `bun:"kind" json:"kind"` // upload, api, cli, harvest
	FileName   string    `bun:"file_name" json:"file_name"`
	SHA256     string    `bun:"sha256" json:"sha256"`
	Size       int64     `bun:"size" json:"size"`
	Data       []byte    `bun:"data" json:"-"`
	Release    string    `bun:"release" json:"release"`
	ReportID   string    `bun:"report_id" json:"report_id"`
	Warnings   string    `bun:"warnings" json:"-"`
	Exceptions string    `bun:"exceptions" json:"-"`
	CreatedBy  string    `bun:"created_by" json:"created_by"`
	CreatedAt  time.Time `bun:"created_at" json:"created_at"`
}

// Batch is one report × library × platform × month.
type Batch struct {
	bun.BaseModel `bun:"table:usage_batches,alias:ub"`

	ID         int64     `bun:"id,pk,autoincrement" json:"id"`
	ReportID   string    `bun:"report_id" json:"report_id"`
	LibraryID  int64     `bun:"library_id" json:"library_id"`
	PlatformID int64     `bun:"platform_id" json:"platform_id"`
	Month      string    `bun:"month" json:"month"`
	SourceID   int64     `bun:"source_id" json:"source_id"`
	Status     string    `bun:"status" json:"status"`
	Exceptions string    `bun:"exceptions" json:"exceptions"`
	CreatedAt  time.Time `bun:"created_at" json:"created_at"`
}

type fact struct {
	bun.BaseModel `bun:"table:usage_facts,alias:usage_facts"`

	BatchID  int64 `bun:"batch_id,pk"`
	TitleID  int64 `bun:"title_id,pk"`
	MetricID int64 `bun:"metric_id,pk"`
	Count    int64 `bun:"count"`
}

type total struct {
	bun.BaseModel `bun:"table:usage_totals"`

	BatchID  int64 `bun:"batch_id,pk"`
	MetricID int64 `bun:"metric_id,pk"`
	Count    int64 `bun:"count"`
}

type metric struct {
	bun.BaseModel `bun:"table:usage_metrics"`

	ID   int64  `bun:"id,pk,autoincrement"`
	Name string `bun:"name"`
}

type title struct {
	bun.BaseModel `bun:"table:usage_titles"`

	ID          int64  `bun:"id,pk,autoincrement"`
	Kind        string `bun:"kind"`
	TitleKey    string `bun:"title_key"`
	Name        string `bun:"name"`
	Publisher   string `bun:"publisher"`
	DOI         string `bun:"doi"`
	ISBN        string `bun:"isbn"`
	PrintISSN   string `bun:"print_issn"`
	OnlineISSN  string `bun:"online_issn"`
	Proprietary string `bun:"proprietary"`
}
