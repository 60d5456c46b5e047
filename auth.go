package cuakhau

import (
	"context"
	"time"
)

// Role is what a token may do.
type Role string

// Roles.
const (
	RoleAdmin       Role = "admin"
	RoleOperator    Role = "operator" // gate/yard operator and its devices
	RoleCustoms     Role = "customs"
	RoleBorderGuard Role = "border_guard"
	RoleQuarantine  Role = "quarantine"
	RoleMedical     Role = "medical"
	RoleEnterprise  Role = "enterprise" // bound to a tax code
	RoleViewer      Role = "viewer"
	// RoleSystem is the platform itself (the call-forward loop, the no-show
	// sweep, the advisory): never a token's role, so not in Roles.
	RoleSystem Role = "system"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleOperator, RoleCustoms, RoleBorderGuard,
	RoleQuarantine, RoleMedical, RoleEnterprise, RoleViewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Officer reports whether r decides at checkpoints.
func (r Role) Officer() bool {
	return r == RoleOperator || r == RoleCustoms || r == RoleBorderGuard ||
		r == RoleQuarantine || r == RoleMedical
}

// Principal is who makes a request: the token's identity and its bounds.
type Principal struct {
	TokenID string
	Name    string
	Role    Role
	// TaxCode binds an enterprise principal to its own trips.
	TaxCode string
	// Gate, when set, binds an officer to one gate.
	Gate string
}

// Actor is how the principal is recorded in the event log.
func (p Principal) Actor() string {
	if p.TokenID == "" {
		return string(p.Role)
	}
	return string(p.Role) + ":" + p.TokenID
}

// CanSeeTrip reports whether p may read trips of this enterprise and gate.
func (p Principal) CanSeeTrip(taxCode, gate string) bool {
	switch p.Role {
	case RoleAdmin, RoleViewer:
		return true
	case RoleEnterprise:
		return p.TaxCode != "" && p.TaxCode == taxCode
	default:
		return p.Role.Officer() && (p.Gate == "" || p.Gate == gate)
	}
}

// CanDeclare reports whether p may declare a trip for this enterprise at
// this gate: an operator bound to a gate declares only the trucks that cross
// there.
func (p Principal) CanDeclare(taxCode, gate string) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleOperator:
		return p.Gate == "" || p.Gate == gate
	case RoleEnterprise:
		return p.TaxCode != "" && p.TaxCode == taxCode
	}
	return false
}

// CanDecide reports whether p may decide at a checkpoint of this kind at gate.
func (p Principal) CanDecide(kind CheckpointKind, gate string) bool {
	if p.Role == RoleAdmin {
		return true
	}
	return p.Role == kind.Role() && (p.Gate == "" || p.Gate == gate)
}

// CanCancel reports whether p may cancel a trip of this enterprise and gate.
func (p Principal) CanCancel(taxCode, gate string) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleOperator:
		return p.Gate == "" || p.Gate == gate
	case RoleEnterprise:
		return p.TaxCode != "" && p.TaxCode == taxCode
	}
	return false
}

// CanBook reports whether p may book, move or cancel the slot booking of a
// trip of this enterprise at this gate: admins, operators at their own gate
// or, unbound, any, and the enterprise that declared it.
func (p Principal) CanBook(taxCode, gate string) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleOperator:
		return p.Gate == "" || p.Gate == gate
	case RoleEnterprise:
		return p.TaxCode != "" && p.TaxCode == taxCode
	}
	return false
}

// TripScope narrows a trip list's filter (an enterprise's tax code and a
// gate, "" for any) to what p may see: an enterprise lists its own trips
// whatever it left empty, an officer bound to a gate lists that gate's. It
// is a forbidden error, saying why, when the filter asks for more than p may
// see (another enterprise's trips, another gate's) or p's role may not list
// trips. It agrees with CanSeeTrip: every trip in the narrowed scope is one p
// may see.
func (p Principal) TripScope(taxCode, gate string) (scopedTaxCode, scopedGate string, _ error) {
	switch {
	case p.Role == RoleAdmin || p.Role == RoleViewer:
		return taxCode, gate, nil
	case p.Role == RoleEnterprise:
		if p.TaxCode == "" || (taxCode != "" && taxCode != p.TaxCode) {
			return "", "", Errorf(EFORBIDDEN, "this token may only list trips of tax code %s", p.TaxCode)
		}
		return p.TaxCode, gate, nil
	case p.Role.Officer():
		if p.Gate == "" {
			return taxCode, gate, nil
		}
		if gate != "" && gate != p.Gate {
			return "", "", Errorf(EFORBIDDEN, "this token is bound to gate %s", p.Gate)
		}
		return taxCode, p.Gate, nil
	}
	return "", "", Errorf(EFORBIDDEN, "role %q may not list trips", p.Role)
}

// CanSeeQueue reports whether p may read the waiting area of gate: admins
// and viewers anywhere, officers at their own gate or, unbound, any.
func (p Principal) CanSeeQueue(gate string) bool {
	switch {
	case p.Role == RoleAdmin || p.Role == RoleViewer:
		return true
	case p.Role.Officer():
		return p.Gate == "" || p.Gate == gate
	}
	return false
}

// CanCallForward reports whether p may call trucks forward at gate: admins,
// the platform's own loop, and operators at their own gate or, unbound, any.
func (p Principal) CanCallForward(gate string) bool {
	switch p.Role {
	case RoleAdmin, RoleSystem:
		return true
	case RoleOperator:
		return p.Gate == "" || p.Gate == gate
	}
	return false
}

// CanChangeControls reports whether p may set gate's lanes, capacity and
// other controls: admins, and operators at their own gate or, unbound, any.
func (p Principal) CanChangeControls(gate string) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleOperator:
		return p.Gate == "" || p.Gate == gate
	}
	return false
}

// CanRecordPayment reports whether p may record a payment of a receipt of
// a trip that crossed at gate: admins, the platform itself (a bank's
// notice), and operators at their own gate or, unbound, any. The fee desk
// is the operator's; an enterprise pays, it does not say it has paid.
func (p Principal) CanRecordPayment(gate string) bool {
	switch p.Role {
	case RoleAdmin, RoleSystem:
		return true
	case RoleOperator:
		return p.Gate == "" || p.Gate == gate
	}
	return false
}

// Token is an API bearer token's record; its secret is shown once, at
// creation, and stored only as a hash.
type Token struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	TaxCode   string    `json:"tax_code,omitempty"`
	Gate      string    `json:"gate,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// RevokedAt is when the token stopped authenticating; nil while it
	// works.
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// TokenService creates and checks bearer tokens. (Listing and revoking
// them is the store's, for the CLI.)
type TokenService interface {
	// CreateToken stores t and returns its secret.
	CreateToken(ctx context.Context, t Token) (secret string, _ *Token, _ error)
	// Authenticate returns the principal of a secret, or EUNAUTHORIZED.
	Authenticate(ctx context.Context, secret string) (Principal, error)
}

// Idempotency identifies a mutating request for safe retries: the same Key
// from the same token with the same RequestHash returns the first answer; the
// same Key with another RequestHash is ECONFLICT.
type Idempotency struct {
	Key         string
	RequestHash string
}

type idemKey struct{}

// WithIdempotency returns a context that carries the request's idempotency key.
func WithIdempotency(ctx context.Context, k Idempotency) context.Context {
	return context.WithValue(ctx, idemKey{}, k)
}

// IdempotencyFrom returns the idempotency key carried by ctx, if any.
func IdempotencyFrom(ctx context.Context) (Idempotency, bool) {
	k, ok := ctx.Value(idemKey{}).(Idempotency)
	return k, ok && k.Key != ""
}

// CanAdminister reports whether p may manage users and tokens: admins
// only.
func (p Principal) CanAdminister() bool { return p.Role == RoleAdmin }

// CanSeeStats reports whether p may read the statistics of gate ("" every
// gate): leadership (viewers) and admins anywhere; officers and operators
// for their own gate, or any when unbound. An enterprise sees its own
// trips, not the border's figures.
func (p Principal) CanSeeStats(gate string) bool {
	switch {
	case p.Role == RoleAdmin || p.Role == RoleViewer:
		return true
	case p.Role.Officer():
		return p.Gate == "" || p.Gate == gate
	}
	return false
}
