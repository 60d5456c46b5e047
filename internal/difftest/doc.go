// Package difftest holds the differential test of the simulator against the
// server: one scripted day at one gate driven through sqlstore's services
// and through sim.RunScript, compared decision by decision. It has no code
// of its own outside its test and is never linked into the binary.
package difftest
