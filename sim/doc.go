// Package sim is the discrete-event simulator of the border: trucks arrive
// by class, book windows, wait in the yard or on the road, are called
// forward into the control zone by the server's own sched policies, pass
// its stages and cross at the pace the other side allows. It runs on a
// virtual clock with seeded random streams per source (common random
// numbers across policies), warm-up and replications, and reports each
// policy's figures with 95% confidence intervals.
//
// Scenarios are YAML (Parse, Load; docs/simulation.md documents every
// field). Validate checks the engine against queueing theory. The same
// scheduling (sched.New, sched.FIFOTurn, sched.Advise, sched.Capacities) and
// lifecycle (flow.Arrive, flow.Call, flow.Apply) code the server runs is
// called here, so a result is evidence about the product.
package sim
