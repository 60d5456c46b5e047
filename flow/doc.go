// Package flow is the trip lifecycle as pure code: it validates and
// normalises declarations, builds a trip's checkpoint route from its gate's
// data, and decides whether a checkpoint decision may be applied, returning
// the new projection and the event to append. It touches no storage, clock or
// network: the store calls it inside its transaction, the simulator on
// virtual time.
//
// A trip's status follows its checkpoints. Until a checkpoint decides on it,
// every checkpoint is pending (or skipped, when it does not apply) and the
// status is one of the queue's (declared, booked, arrived, called) or, ended
// before the zone, cancelled or no_show. Once one has decided:
//
//   - rejected when a checkpoint rejected it;
//   - otherwise held while any checkpoint, optional or not, holds it;
//   - otherwise crossed when every mandatory checkpoint that applies has
//     passed (and then CrossedAt is set);
//   - otherwise in_zone.
//
// A hold stops every checkpoint after it on the route, so a trip never
// crosses while held; a checkpoint before it (an optional weighbridge the
// truck has not used yet) may still pass it, and the trip stays held.
package flow
