// Package cuakhau holds the domain of a digital border gate for freight trucks:
// gates and their checkpoint routes, trips and their lifecycle, the hash-chained
// event log, principals and roles, domain errors, the clock, and the service
// interfaces that the adapters (sqlstore, httpapi) implement and consume.
//
// The root package imports no storage or transport. Pure logic lives in ident
// (identifier parsers) and flow (the trip state machine); adapters import the
// core and never each other; cmd/cuakhau wires them together.
package cuakhau
