// Package migrations holds the schema, one directory per engine with the
// same version numbers, embedded in the binary and applied on start.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// For returns the migrations of one engine ("sqlite" or "postgres").
func For(engine string) (fs.FS, error) {
	sub, err := fs.Sub(files, engine)
	if err != nil {
		return nil, fmt.Errorf("migrations for %s: %w", engine, err)
	}
	return sub, nil
}
