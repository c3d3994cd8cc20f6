package api

import _ "embed"

// OpenAPI is the contract of this API (OpenAPI 3.1): every endpoint, the admin API included, every
// upload kind with every field, its length and format, every error and the signing recipe. The
// township serves it at PathOpenAPI; the integration tests validate every request and answer
// against it (township/api/apitest), so it cannot drift from the server.
//
//go:embed openapi.json
var OpenAPI []byte
