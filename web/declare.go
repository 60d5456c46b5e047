package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/flow"
)

// maxFormCargoLines is how many cargo lines the declaration form holds;
// the declaration's own limit is flow's.
const maxFormCargoLines = 20

// declareView is the declaration form: what was typed, and each refused
// field's rule beside it. Field names are the API's paths
// (vehicle.plate, cargo[0].hs_code), so that the rules' errors land on
// their fields.
type declareView struct {
	L     Lang
	Gates []gateOption
	// TaxCode is fixed for an enterprise's account, typed by an admin.
	TaxCodeFixed bool
	Form         url.Values
	Lines        []int
	Errs         map[string]string
	// Other are refusals that name no field of the form.
	Other []string
}

// V is the typed value of field.
func (v *declareView) V(field string) string { return v.Form.Get(field) }

// E is field's error, "" for none.
func (v *declareView) E(field string) string { return v.Errs[field] }

// F is the name of cargo line i's field.
func (v *declareView) F(i int, name string) string { return fmt.Sprintf("cargo[%d].%s", i, name) }

// inputField is one input of a form with its label, typed value and
// refusal, for the "field" template.
type inputField struct {
	L                                       Lang
	Name, ID, Label, Type, Value, Err, Hint string
	Required                                bool
}

// field is the input name of v's form, labelled label (a message key),
// of HTML type typ ("text" when empty); hint is a message key or "".
func field(v *declareView, name, label, typ, hint string, required bool) inputField {
	id := strings.NewReplacer("[", "-", "]", "", ".", "-").Replace(name)
	f := inputField{L: v.L, Name: name, ID: id, Label: v.L.T(label), Type: typ, Value: v.V(name), Err: v.E(name), Required: required}
	if f.Type == "" {
		f.Type = "text"
	}
	if hint != "" {
		f.Hint = v.L.T(hint)
	}
	return f
}

// declarePage is GET /enterprise/declare: an empty declaration with one
// cargo line, the enterprise's tax code filled in.
func (w *Web) declarePage(rw http.ResponseWriter, r *http.Request) error {
	v, err := w.declareView(rw, r, url.Values{"direction": {string(cuakhau.Export)}, "vehicle.country": {"VN"}}, 1)
	if err != nil {
		return err
	}
	w.render(rw, r, v.L, http.StatusOK, "declare", v.L.T("declare.title"), v)
	return nil
}

func (w *Web) declareView(rw http.ResponseWriter, r *http.Request, form url.Values, lines int) (*declareView, error) {
	p, _ := principalFrom(r.Context())
	l := langOf(rw, r)
	_, opts, err := w.enterpriseGates(r, l)
	if err != nil {
		return nil, err
	}
	v := &declareView{L: l, Gates: opts, Form: form, Errs: map[string]string{}}
	if p.Role == cuakhau.RoleEnterprise {
		v.TaxCodeFixed = true
		form.Set("enterprise.tax_code", p.TaxCode)
	}
	for i := range max(1, min(lines, maxFormCargoLines)) {
		v.Lines = append(v.Lines, i)
	}
	return v, nil
}

// declare is POST /enterprise/declare. With add or remove it changes the
// cargo lines and shows the form again; with check (sent by htmx when a
// field changes) it shows the rules' refusals of the fields typed so far;
// else it declares the trip through the trip service and, declared, goes
// to the trip's page to book its window. Refused, the form comes back with
// each rule beside its field and everything typed kept (400).
func (w *Web) declare(rw http.ResponseWriter, r *http.Request) error {
	if w.cfg.Trips == nil {
		return errors.New("web: no trip service configured")
	}
	if err := r.ParseForm(); err != nil {
		return cuakhau.Invalid("form", "cannot be read")
	}
	form := r.PostForm
	lines := formLines(form)
	action := "submit"
	switch {
	case form.Has("add"):
		action = "lines"
		lines++
	case form.Has("remove"):
		action = "lines"
		if i, err := strconv.Atoi(form.Get("remove")); err == nil && i >= 0 && i < lines && lines > 1 {
			removeLine(form, i, lines)
			lines--
		}
	case r.URL.Query().Has("check"):
		action = "check"
	}
	for _, k := range []string{"add", "remove", "csrf"} {
		form.Del(k)
	}
	v, err := w.declareView(rw, r, form, lines)
	if err != nil {
		return err
	}
	p, _ := principalFrom(r.Context())
	// The gate chosen, nil for none or an unknown one (the rules name it):
	// its zone is the planned arrival's.
	var g *cuakhau.Gate
	loc := time.UTC
	if x, err := w.cfg.Gates.Gate(r.Context(), strings.TrimSpace(form.Get("gate"))); err == nil {
		g, loc = x, inZone(time.Time{}, x.TimeZone).Location()
	}
	d, bad := declarationOf(form, len(v.Lines), loc)
	status := http.StatusOK
	switch action {
	case "check":
		// As the enterprise types: the domain's own rules, on the fields
		// typed so far.
		err := flow.Validate(g, &d, w.now())
		for f, msg := range mergeErrs(bad, err) {
			if typed(form, f) {
				v.Errs[formField(f, len(v.Lines))] = msg
			}
		}
	case "submit":
		if len(bad) > 0 {
			// Not sent: name every other refusal with the numbers'.
			dd := d
			bad = mergeErrs(bad, flow.Validate(g, &dd, w.now()))
		} else {
			t, err := w.cfg.Trips.DeclareTrip(r.Context(), p, d)
			if err == nil {
				http.Redirect(rw, r, "/enterprise/trips/"+url.PathEscape(t.ID)+"?done=declared&lang="+v.L.Code(), http.StatusSeeOther)
				return nil
			}
			var ce *cuakhau.Error
			switch {
			case errors.As(err, &ce) && ce.Code == cuakhau.EINVALID:
				bad = mergeErrs(bad, err)
				if len(bad) == 0 {
					v.Other = append(v.Other, ce.Message)
				}
			case errors.As(err, &ce) && ce.Code == cuakhau.EFORBIDDEN:
				v.Other = append(v.Other, ce.Message)
				w.render(rw, r, v.L, http.StatusForbidden, "declare", v.L.T("declare.title"), v)
				return nil
			default:
				return err
			}
		}
		status = http.StatusBadRequest
		for f, msg := range bad {
			if field := formField(f, len(v.Lines)); field != "" {
				if _, ok := v.Errs[field]; !ok {
					v.Errs[field] = msg
				}
			} else {
				v.Other = append(v.Other, f+": "+msg)
			}
		}
	}
	w.render(rw, r, v.L, status, "declare", v.L.T("declare.title"), v)
	return nil
}

// formLines is how many cargo lines form holds: one past the highest
// index named.
func formLines(form url.Values) int {
	n := 1
	for k := range form {
		if m := lineField.FindStringSubmatch(k); m != nil {
			if i, err := strconv.Atoi(m[1]); err == nil && i < maxFormCargoLines {
				n = max(n, i+1)
			}
		}
	}
	return n
}

var lineField = regexp.MustCompile(`^cargo\[(\d+)\]\.`)

// cargoFields are a cargo line's fields on the form.
var cargoFields = []string{"hs_code", "description", "packages", "gross_kg", "value_usd", "perishable", "shelf_life_hours"}

// removeLine drops cargo line i of n from form, moving the later ones up.
func removeLine(form url.Values, i, n int) {
	for j := i; j < n; j++ {
		for _, f := range cargoFields {
			from, to := fmt.Sprintf("cargo[%d].%s", j+1, f), fmt.Sprintf("cargo[%d].%s", j, f)
			if form.Has(from) {
				form[to] = form[from]
			} else {
				form.Del(to)
			}
		}
	}
	for _, f := range cargoFields {
		form.Del(fmt.Sprintf("cargo[%d].%s", n-1, f))
	}
}

// declarationOf reads the form into a declaration; bad are the fields
// that are not numbers where numbers go (the rest is the rules' to check).
// Containers and customs declarations are typed in one field each,
// separated by commas, spaces or new lines.
func declarationOf(form url.Values, lines int, loc *time.Location) (cuakhau.Declaration, cuakhau.FieldErrors) {
	bad := cuakhau.FieldErrors{}
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	d := cuakhau.Declaration{
		Gate:       get("gate"),
		Direction:  cuakhau.Direction(get("direction")),
		Vehicle:    cuakhau.Vehicle{Plate: get("vehicle.plate"), Country: get("vehicle.country"), TrailerPlate: get("vehicle.trailer_plate")},
		Driver:     cuakhau.Driver{Name: get("driver.name"), IDNumber: get("driver.id_number"), Phone: get("driver.phone")},
		Enterprise: cuakhau.Enterprise{TaxCode: get("enterprise.tax_code"), Name: get("enterprise.name")},
		Containers: splitList(form.Get("containers")), CustomsDeclarations: splitList(form.Get("customs_declarations")),
	}
	whole := func(field string) int64 {
		s := get(field)
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), " ", ""), 10, 64)
		if err != nil {
			bad.Add(field, "a whole number")
		}
		return n
	}
	for i := range lines {
		f := func(name string) string { return fmt.Sprintf("cargo[%d].%s", i, name) }
		if d.Direction == cuakhau.EmptyReturn && get(f("hs_code")) == "" && get(f("description")) == "" {
			continue
		}
		c := cuakhau.CargoLine{HSCode: get(f("hs_code")), Description: get(f("description")),
			Packages: int(whole(f("packages"))), GrossKg: whole(f("gross_kg")),
			Perishable: form.Get(f("perishable")) != "", ShelfLifeHours: int(whole(f("shelf_life_hours")))}
		if s := strings.ReplaceAll(get(f("value_usd")), ",", "."); s != "" {
			usd, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(usd) || math.IsInf(usd, 0) {
				bad.Add(f("value_usd"), "an amount in US dollars, such as 54000 or 54000.50")
			} else {
				c.ValueUSDCents = int64(math.Round(usd * 100))
			}
		}
		d.Cargo = append(d.Cargo, c)
	}
	if s := get("planned_arrival"); s != "" {
		if t, err := time.ParseInLocation("2006-01-02T15:04", s, loc); err != nil {
			bad.Add("planned_arrival", "a day and time, 2026-12-01T08:30")
		} else {
			d.PlannedArrival = &t
		}
	}
	return d, bad
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// mergeErrs adds err's fields to bad (bad's first).
func mergeErrs(bad cuakhau.FieldErrors, err error) cuakhau.FieldErrors {
	out := cuakhau.FieldErrors{}
	for f, m := range bad {
		out[f] = m
	}
	for f, m := range cuakhau.ErrorFields(err) {
		if _, ok := out[f]; !ok {
			out[f] = m
		}
	}
	return out
}

// formField is the form's field a rule's path lands on: containers[2] on
// containers, cargo[0].value_usd_cents on cargo[0].value_usd; "" for a
// path the form has no field for.
func formField(path string, lines int) string {
	switch {
	case strings.HasPrefix(path, "containers"):
		return "containers"
	case strings.HasPrefix(path, "customs_declarations"):
		return "customs_declarations"
	case path == "cargo":
		return "cargo"
	}
	if m := lineField.FindStringSubmatch(path); m != nil {
		if i, _ := strconv.Atoi(m[1]); i >= lines {
			return ""
		}
		return strings.Replace(path, "value_usd_cents", "value_usd", 1)
	}
	switch path {
	case "gate", "direction", "vehicle.plate", "vehicle.country", "vehicle.trailer_plate", "driver.name", "driver.id_number",
		"driver.phone", "enterprise.tax_code", "enterprise.name", "planned_arrival":
		return path
	}
	return ""
}

// typed reports whether the form's field for a rule's path holds
// something: a check as one types names only what was typed.
func typed(form url.Values, path string) bool {
	f := formField(path, maxFormCargoLines)
	return f != "" && f != "cargo" && strings.TrimSpace(form.Get(f)) != ""
}
