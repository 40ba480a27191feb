package usage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/usage/sushi"
)

// Harvest statuses.
const (
	HarvestPending = "pending"
	HarvestOK      = "ok"
	HarvestNoUsage = "no_usage"
	HarvestQueued  = "queued" // the vendor is preparing the report (1011): ask again later
	HarvestRetry   = "retry"  // a temporary failure: ask again later
	HarvestError   = "error"  // refused (credentials, a bad request) or out of attempts
)

// MaxAttempts is how often a month is asked for before it is left as an error.
const MaxAttempts = 8

// Fetcher asks a SUSHI server for a report; *sushi.Client is one.
type Fetcher interface {
	Fetch(ctx context.Context, baseURL, reportID string, cr sushi.Credentials, from, to string) (*sushi.Response, error)
}

// Endpoint is a platform's SUSHI server.
type Endpoint struct {
	bun.BaseModel `bun:"table:usage_sushi_endpoints,alias:se"`

	ID         int64     `bun:"id,pk,autoincrement" json:"id"`
	PlatformID int64     `bun:"platform_id" json:"platform_id"`
	BaseURL    string    `bun:"base_url" json:"base_url"`
	Reports    string    `bun:"reports" json:"reports"`
	CreatedAt  time.Time `bun:"created_at" json:"-"`
	UpdatedAt  time.Time `bun:"updated_at" json:"updated_at"`
}

// Credential is one library's access to an endpoint; the secrets are
// encrypted and never returned.
type Credential struct {
	bun.BaseModel `bun:"table:usage_sushi_credentials,alias:sc"`

	ID            int64     `bun:"id,pk,autoincrement" json:"id"`
	EndpointID    int64     `bun:"endpoint_id" json:"endpoint_id"`
	LibraryID     int64     `bun:"library_id" json:"library_id"`
	CustomerID    string    `bun:"customer_id" json:"customer_id"`
	RequestorEnc  string    `bun:"requestor_enc" json:"-"`
	APIKeyEnc     string    `bun:"api_key_enc" json:"-"`
	PlatformParam string    `bun:"platform_param" json:"platform,omitempty"`
	CreatedAt     time.Time `bun:"created_at" json:"-"`
	UpdatedAt     time.Time `bun:"updated_at" json:"updated_at"`
}

// HarvestEntry is one line of the harvest log.
type HarvestEntry struct {
	bun.BaseModel `bun:"table:usage_harvests,alias:uh"`

	ID           int64     `bun:"id,pk,autoincrement" json:"id"`
	CredentialID int64     `bun:"credential_id" json:"credential_id"`
	ReportID     string    `bun:"report_id" json:"report_id"`
	Month        string    `bun:"month" json:"month"`
	Status       string    `bun:"status" json:"status"`
	Message      string    `bun:"message" json:"message,omitempty"`
	Attempts     int       `bun:"attempts" json:"attempts"`
	NextTryAt    time.Time `bun:"next_try_at" json:"next_try_at"`
	SourceID     *int64    `bun:"source_id" json:"source_id,omitempty"`
	UpdatedAt    time.Time `bun:"updated_at" json:"updated_at"`

	LibraryID   int64  `bun:"library_id,scanonly" json:"library_id"`
	LibraryName string `bun:"library_name,scanonly" json:"library_name"`
	Platform    string `bun:"platform,scanonly" json:"platform"`
}

// EndpointInput sets a platform's SUSHI server.
type EndpointInput struct {
	Platform string `json:"platform" doc:"The platform's name as its COUNTER reports give it"`
	BaseURL  string `json:"base_url" doc:"The SUSHI base URL, before /reports, e.g. https://sushi.vendor.example/counter/r51"`
	Reports  string `json:"reports,omitempty" doc:"Reports to harvest, e.g. TR,DR,PR (the default)"`
}

// SaveEndpoint creates or changes the SUSHI server of a platform.
func (s *Service) SaveEndpoint(ctx context.Context, by auth.Actor, in EndpointInput) (*Endpoint, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	u, err := url.Parse(strings.TrimSpace(in.BaseURL))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, &ValidationError{Problems: problemsOf("base_url", "usage.sushi.url_invalid", in.BaseURL)}
	}
	reports := normaliseReports(in.Reports)
	if reports == "" {
		return nil, &ValidationError{Problems: problemsOf("reports", "usage.sushi.reports_invalid", in.Reports)}
	}
	var out Endpoint
	err = s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		pid, _, err := internPlatform(ctx, tx, in.Platform, s.now())
		if err != nil {
			return err
		}
		now := s.now()
		e := &Endpoint{PlatformID: pid, BaseURL: strings.TrimRight(u.String(), "/"), Reports: reports, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(e).On("CONFLICT (platform_id) DO UPDATE").
			Set("base_url = EXCLUDED.base_url, reports = EXCLUDED.reports, updated_at = EXCLUDED.updated_at").Exec(ctx); err != nil {
			return fmt.Errorf("save endpoint: %w", err)
		}
		if err := tx.NewSelect().Model(&out).Where("platform_id = ?", pid).Scan(ctx); err != nil {
			return err
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "usage_sushi_endpoint", EntityID: out.ID, Action: "saved",
			Changes: []audit.Change{{Field: "base_url", After: out.BaseURL}, {Field: "reports", After: out.Reports}}})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

var reportIDs = map[string]bool{"PR": true, "PR_P1": true, "DR": true, "DR_D1": true, "DR_D2": true, "TR": true, "TR_B1": true, "TR_B2": true,
	"TR_B3": true, "TR_J1": true, "TR_J2": true, "TR_J3": true, "TR_J4": true, "IR": true, "IR_A1": true, "IR_M1": true}

func normaliseReports(s string) string {
	if strings.TrimSpace(s) == "" {
		s = "TR,DR,PR"
	}
	var out []string
	for _, r := range strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		if !reportIDs[r] {
			return ""
		}
		out = append(out, r)
	}
	return strings.Join(out, ",")
}

// CredentialInput is a library's SUSHI access to an endpoint.
type CredentialInput struct {
	EndpointID  int64  `json:"endpoint_id"`
	LibraryID   int64  `json:"library_id"`
	CustomerID  string `json:"customer_id"`
	RequestorID string `json:"requestor_id,omitempty"`
	APIKey      string `json:"api_key,omitempty"`
	Platform    string `json:"platform,omitempty" doc:"The platform parameter, for servers that host several"`
}

// SaveCredential stores a library's credentials, encrypted.
func (s *Service) SaveCredential(ctx context.Context, by auth.Actor, in CredentialInput) (*Credential, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	if strings.TrimSpace(in.CustomerID) == "" {
		return nil, &ValidationError{Problems: problemsOf("customer_id", "usage.sushi.customer_required", "")}
	}
	req, err := s.seal(strings.TrimSpace(in.RequestorID))
	if err != nil {
		return nil, err
	}
	key, err := s.seal(strings.TrimSpace(in.APIKey))
	if err != nil {
		return nil, err
	}
	var out Credential
	err = s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if ok, _ := tx.NewSelect().Table("usage_sushi_endpoints").Where("id = ?", in.EndpointID).Exists(ctx); !ok {
			return &ValidationError{Problems: problemsOf("endpoint_id", "usage.sushi.endpoint_unknown", fmt.Sprint(in.EndpointID))}
		}
		if ok, _ := tx.NewSelect().Table("libraries").Where("id = ?", in.LibraryID).Exists(ctx); !ok {
			return &ValidationError{Problems: problemsOf("library_id", "usage.import.library_unknown", fmt.Sprint(in.LibraryID))}
		}
		now := s.now()
		c := &Credential{EndpointID: in.EndpointID, LibraryID: in.LibraryID, CustomerID: strings.TrimSpace(in.CustomerID), RequestorEnc: req,
			APIKeyEnc: key, PlatformParam: strings.TrimSpace(in.Platform), CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(c).On("CONFLICT (endpoint_id, library_id) DO UPDATE").
			Set("customer_id = EXCLUDED.customer_id, requestor_enc = EXCLUDED.requestor_enc, api_key_enc = EXCLUDED.api_key_enc").
			Set("platform_param = EXCLUDED.platform_param, updated_at = EXCLUDED.updated_at").Exec(ctx); err != nil {
			return fmt.Errorf("save credentials: %w", err)
		}
		if err := tx.NewSelect().Model(&out).Where("endpoint_id = ?", in.EndpointID).Where("library_id = ?", in.LibraryID).Scan(ctx); err != nil {
			return err
		}
		// The secrets themselves never go into the audit log.
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "usage_sushi_credential", EntityID: out.ID, LibraryID: in.LibraryID,
			Action: "saved", Changes: []audit.Change{{Field: "customer_id", After: out.CustomerID}}})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// PlanHarvest puts every library × report of every endpoint (or one
// endpoint) on the list for month ("YYYY-MM"), due now. Months already
// harvested are asked again only when again is set: re-harvesting replaces
// exactly that month.
func (s *Service) PlanHarvest(ctx context.Context, by auth.Actor, month string, endpointID int64, again bool) (int, error) {
	if !by.IsConsortium() {
		return 0, ErrForbidden
	}
	if _, err := time.Parse("2006-01", month); err != nil {
		return 0, &ValidationError{Problems: problemsOf("month", "usage.harvest.month_invalid", month)}
	}
	var creds []struct {
		ID      int64  `bun:"id"`
		Reports string `bun:"reports"`
	}
	q := s.DB.NewSelect().TableExpr("usage_sushi_credentials AS c").ColumnExpr("c.id, e.reports").
		Join("JOIN usage_sushi_endpoints AS e ON e.id = c.endpoint_id")
	if endpointID > 0 {
		q = q.Where("e.id = ?", endpointID)
	}
	if err := q.Scan(ctx, &creds); err != nil {
		return 0, fmt.Errorf("credentials to harvest: %w", err)
	}
	n := 0
	now := s.now()
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for _, c := range creds {
			for _, r := range strings.Split(c.Reports, ",") {
				h := &HarvestEntry{CredentialID: c.ID, ReportID: r, Month: month, Status: HarvestPending, NextTryAt: now, UpdatedAt: now}
				q := tx.NewInsert().Model(h)
				if again {
					q = q.On("CONFLICT (credential_id, report_id, month) DO UPDATE").
						Set("status = EXCLUDED.status, attempts = 0, next_try_at = EXCLUDED.next_try_at, message = '', updated_at = EXCLUDED.updated_at")
				} else {
					q = q.On("CONFLICT (credential_id, report_id, month) DO NOTHING")
				}
				res, err := q.Exec(ctx)
				if err != nil {
					return fmt.Errorf("plan harvest: %w", err)
				}
				k, _ := res.RowsAffected()
				n += int(k)
			}
		}
		return nil
	})
	return n, err
}

// RunHarvests asks the SUSHI servers for every due month, one at a time,
// and stores what they answer. A failure never touches data stored
// before; it is logged on the harvest line and tried again later with
// back-off, or left as an error when the server refuses.
func (s *Service) RunHarvests(ctx context.Context, client Fetcher) (done int, err error) {
	if client == nil {
		client = &sushi.Client{}
	}
	for {
		if ctx.Err() != nil {
			return done, ctx.Err()
		}
		var due []HarvestEntry
		if err := s.DB.NewSelect().Model(&due).
			Where("status IN (?)", bun.In([]string{HarvestPending, HarvestQueued, HarvestRetry})).
			Where("next_try_at <= ?", s.now()).OrderExpr("next_try_at, id").Limit(1).Scan(ctx); err != nil {
			return done, fmt.Errorf("due harvests: %w", err)
		}
		if len(due) == 0 {
			return done, nil
		}
		if err := s.harvestOne(ctx, client, &due[0]); err != nil {
			return done, err
		}
		done++
	}
}

func (s *Service) harvestOne(ctx context.Context, client Fetcher, h *HarvestEntry) error {
	var c Credential
	if err := s.DB.NewSelect().Model(&c).Where("id = ?", h.CredentialID).Scan(ctx); err != nil {
		return fmt.Errorf("credentials %d: %w", h.CredentialID, err)
	}
	var e Endpoint
	if err := s.DB.NewSelect().Model(&e).Where("id = ?", c.EndpointID).Scan(ctx); err != nil {
		return fmt.Errorf("endpoint %d: %w", c.EndpointID, err)
	}
	var platform string
	if err := s.DB.NewSelect().Table("usage_platforms").Column("name").Where("id = ?", e.PlatformID).Scan(ctx, &platform); err != nil {
		return fmt.Errorf("platform %d: %w", e.PlatformID, err)
	}
	h.Attempts++
	fail := func(status, msg string, after time.Duration) error {
		h.Status, h.Message = status, msg
		if status == HarvestRetry || status == HarvestQueued {
			if h.Attempts >= MaxAttempts {
				h.Status = HarvestError
			}
			if after <= 0 {
				after = backoff(h.Attempts)
			}
			h.NextTryAt = s.now().Add(after)
		}
		return s.saveHarvest(ctx, h)
	}
	req, err1 := s.open(c.RequestorEnc)
	key, err2 := s.open(c.APIKeyEnc)
	if err := errors.Join(err1, err2); err != nil {
		return fail(HarvestError, err.Error(), 0)
	}
	resp, err := client.Fetch(ctx, e.BaseURL, h.ReportID, sushi.Credentials{CustomerID: c.CustomerID, RequestorID: req, APIKey: key, Platform: c.PlatformParam}, h.Month, h.Month)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fail(HarvestRetry, err.Error(), 0)
	}
	switch resp.Outcome {
	case sushi.OK, sushi.NoUsage:
		res, err := s.Import(ctx, auth.System, ImportInput{LibraryID: c.LibraryID, Platform: platform,
			FileName: fmt.Sprintf("sushi-%s-%s-%d.json", strings.ToLower(h.ReportID), h.Month, c.LibraryID), Kind: "harvest", Keep: resp.Body,
			ReportID: h.ReportID},
			bytes.NewReader(resp.Body))
		if err != nil && resp.Outcome == sushi.NoUsage {
			// "No usage" sent as a bare exception rather than an empty report.
			id, err := s.recordNoUsage(ctx, c.LibraryID, platform, h.ReportID, h.Month, resp)
			if err != nil {
				return err
			}
			h.SourceID = &id
			return fail(HarvestNoUsage, resp.Message, 0)
		}
		if err != nil {
			return fail(HarvestError, "the report could not be read: "+err.Error(), 0)
		}
		h.SourceID = &res.SourceID
		if res.NoUsage {
			return fail(HarvestNoUsage, resp.Message, 0)
		}
		return fail(HarvestOK, fmt.Sprintf("%d rows", res.Rows), 0)
	case sushi.Queued:
		return fail(HarvestQueued, resp.Message, resp.RetryAfter)
	case sushi.RateLimited, sushi.ServerError, sushi.Error:
		return fail(HarvestRetry, resp.Message, resp.RetryAfter)
	default: // refused: wrong credentials, a bad request — asking again will not help
		return fail(HarvestError, resp.Message, 0)
	}
}

func (s *Service) saveHarvest(ctx context.Context, h *HarvestEntry) error {
	h.UpdatedAt = s.now()
	if _, err := s.DB.NewUpdate().Model(h).Column("status", "message", "attempts", "next_try_at", "source_id", "updated_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("harvest log: %w", err)
	}
	return nil
}

// backoff doubles from five minutes up to a day.
func backoff(attempts int) time.Duration {
	d := 5 * time.Minute
	for i := 1; i < attempts && d < 24*time.Hour; i++ {
		d *= 2
	}
	return min(d, 24*time.Hour)
}

// HarvestLog lists the harvest lines of a month ("" for all), newest first.
func (s *Service) HarvestLog(ctx context.Context, by auth.Actor, month string) ([]HarvestEntry, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var out []HarvestEntry
	q := s.DB.NewSelect().Model(&out).ColumnExpr("uh.*").
		ColumnExpr("c.library_id, l.name AS library_name, p.name AS platform").
		Join("JOIN usage_sushi_credentials AS c ON c.id = uh.credential_id").
		Join("JOIN usage_sushi_endpoints AS e ON e.id = c.endpoint_id").
		Join("JOIN usage_platforms AS p ON p.id = e.platform_id").
		Join("JOIN libraries AS l ON l.id = c.library_id")
	if month != "" {
		q = q.Where("uh.month = ?", month)
	}
	if err := q.OrderExpr("uh.month DESC, l.name, p.name, uh.report_id").Limit(2000).Scan(ctx); err != nil {
		return nil, fmt.Errorf("harvest log: %w", err)
	}
	return out, nil
}

// Tick is the harvest duty: from the 5th of each month, last month is
// planned for every library, and whatever is due is asked for.
func (s *Service) Tick(ctx context.Context) error {
	now := s.now()
	if now.Day() >= 5 {
		last := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0).Format("2006-01")
		if _, err := s.PlanHarvest(ctx, auth.System, last, 0, false); err != nil {
			return err
		}
	}
	_, err := s.RunHarvests(ctx, s.SUSHI)
	return err
}

// recordNoUsage stores a month the vendor answered with "no usage" in a
// body that is not a report (a bare exception): a batch that says so, with
// the answer kept as its source.
func (s *Service) recordNoUsage(ctx context.Context, libraryID int64, platform, reportID, month string, resp *sushi.Response) (int64, error) {
	exc, _ := json.Marshal(resp.Exceptions)
	var sourceID int64
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.now()
		sum := sha256.Sum256(resp.Body)
		src := &Source{Kind: "harvest", FileName: fmt.Sprintf("sushi-%s-%s-%d.json", strings.ToLower(reportID), month, libraryID),
			SHA256: hex.EncodeToString(sum[:]), Size: int64(len(resp.Body)), Data: resp.Body, ReportID: reportID, Warnings: "[]",
			Exceptions: string(exc), CreatedBy: auth.System.Name, CreatedAt: now}
		if _, err := tx.NewInsert().Model(src).Exec(ctx); err != nil {
			return fmt.Errorf("record the source: %w", err)
		}
		sourceID = src.ID
		pid, _, err := internPlatform(ctx, tx, platform, now)
		if err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Batch)(nil)).Where("report_id = ?", reportID).Where("library_id = ?", libraryID).
			Where("platform_id = ?", pid).Where("month = ?", month).Exec(ctx); err != nil {
			return fmt.Errorf("replace batch %s: %w", month, err)
		}
		b := &Batch{ReportID: reportID, LibraryID: libraryID, PlatformID: pid, Month: month, SourceID: src.ID, Status: StatusNoUsage,
			Exceptions: string(exc), CreatedAt: now}
		if _, err := tx.NewInsert().Model(b).Exec(ctx); err != nil {
			return fmt.Errorf("batch %s: %w", month, err)
		}
		return nil
	})
	return sourceID, err
}
