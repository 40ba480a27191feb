package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/access"
)

type accessRangesInput struct {
	Format          string `query:"format" enum:"json,csv,xlsx,cidr,range" default:"json" doc:"json; csv (UTF-8 with BOM, ';'-separated, for Excel); xlsx; cidr (one CIDR block per line, unaligned ranges split into the fewest blocks); range (one start-end per line)"`
	VendorID        int64  `query:"vendor_id" doc:"The vendor whose subscribers to list; required for consortium staff, a vendor token gets its own"`
	IfModifiedSince string `header:"If-Modified-Since"`
	IfNoneMatch     string `header:"If-None-Match"`
}
type accessRangesOutput struct {
	Status             int
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	LastModified       string `header:"Last-Modified"`
	ETag               string `header:"ETag"`
	Body               []byte
}

type accessChangesInput struct {
	Since    int64 `query:"since" minimum:"0" doc:"The next (or last cursor) of the previous call; 0 for everything"`
	Limit    int   `query:"limit" minimum:"1" maximum:"5000" default:"500"`
	VendorID int64 `query:"vendor_id" doc:"Required for consortium staff; a vendor token gets its own"`
}
type accessChangesOutput struct{ Body *access.ChangePage }

// rangeFormats are the export formats: content type and file extension.
var rangeFormats = map[string]struct{ ctype, ext string }{
	"json":  {"application/json", ""},
	"csv":   {"text/csv; charset=utf-8", "csv"},
	"xlsx":  {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
	"cidr":  {"text/plain; charset=utf-8", "cidr.txt"},
	"range": {"text/plain; charset=utf-8", "range.txt"},
}

// registerAccessRanges adds the per-vendor export of subscribers' IP ranges
// and the changes-since feed.
func registerAccessRanges(api huma.API, d Deps) {
	tags := []string{"Access"}
	huma.Register(api, huma.Operation{OperationID: "access-ranges", Method: http.MethodGet, Path: "/access/ranges", Tags: tags,
		Summary: "The IP ranges of a vendor's subscribers",
		Description: "Every range of every library granted at least one of the vendor's products today, in the format asked for. " +
			"Ranges shared between libraries are marked so. Send If-Modified-Since (or If-None-Match) to get 304 when nothing changed; " +
			"Last-Modified also moves at midnight (Europe/Oslo) and when subscriptions change, since either can change who is listed. " +
			"format=json answers an object {vendor_id, vendor_name, day, last_change, modified, ranges: [{library, range, start, end, shared, shared_with, products, library_changed}]}.",
		Responses: map[string]*huma.Response{"304": {Description: "Not modified"}}},
		func(ctx context.Context, in *accessRangesInput) (*accessRangesOutput, error) {
			l, err := d.Access.Ranges(ctx, actor(ctx), in.VendorID)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			f := rangeFormats[in.Format]
			modified := l.Modified.UTC().Truncate(time.Second)
			out := &accessRangesOutput{Status: http.StatusOK, LastModified: modified.Format(http.TimeFormat)}
			// If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2),
			// and needs the body to compare.
			if in.IfNoneMatch == "" && in.IfModifiedSince != "" {
				if since, err := http.ParseTime(in.IfModifiedSince); err == nil && !modified.After(since) {
					out.Status = http.StatusNotModified
					return out, nil
				}
			}
			var b bytes.Buffer
			switch in.Format {
			case "csv":
				err = l.WriteCSV(&b, d.Catalog, lang(ctx))
			case "xlsx":
				err = l.WriteXLSX(&b, d.Catalog, lang(ctx))
			case "cidr":
				err = l.WriteCIDR(&b)
			case "range":
				err = l.WriteRanges(&b)
			default:
				err = json.NewEncoder(&b).Encode(l)
			}
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			// XLSX files carry their creation time, so their tag is of the
			// data they are made from.
			tagOf := b.Bytes()
			if in.Format == "xlsx" {
				js, _ := json.Marshal(l)
				tagOf = append(js, "xlsx"+lang(ctx)...)
			}
			sum := sha256.Sum256(append(tagOf, in.Format...))
			out.ETag = `"` + hex.EncodeToString(sum[:12]) + `"`
			if in.IfNoneMatch != "" && etagMatches(in.IfNoneMatch, out.ETag) {
				out.Status = http.StatusNotModified
				return out, nil
			}
			out.ContentType, out.Body = f.ctype, b.Bytes()
			if f.ext != "" {
				out.ContentDisposition = fmt.Sprintf(`attachment; filename="samla-ip-ranges-%s-%s.%s"`, slug(l.VendorName), l.Day, f.ext)
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "access-changes", Method: http.MethodGet, Path: "/access/changes", Tags: tags,
		Summary: "Changes to the IP ranges of a vendor's subscribers since a cursor",
		Description: "Oldest first: ranges added, removed and marked shared by the libraries that subscribe to the vendor's products today. " +
			"Pass next as since in the following call; has_more says whether to call again at once."},
		func(ctx context.Context, in *accessChangesInput) (*accessChangesOutput, error) {
			p, err := d.Access.Changes(ctx, actor(ctx), in.VendorID, in.Since, in.Limit)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &accessChangesOutput{Body: p}, nil
		})
}

// etagMatches is If-None-Match's weak comparison against one tag.
func etagMatches(header, tag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == tag {
			return true
		}
	}
	return false
}

// slug makes a vendor's name safe in a file name: "Lovdata AS" → "lovdata-as".
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
			continue
		case r == 'æ':
			b.WriteString("ae")
		case r == 'ø' || r == 'ö':
			b.WriteString("o")
		case r == 'å' || r == 'ä':
			b.WriteString("a")
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
			continue
		}
		dash = false
	}
	s := strings.TrimSuffix(b.String(), "-")
	if s == "" {
		return "vendor"
	}
	return s
}
