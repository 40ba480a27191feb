package e2e

import (
	"os"
	"path/filepath"

	"github.com/chromedp/chromedp"
)

// screenshot saves a full-page PNG of the current page as name.png in the
// test's temp dir and, when SAMLA_E2E_SHOTS names a directory, there too, so
// a developer can look at what the browser saw. Screenshots never go into
// the repository.
func (p *page) screenshot(name string) string {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100)) // 100 means PNG
	if err != nil {
		p.fatal("screenshot %s: %v", name, err)
	}
	file := filepath.Join(p.t.TempDir(), name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Fatalf("write screenshot: %v", err)
	}
	if dir := os.Getenv("SAMLA_E2E_SHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			p.t.Fatalf("SAMLA_E2E_SHOTS: %v", err)
		}
		file = filepath.Join(dir, name+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			p.t.Fatalf("SAMLA_E2E_SHOTS: %v", err)
		}
	}
	p.t.Logf("screenshot: %s", file)
	return file
}
