package api

import "github.com/danielgtaylor/huma/v2"

// registerCases adds the case desk's endpoints. (Being written.)
func registerCases(api huma.API, d Deps) {}
