// Package api holds the contract of cuakhau's JSON API: an OpenAPI 3.0.3
// document, embedded so that the server can publish exactly the text the
// tests check it against (GET /api/openapi.yaml).
//
// The document is the source of truth for integrators. httpapi's contract
// test loads it with kin-openapi and validates every request its tests make
// and every response the server gives, so a route, field or status that is
// not described here fails the build's tests rather than surprising a client.
package api

import _ "embed"

// Spec is the OpenAPI 3.0.3 document of API v1, in YAML.
//
//go:embed openapi.yaml
var Spec []byte
