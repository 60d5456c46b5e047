package flow

import (
	"net/url"
	"slices"
	"strings"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/ident"
)

// Find is what an officer typed or scanned to find a truck, read once:
// the forms it may be in, each canonical.
type Find struct {
	code, plate, container, declaration string
	empty                               bool
}

// ParseFind reads s as a plate, a trip code, a container number or a
// customs declaration number, typed loosely as the ident parsers read them,
// or as the URL of a trip's page (what its QR code holds), which names the
// trip by code and plate. Any reading that parses counts; "" finds every
// trip. Text that reads as none of them finds nothing.
func ParseFind(s string) Find {
	s = strings.TrimSpace(s)
	if s == "" {
		return Find{empty: true}
	}
	var f Find
	if u, err := url.Parse(s); err == nil && u.Query().Has("code") {
		// A trip page's URL: its code names the trip.
		f.code = normalizeCode(u.Query().Get("code"))
		return f
	}
	if c := normalizeCode(s); validCode(c) {
		f.code = c
	}
	if p, err := ident.ParsePlate(s); err == nil {
		f.plate = p.Canonical
	}
	if c, err := ident.ParseContainer(s); err == nil {
		f.container = c
	}
	if d, err := ident.ParseCustomsDeclaration(s); err == nil {
		f.declaration = d
	}
	return f
}

// Code is the trip code f names, canonical; "" when it reads as none.
func (f Find) Code() string { return f.code }

// Plate is the plate f names, canonical; "" when it reads as none.
func (f Find) Plate() string { return f.plate }

// Matches reports whether t is the truck f names: by its code, its plate
// or trailer plate, one of its containers or one of its customs
// declarations.
func (f Find) Matches(t *cuakhau.Trip) bool {
	if f.empty {
		return true
	}
	return (f.code != "" && f.code == t.Code) ||
		(f.plate != "" && (f.plate == t.Vehicle.Plate || f.plate == t.Vehicle.TrailerPlate)) ||
		(f.container != "" && slices.Contains(t.Containers, f.container)) ||
		(f.declaration != "" && slices.Contains(t.CustomsDeclarations, f.declaration))
}
