// Package e2e holds browser tests: each test starts the whole Samla handler
// in-process on a fresh database, drives it with a real headless Chromium
// through chromedp, and asserts on the rendered pages as a librarian sees them.
//
// The tests skip when no Chromium is found, unless SAMLA_E2E=1 demands them
// (CI sets it where a browser is installed). SAMLA_CHROMIUM names the browser
// binary when it is not /usr/bin/chromium, SAMLA_E2E_SHOTS names a directory
// that also receives the screenshots, and SAMLA_TEST_DATABASE_URL runs the
// same tests on PostgreSQL, as for the other packages.
package e2e
