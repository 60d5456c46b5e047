// Package flow is the trip lifecycle as pure code: it validates and
// normalises declarations, builds a trip's checkpoint route from its gate's
// data, and decides whether a checkpoint decision may be applied, returning
// the new projection and the event to append. It touches no storage, clock or
// network: the store calls it inside its transaction, the simulator on
// virtual time.
package flow
