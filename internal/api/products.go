package api

import "github.com/danielgtaylor/huma/v2"

// registerProducts adds the vendor, product, training and licence operations.
func registerProducts(api huma.API, d Deps) {}
