// Command accessbench supports bench/access-lookup.sh:
//
//	accessbench seed -data DIR -out DIR   fill a fresh data directory with a
//	                                      consortium of the size and
//	                                      write a vendor token and addresses
//	accessbench bare -addr HOST:PORT -size N
//	                                      serve a constant body of N bytes,
//	                                      the baseline the lookup is held to
//
// The seed writes rows in bulk rather than through the members service:
// 100 000 ranges one by one, each with its overlap check and audit record,
// would make the benchmark's set-up take longer than the benchmark.
package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/validate"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: accessbench seed|bare [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "seed":
		err = seed(os.Args[2:])
	case "bare":
		err = bare(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "accessbench:", err)
		os.Exit(1)
	}
}

// bare answers every request with the same bytes, as a handler that does
// no work at all would.
func bare(args []string) error {
	fs := flag.NewFlagSet("bare", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:18182", "listen address")
	size := fs.Int("size", 200, "body size in bytes")
	_ = fs.Parse(args)
	body := []byte(strings.Repeat("x", *size))
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	return http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
}

func seed(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	dataDir := fs.String("data", "", "fresh data directory (SQLite)")
	out := fs.String("out", "", "directory for token.txt and addresses.txt")
	nlibs := fs.Int("libraries", 400, "libraries")
	nranges := fs.Int("ranges", 100000, "IP ranges, 60 % IPv4 and 40 % IPv6")
	nprods := fs.Int("products", 50, "products, five per vendor")
	_ = fs.Parse(args)
	if *dataDir == "" || *out == "" {
		return fmt.Errorf("seed needs -data and -out")
	}
	ctx := context.Background()
	if err := os.MkdirAll(*dataDir, 0o750); err != nil {
		return err
	}
	d, err := db.Open(ctx, "", filepath.Join(*dataDir, "samla.db"))
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(8, 400))
	now := time.Now().UTC()
	today := calendar.Today(now)

	mem := &members.Service{DB: d}
	libIDs := make([]int64, 0, *nlibs)
	for i := range *nlibs {
		l, probs, err := mem.Create(ctx, auth.System, members.LibraryInput{Name: fmt.Sprintf("Bibliotek %03d", i+1), Type: "public"})
		if err != nil {
			return fmt.Errorf("library %d: %w", i+1, err)
		}
		if len(probs) > 0 {
			return fmt.Errorf("library %d: %v", i+1, probs[0])
		}
		libIDs = append(libIDs, l.ID)
	}
	if _, err := d.NewRaw("UPDATE libraries SET isil = 'NO-' || CAST(3000000 + id AS TEXT)").Exec(ctx); err != nil {
		return fmt.Errorf("isil: %w", err)
	}

	var vendorIDs, prodIDs []int64
	for i := range *nprods {
		if i%5 == 0 {
			v := &products.Vendor{Name: fmt.Sprintf("Leverandør %02d", i/5+1), CreatedAt: now, UpdatedAt: now}
			if _, err := d.NewInsert().Model(v).Exec(ctx); err != nil {
				return fmt.Errorf("vendor: %w", err)
			}
			vendorIDs = append(vendorIDs, v.ID)
		}
		p := &products.Product{VendorID: vendorIDs[len(vendorIDs)-1], Slug: fmt.Sprintf("produkt-%02d", i+1), Name: fmt.Sprintf("Produkt %02d", i+1),
			CreatedAt: now, UpdatedAt: now}
		if _, err := d.NewInsert().Model(p).Exec(ctx); err != nil {
			return fmt.Errorf("product: %w", err)
		}
		prodIDs = append(prodIDs, p.ID)
	}
	// Each library takes a dozen products; the first vendor's are in every
	// library's dozen, so the vendor under test sees the whole consortium.
	var subs []enrolment.Subscription
	for _, lib := range libIDs {
		picked := map[int64]bool{}
		for _, p := range prodIDs[:5] {
			picked[p] = true
		}
		for len(picked) < 12 {
			picked[prodIDs[rng.IntN(len(prodIDs))]] = true
		}
		for p := range picked {
			subs = append(subs, enrolment.Subscription{LibraryID: lib, ProductID: p, StartsOn: today.AddDays(-200), EndsOn: today.AddDays(200), CreatedAt: now})
		}
	}
	if err := insertChunks(ctx, d, subs, 500); err != nil {
		return fmt.Errorf("subscriptions: %w", err)
	}

	ranges, addrs := generateRanges(rng, libIDs, *nranges, now)
	if err := insertChunks(ctx, d, ranges, 1000); err != nil {
		return fmt.Errorf("ip ranges: %w", err)
	}

	users := &auth.Service{DB: d}
	u, err := users.Create(ctx, auth.System, auth.NewUser{Email: "api@leverandor01.example", Name: "Leverandør 01 API", Password: "bench-only-password",
		Role: auth.RoleVendor, VendorID: &vendorIDs[0]})
	if err != nil {
		return err
	}
	token, _, err := users.CreateToken(ctx, auth.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, VendorID: vendorIDs[0]}, "bench")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "token.txt"), []byte(token+"\n"), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "addresses.txt"), []byte(strings.Join(addrs, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	fmt.Printf("seeded %d libraries, %d ranges, %d products, %d subscriptions; %d addresses to look up\n",
		len(libIDs), len(ranges), len(prodIDs), len(subs), len(addrs))
	return nil
}

// generateRanges gives each range its own block so none overlap, except one
// in a hundred that a second library shares, as the registry marks them.
// Sizes vary from /22 to /28 (IPv4) and /44 to /56 (IPv6), and one IPv4
// range in ten is a start–end range that is no prefix. The addresses are
// one inside each of 8 000 ranges and 2 000 outside every range.
func generateRanges(rng *rand.Rand, libs []int64, n int, now time.Time) ([]members.IPRange, []string) {
	var out []members.IPRange
	var addrs []string
	add := func(lib int64, text string, shared bool) {
		r, p := validate.ParseIPRange(text)
		if p != nil {
			panic(fmt.Sprintf("generated range %s: %v", text, p.Code))
		}
		start, end := r.Keys()
		out = append(out, members.IPRange{LibraryID: lib, RangeText: r.String(), StartKey: start, EndKey: end, Shared: shared, CreatedAt: now})
		if len(addrs) < 8000 && rng.IntN(n/8000+1) == 0 {
			addrs = append(addrs, r.End.String())
		}
	}
	n4 := n * 6 / 10
	for i := range n4 {
		// Block i is the /22 starting at 130.0.0.0 + i×1024.
		base := uint32(130)<<24 + uint32(i)<<10
		lib := libs[rng.IntN(len(libs))]
		var text string
		switch {
		case i%10 == 9:
			text = fmt.Sprintf("%s-%s", v4(base+uint32(rng.IntN(100))), v4(base+uint32(300+rng.IntN(700))))
		default:
			bits := 22 + rng.IntN(7)
			text = netip.PrefixFrom(v4addr(base), bits).String()
		}
		shared := i%100 == 0
		add(lib, text, shared)
		if shared {
			add(libs[rng.IntN(len(libs))], text, true)
		}
	}
	for i := range n - n4 {
		// Block i is the /44 2001:700:X:X000::/44 counted upward.
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], uint64(0x2001_0700_0000_0000)|uint64(i)<<20)
		bits := 44 + rng.IntN(13)
		add(libs[rng.IntN(len(libs))], netip.PrefixFrom(netip.AddrFrom16(b), bits).String(), false)
	}
	for len(addrs) < 10000 {
		// 100.64.0.0/10 (shared carrier space) is never a library's.
		addrs = append(addrs, v4(uint32(100)<<24|uint32(64)<<16|uint32(rng.IntN(1<<16))))
	}
	rng.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
	return out, addrs
}

func v4addr(u uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], u)
	return netip.AddrFrom4(b)
}

func v4(u uint32) string { return v4addr(u).String() }

func insertChunks[T any](ctx context.Context, d *db.DB, rows []T, size int) error {
	for i := 0; i < len(rows); i += size {
		chunk := rows[i:min(i+size, len(rows))]
		if _, err := d.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
