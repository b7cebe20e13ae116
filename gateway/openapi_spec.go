package gateway

import _ "embed"

// OpenAPISpec is openapi.yaml, the admin API's contract, embedded so that
// tests anywhere in the module validate against the one file (no relative
// paths that depend on the test's package directory).
//
//go:embed openapi.yaml
var OpenAPISpec []byte
