package usage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/usage/counter"
)

// ImportInput is one COUNTER report to store.
type ImportInput struct {
	// LibraryID is whose usage it is; 0 means find the library by the
	// report's Institution_ID (an ISIL) or its Customer_ID in the SUSHI
	// credentials.
	LibraryID int64
	// Platform names the platform when the report does not (a PR, or a
	// report of only exceptions); usually empty.
	Platform string
	FileName string
	Kind     string // upload, api, cli, harvest
	// ReportID is the report asked for, for answers that do not say
	// (a harvest answered with a bare exception).
	ReportID string
	// Keep is the file's bytes when they are to be kept with the source
	// (smaller than KeepLimit); nil keeps only its hash.
	Keep []byte
}

// KeepLimit is the largest file whose bytes are kept with its source.
const KeepLimit = 16 << 20

// ImportResult says what an import stored.
type ImportResult struct {
	SourceID   int64               `json:"source_id"`
	Release    string              `json:"release"`
	ReportID   string              `json:"report_id"`
	LibraryID  int64               `json:"library_id"`
	Rows       int64               `json:"rows"`
	Batches    int                 `json:"batches"`
	Months     []string            `json:"months"`
	Platforms  []string            `json:"platforms"`
	Totals     map[string]int64    `json:"totals"` // per metric
	Warnings   []counter.Warning   `json:"warnings,omitempty"`
	Exceptions []counter.Exception `json:"exceptions,omitempty"`
	NoUsage    bool                `json:"no_usage"` // the vendor reported no usage, which is not zero usage
}

// noUsageCodes are the exceptions that mean "there is no usage to report"
// rather than "something went wrong".
var noUsageCodes = map[int]bool{3030: true, 3050: true, 3062: true}

// partialCodes mean the data is there but incomplete.
var partialCodes = map[int]bool{3031: true, 3032: true, 3040: true}

// maxPending is how many fact rows are gathered before they are written.
const maxPending = 2000

// Import reads one report from r and stores it in one transaction: every
// batch it touches (report × library × platform × month) is replaced whole,
// so importing the same file twice changes nothing, and a broken file
// leaves nothing behind.
func (s *Service) Import(ctx context.Context, by auth.Actor, in ImportInput, r io.Reader) (*ImportResult, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	if in.Kind == "" {
		in.Kind = "upload"
	}
	libraryID := in.LibraryID
	if libraryID == 0 {
		if in.Keep == nil {
			return nil, &ValidationError{Problems: problemsOf("library_id", "usage.import.library_required", "")}
		}
		id, err := s.libraryFor(ctx, in.Keep, in.FileName)
		if err != nil {
			return nil, err
		}
		libraryID = id
	} else if err := s.DB.NewSelect().Table("libraries").Column("id").Where("id = ?", libraryID).Scan(ctx, &libraryID); err != nil {
		return nil, &ValidationError{Problems: problemsOf("library_id", "usage.import.library_unknown", fmt.Sprint(in.LibraryID))}
	}

	var res *ImportResult
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		im := &importer{s: s, tx: tx, ctx: ctx, libraryID: libraryID, platforms: map[string]int64{}, metrics: map[string]int64{},
			titles: map[titleRef]int64{}, batches: map[batchKey]int64{}, pending: map[factKey]int64{}, totals: map[factKey]int64{}, names: map[int64]string{},
			metricTotals: map[string]int64{}, now: s.now()}
		src := &Source{Kind: in.Kind, FileName: in.FileName, SHA256: "-", Warnings: "[]", Exceptions: "[]", CreatedBy: by.Name, CreatedAt: im.now}
		if _, err := tx.NewInsert().Model(src).Exec(ctx); err != nil {
			return fmt.Errorf("record the source: %w", err)
		}
		im.sourceID = src.ID
		// The report's id is known only when the whole file is read; until
		// then the batches carry a placeholder of this import's own, and
		// finish swaps in the id and drops the batches they replace.
		im.reportID = fmt.Sprintf("?%d", src.ID)
		h := sha256.New()
		cr := &countingReader{r: io.TeeReader(r, h)}
		rep, err := counter.Read(cr, in.FileName, im.row)
		var onlyExceptions *counter.ExceptionsError
		if errors.As(err, &onlyExceptions) {
			// An answer of exceptions without a report: "no usage" is
			// stored as such; anything else is refused in finish.
			hdr := onlyExceptions.Header
			hdr.Exceptions = onlyExceptions.Exceptions
			if hdr.ReportID == "" {
				hdr.ReportID = in.ReportID
			}
			rep, err = &counter.Report{Header: hdr}, nil
		}
		if err != nil {
			return err
		}
		if err := im.drain(); err != nil {
			return err
		}
		if err := im.flush(); err != nil {
			return err
		}
		res, err = im.finish(rep, in, src, h, cr.n)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

type batchKey struct {
	platformID int64
	month      string
}

type factKey struct {
	batchID, titleID, metricID int64
}

type importer struct {
	s         *Service
	tx        bun.Tx
	ctx       context.Context
	libraryID int64
	sourceID  int64
	reportID  string
	now       time.Time

	platforms    map[string]int64
	names        map[int64]string // platform id → the name as the report spells it
	metrics      map[string]int64
	titles       map[titleRef]int64
	batches      map[batchKey]int64
	pending      map[factKey]int64
	totals       map[factKey]int64 // titleID unused (0)
	metricTotals map[string]int64
	rows         int64
	buf          []bufferedRow
}

// row takes one report row: its counts go to the batches of their months.
func (im *importer) row(it counter.Item, counts []counter.Count) error {
	im.rows++
	platform := it.Platform
	if platform == "" && it.Kind == "platform" {
		platform = it.Name
	}
	pid, err := im.platform(platform)
	if err != nil {
		return err
	}
	im.buf = append(im.buf, bufferedRow{item: it, platformID: pid, counts: append([]counter.Count(nil), counts...)})
	if len(im.buf) >= rowBuffer {
		return im.drain()
	}
	return nil
}

// rowBuffer is how many rows are gathered before their titles are
// interned together: one insert and one select for the new titles of 500
// rows, instead of two statements per title.
const rowBuffer = 500

type bufferedRow struct {
	item       counter.Item
	platformID int64
	counts     []counter.Count
}

// drain interns the buffered rows' titles and adds their counts.
func (im *importer) drain() error {
	if len(im.buf) == 0 {
		return nil
	}
	if err := im.internTitles(); err != nil {
		return err
	}
	for _, r := range im.buf {
		tid := int64(0)
		if r.item.Kind != "platform" {
			tid = im.titles[refOf(r.item.Kind, titleKey(r.item))]
		}
		for _, c := range r.counts {
			if c.Count == 0 {
				continue
			}
			bid, err := im.batch(r.platformID, c.Month)
			if err != nil {
				return err
			}
			mid, err := im.metric(c.Metric)
			if err != nil {
				return err
			}
			im.pending[factKey{bid, tid, mid}] += c.Count
			im.totals[factKey{bid, 0, mid}] += c.Count
			im.metricTotals[c.Metric] += c.Count
		}
		if len(im.pending) >= maxPending {
			if err := im.flush(); err != nil {
				return err
			}
		}
	}
	im.buf = im.buf[:0]
	return nil
}

// internTitles gives every title in the buffer an id: the ones not yet
// known are inserted in one statement and read back in one.
func (im *importer) internTitles() error {
	var fresh []title
	seen := map[titleRef]bool{}
	for _, r := range im.buf {
		it := r.item
		if it.Kind == "platform" {
			continue
		}
		key := titleKey(it)
		ck := refOf(it.Kind, key)
		if _, ok := im.titles[ck]; ok || seen[ck] {
			continue
		}
		seen[ck] = true
		fresh = append(fresh, title{Kind: it.Kind, TitleKey: key, Name: it.Name, Publisher: it.Publisher, DOI: it.IDs.DOI, ISBN: it.IDs.ISBN,
			PrintISSN: it.IDs.PrintISSN, OnlineISSN: it.IDs.OnlineISSN, Proprietary: it.IDs.Proprietary})
	}
	if len(fresh) == 0 {
		return nil
	}
	if _, err := im.tx.NewInsert().Model(&fresh).On("CONFLICT (kind, title_key) DO NOTHING").Exec(im.ctx); err != nil {
		return fmt.Errorf("titles: %w", err)
	}
	// Read back per kind, so the lookup uses the (kind, title_key) index:
	// without kind it scans every title, once per 500 rows.
	byKind := map[string][]string{}
	for _, t := range fresh {
		byKind[t.Kind] = append(byKind[t.Kind], t.TitleKey)
	}
	for kind, keys := range byKind {
		var got []title
		if err := im.tx.NewSelect().Model(&got).Column("id", "title_key").Where("kind = ?", kind).Where("title_key IN (?)", bun.In(keys)).
			Scan(im.ctx); err != nil {
			return fmt.Errorf("titles: %w", err)
		}
		// Interned titles are few next to the rows; the cache is bounded by them.
		for _, t := range got {
			im.titles[refOf(kind, t.TitleKey)] = t.ID
		}
	}
	return nil
}

func (im *importer) flush() error {
	if len(im.pending) == 0 {
		return nil
	}
	rows := make([]fact, 0, len(im.pending))
	for k, n := range im.pending {
		rows = append(rows, fact{BatchID: k.batchID, TitleID: k.titleID, MetricID: k.metricID, Count: n})
	}
	// A stable order keeps PostgreSQL's row locks in one order.
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.BatchID != b.BatchID {
			return a.BatchID < b.BatchID
		}
		if a.TitleID != b.TitleID {
			return a.TitleID < b.TitleID
		}
		return a.MetricID < b.MetricID
	})
	if _, err := im.tx.NewInsert().Model(&rows).On("CONFLICT (batch_id, title_id, metric_id) DO UPDATE").
		Set("count = usage_facts.count + EXCLUDED.count").Exec(im.ctx); err != nil {
		return fmt.Errorf("store usage: %w", err)
	}
	clear(im.pending)
	return nil
}

func (im *importer) platform(name string) (int64, error) {
	key := platformKey(name)
	if id, ok := im.platforms[key]; ok {
		return id, nil
	}
	id, display, err := internPlatform(im.ctx, im.tx, name, im.now)
	if err != nil {
		return 0, err
	}
	im.platforms[key] = id
	im.names[id] = display
	return id, nil
}

func platformName(name string) string {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		name = "(ukjent plattform)"
	}
	return name
}

func platformKey(name string) string { return strings.ToLower(platformName(name)) }

// internPlatform returns the platform of that name (compared without case
// or extra spaces), adding it the first time; display is the name as stored.
func internPlatform(ctx context.Context, tx bun.IDB, name string, now time.Time) (id int64, display string, err error) {
	display, key := platformName(name), platformKey(name)
	p := &Platform{Name: display, NameKey: key, CreatedAt: now}
	if _, err := tx.NewInsert().Model(p).On("CONFLICT (name_key) DO NOTHING").Exec(ctx); err != nil {
		return 0, "", fmt.Errorf("platform %q: %w", display, err)
	}
	if err := tx.NewSelect().Model((*Platform)(nil)).Column("id").Where("name_key = ?", key).Scan(ctx, &id); err != nil {
		return 0, "", fmt.Errorf("platform %q: %w", display, err)
	}
	return id, display, nil
}

func (im *importer) metric(name string) (int64, error) {
	if id, ok := im.metrics[name]; ok {
		return id, nil
	}
	id, err := internMetric(im.ctx, im.tx, name)
	if err == nil {
		im.metrics[name] = id
	}
	return id, err
}

func internMetric(ctx context.Context, tx bun.IDB, name string) (int64, error) {
	if _, err := tx.NewInsert().Model(&metric{Name: name}).On("CONFLICT (name) DO NOTHING").Exec(ctx); err != nil {
		return 0, fmt.Errorf("metric %q: %w", name, err)
	}
	var id int64
	if err := tx.NewSelect().Model((*metric)(nil)).Column("id").Where("name = ?", name).Scan(ctx, &id); err != nil {
		return 0, fmt.Errorf("metric %q: %w", name, err)
	}
	return id, nil
}

// titleKey identifies a title by its strongest identifier.
func titleKey(it counter.Item) string {
	ids := it.IDs
	for _, k := range []struct{ p, v string }{{"doi:", ids.DOI}, {"isbn:", ids.ISBN}, {"eissn:", ids.OnlineISSN}, {"issn:", ids.PrintISSN},
		{"prop:", ids.Proprietary}} {
		if v := strings.ToLower(strings.TrimSpace(k.v)); v != "" {
			return k.p + v
		}
	}
	return "name:" + strings.ToLower(strings.Join(strings.Fields(it.Name+" "+it.Parent), " "))
}

// batch returns the batch of a platform and month in this import, making
// it on first use.
func (im *importer) batch(platformID int64, month string) (int64, error) {
	k := batchKey{platformID, month}
	if id, ok := im.batches[k]; ok {
		return id, nil
	}
	b := &Batch{ReportID: im.reportID, LibraryID: im.libraryID, PlatformID: platformID, Month: month, SourceID: im.sourceID,
		Status: StatusUsage, Exceptions: "[]", CreatedAt: im.now}
	if _, err := im.tx.NewInsert().Model(b).Exec(im.ctx); err != nil {
		return 0, fmt.Errorf("batch %s: %w", month, err)
	}
	im.batches[k] = b.ID
	return b.ID, nil
}

// finish writes the totals, marks partial and no-usage months, and
// completes the source record.
func (im *importer) finish(rep *counter.Report, in ImportInput, src *Source, h hash.Hash, size int64) (*ImportResult, error) {
	ctx, tx := im.ctx, im.tx
	hdr := rep.Header
	exc, _ := json.Marshal(hdr.Exceptions)
	warn, _ := json.Marshal(rep.Warnings)
	res := &ImportResult{SourceID: im.sourceID, Release: hdr.Release, ReportID: hdr.ReportID, LibraryID: im.libraryID, Rows: rep.Rows,
		Totals: im.metricTotals, Warnings: rep.Warnings, Exceptions: hdr.Exceptions}

	status := StatusUsage
	noUsage := false
	for _, e := range hdr.Exceptions {
		switch {
		case partialCodes[e.Code]:
			status = StatusPartial
		case noUsageCodes[e.Code]:
			noUsage = true
		}
	}
	if rep.Rows == 0 && len(hdr.Exceptions) > 0 && !noUsage && status != StatusPartial {
		return nil, &ReportError{Exceptions: hdr.Exceptions}
	}
	// Months the vendor says had no usage get a batch that says so, so the
	// statistics show "no usage reported", never a silent zero.
	if noUsage && rep.Rows == 0 {
		platform := in.Platform
		if platform == "" {
			platform = hdr.Filters["Platform"]
		}
		if platform == "" {
			return nil, &ValidationError{Problems: problemsOf("platform", "usage.import.platform_required", "")}
		}
		pid, err := im.platform(platform)
		if err != nil {
			return nil, err
		}
		months := monthsBetween(hdr.Begin, hdr.End)
		if len(months) == 0 {
			return nil, &ValidationError{Problems: problemsOf("period", "usage.import.period_required", hdr.Begin+"…"+hdr.End)}
		}
		for _, m := range months {
			if _, err := im.batch(pid, m); err != nil {
				return nil, err
			}
		}
		status = StatusNoUsage
		res.NoUsage = true
	}
	if hdr.ReportID == "" {
		return nil, fmt.Errorf("%s: the report has no Report_ID", in.FileName)
	}
	// The batches this import replaces: same report, library, platform and
	// month, from earlier imports. Their facts and totals go with them.
	var ids []int64
	for k, id := range im.batches {
		ids = append(ids, id)
		if _, err := tx.NewDelete().Model((*Batch)(nil)).Where("report_id = ?", hdr.ReportID).Where("library_id = ?", im.libraryID).
			Where("platform_id = ?", k.platformID).Where("month = ?", k.month).Exec(ctx); err != nil {
			return nil, fmt.Errorf("replace batch %s: %w", k.month, err)
		}
	}
	if len(ids) > 0 {
		if _, err := tx.NewUpdate().Model((*Batch)(nil)).Set("report_id = ?", hdr.ReportID).Set("status = ?", status).
			Set("exceptions = ?", string(exc)).Where("id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
			return nil, fmt.Errorf("complete batches: %w", err)
		}
	}
	var totals []total
	for k, n := range im.totals {
		totals = append(totals, total{BatchID: k.batchID, MetricID: k.metricID, Count: n})
	}
	if len(totals) > 0 {
		if _, err := tx.NewInsert().Model(&totals).Exec(ctx); err != nil {
			return nil, fmt.Errorf("store totals: %w", err)
		}
	}
	src.SHA256, src.Size = hex.EncodeToString(h.Sum(nil)), size
	src.Release, src.ReportID, src.Warnings, src.Exceptions = hdr.Release, hdr.ReportID, string(warn), string(exc)
	if len(in.Keep) > 0 && len(in.Keep) <= KeepLimit {
		src.Data = in.Keep
	}
	if _, err := tx.NewUpdate().Model(src).Column("sha256", "size", "release", "report_id", "warnings", "exceptions", "data").WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("complete the source: %w", err)
	}
	months := map[string]bool{}
	plats := map[int64]bool{}
	for k := range im.batches {
		months[k.month] = true
		plats[k.platformID] = true
	}
	for m := range months {
		res.Months = append(res.Months, m)
	}
	sort.Strings(res.Months)
	for id := range plats {
		res.Platforms = append(res.Platforms, im.names[id])
	}
	sort.Strings(res.Platforms)
	res.Batches = len(im.batches)
	return res, audit.Write(ctx, tx, audit.Who{Name: src.CreatedBy}, audit.Record{Entity: "usage_source", EntityID: src.ID, LibraryID: im.libraryID,
		Action: "imported", Changes: []audit.Change{{Field: "report", After: hdr.ReportID}, {Field: "file", After: in.FileName},
			{Field: "months", After: strings.Join(res.Months, ", ")}, {Field: "rows", After: rep.Rows}}})
}

// ReportError is a report that holds only exceptions that are not about
// missing usage: the vendor refused or failed, and nothing is stored.
type ReportError struct{ Exceptions []counter.Exception }

func (e *ReportError) Error() string {
	var parts []string
	for _, x := range e.Exceptions {
		parts = append(parts, fmt.Sprintf("%d %s", x.Code, strings.TrimSpace(x.Message+" "+x.Data)))
	}
	return "the report holds only exceptions: " + strings.Join(parts, "; ")
}

// monthsBetween lists the months from begin to end ("YYYY-MM-DD"), at
// most ten years of them.
func monthsBetween(begin, end string) []string {
	b, err1 := time.Parse("2006-01", first7(begin))
	e, err2 := time.Parse("2006-01", first7(end))
	if err1 != nil || err2 != nil || e.Before(b) {
		return nil
	}
	var out []string
	for m := b; !m.After(e) && len(out) < 120; m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

func first7(s string) string {
	if len(s) >= 7 {
		return s[:7]
	}
	return s
}

// titleRef names an interned title in the import's cache by a 128-bit hash
// of its kind and key: a million titles then cost 16 bytes of key each,
// not their whole identifiers.
type titleRef [16]byte

func refOf(kind, key string) titleRef {
	h := fnv.New128a()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(key))
	var r titleRef
	h.Sum(r[:0])
	return r
}
