package api_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/api"
)

// TestSpecValid loads the embedded document as the server publishes it and
// checks that it is valid OpenAPI 3.0 with every example matching its schema.
func TestSpecValid(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.Spec)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if got, want := doc.OpenAPI, "3.0.3"; got != want {
		t.Errorf("openapi = %q, want %q", got, want)
	}
}

// TestSpecDocumentsEnums guards the enums integrators code against: each
// lists exactly the domain's values, so that a value added in Go but not
// here (or the reverse) fails a test.
func TestSpecDocumentsEnums(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.Spec)
	if err != nil {
		t.Fatal(err)
	}
	strs := func(xs ...any) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = fmt.Sprint(x)
		}
		return out
	}
	each := func(xs any) []string {
		v := reflect.ValueOf(xs)
		out := make([]string, v.Len())
		for i := range out {
			out[i] = v.Index(i).String()
		}
		return out
	}
	tests := []struct {
		schema string
		want   []string
	}{
		{"Direction", each(cuakhau.Directions)},
		{"TripStatus", each(cuakhau.Statuses)},
		{"Role", each(cuakhau.Roles)},
		{"CheckpointKind", strs(cuakhau.KindGate, cuakhau.KindMedical, cuakhau.KindCustoms, cuakhau.KindQuarantine, cuakhau.KindBorderGuard)},
		{"Outcome", strs(cuakhau.OutcomePass, cuakhau.OutcomeHold, cuakhau.OutcomeRelease, cuakhau.OutcomeReject, cuakhau.OutcomeCancel, cuakhau.OutcomeNoShow)},
		{"Channel", strs(cuakhau.ChannelGreen, cuakhau.ChannelYellow, cuakhau.ChannelRed)},
	}
	for _, tt := range tests {
		s := doc.Components.Schemas[tt.schema]
		if s == nil || s.Value == nil {
			t.Errorf("no schema %s", tt.schema)
			continue
		}
		got := strs(s.Value.Enum...)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s enum (-go +spec):\n%s", tt.schema, diff)
		}
	}
	codes := doc.Components.Schemas["Error"].Value.Properties["error"].Value.Properties["code"].Value.Enum
	want := []string{cuakhau.EINVALID, cuakhau.ENOTFOUND, cuakhau.ECONFLICT, cuakhau.EUNAUTHORIZED, cuakhau.EFORBIDDEN, cuakhau.EINTERNAL, cuakhau.EUNAVAILABLE,
		cuakhau.ERATELIMITED, cuakhau.EMETHODNOTALLOWED}
	if diff := cmp.Diff(want, strs(codes...)); diff != "" {
		t.Errorf("error codes (-go +spec):\n%s", diff)
	}
}
