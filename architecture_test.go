package cuakhau_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// module is the import path of the root package; the rules name the
// module's packages relative to it ("" is the root package itself).
const module = "github.com/cuakhau/cuakhau"

// The pure packages: they decide, and others store, carry and wire.
var pure = []string{"ident", "flow", "sched", "gatestate", "catalog", "notice", "device", "vietqr", "fee", "stats"}

// scope says which of a package's imports a rule looks at.
type scope int

const (
	// shipped: everything the package links, directly or not, outside its tests.
	shipped scope = iota
	// tested: what the package's tests import, with all that links.
	tested
)

// depRule is one sentence of the rule of dependencies in
// docs/architecture.md: the packages it binds, in which scope, and either the
// only packages they may use (only, with the standard library always
// allowed) or packages they must not use (never, neverOther).
type depRule struct {
	rule  string
	pkgs  []string
	scope scope
	only  []string // the module's packages allowed ("" for the root)
	libs  []string // other modules allowed, by module path
	never []string // the module's packages forbidden, relative
	// neverOther are packages outside the module forbidden, by full path
	neverOther []string
}

// dependencyRules mirrors docs/architecture.md's "rule of dependencies";
// change the two together.
var dependencyRules = []depRule{
	{
		rule:  "the pure packages import only the standard library, the root package and each other",
		pkgs:  pure,
		scope: shipped,
		only:  append([]string{""}, pure...),
	},
	{
		rule:  "sim builds on them alone (and reads its scenarios with yaml.v3)",
		pkgs:  []string{"sim"},
		scope: shipped,
		only:  append([]string{""}, pure...),
		libs:  []string{"gopkg.in/yaml.v3"},
	},
	{
		rule:  "the adapters (sqlstore, httpapi) never import each other",
		pkgs:  []string{"sqlstore", "httpapi"},
		scope: shipped,
		never: []string{"sqlstore", "httpapi"},
	},
	{
		rule:  "mqttbridge hands MQTT readings to the store's Ingest through an interface and never imports sqlstore, httpapi or web",
		pkgs:  []string{"mqttbridge"},
		scope: shipped,
		never: []string{"sqlstore", "httpapi", "web"},
	},
	{
		rule:  "devsim talks to the server only as a device does, over HTTP or MQTT: it never imports sqlstore, httpapi, web or mqttbridge",
		pkgs:  []string{"devsim"},
		scope: shipped,
		never: []string{"sqlstore", "httpapi", "web", "mqttbridge"},
	},
	{
		rule:  "report writes a period's statistics as documents and never imports sqlstore, httpapi or web",
		pkgs:  []string{"report"},
		scope: shipped,
		never: []string{"sqlstore", "httpapi", "web"},
	},
	{
		rule:  "web serves the pages over the same service interfaces and never imports httpapi or sqlstore",
		pkgs:  []string{"web"},
		scope: shipped,
		never: []string{"sqlstore", "httpapi"},
	},
	{
		rule:  "httpapi imports sqlstore in tests only; sqlstore's tests do not import httpapi",
		pkgs:  []string{"sqlstore"},
		scope: tested,
		never: []string{"httpapi"},
	},
	{
		rule:       "internal/pgtest, and with it the testing package, is never linked into the binary",
		pkgs:       []string{"cmd/cuakhau"},
		scope:      shipped,
		never:      []string{"internal/pgtest"},
		neverOther: []string{"testing"},
	},
	{
		rule:  "internal/difftest, the simulator's differential test against the store, is never linked into the binary",
		pkgs:  []string{"cmd/cuakhau"},
		scope: shipped,
		never: []string{"internal/difftest"},
	},
}

// listedPackage is what `go list -json` says of one of the module's packages.
type listedPackage struct {
	ImportPath   string
	Deps         []string // everything it links, outside its tests
	TestImports  []string
	XTestImports []string
}

// TestDependencyRules checks the module's import graph, as `go list` reports
// it, against dependencyRules.
func TestDependencyRules(t *testing.T) {
	cmd := exec.Command("go", "list", "-json=ImportPath,Deps,TestImports,XTestImports", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	graph, err := parseList(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range violations(graph, dependencyRules) {
		t.Error(v)
	}
}

// TestDependencyRulesCatch checks that the checker finds each kind of broken
// rule in a graph made to break them, so that TestDependencyRules passing
// means the graph keeps them.
func TestDependencyRulesCatch(t *testing.T) {
	p := func(rel string) string { return module + "/" + rel }
	graph := map[string]listedPackage{
		module:               {ImportPath: module, Deps: []string{"fmt"}},
		p("ident"):           {ImportPath: p("ident"), Deps: []string{"fmt"}},
		p("flow"):            {ImportPath: p("flow"), Deps: []string{module, p("ident"), p("sqlstore"), "fmt"}},
		p("sched"):           {ImportPath: p("sched"), Deps: []string{"github.com/jackc/pgx/v5"}},
		p("catalog"):         {ImportPath: p("catalog"), Deps: []string{module, "embed"}},
		p("gatestate"):       {ImportPath: p("gatestate"), Deps: []string{module, p("flow"), p("sched")}},
		p("notice"):          {ImportPath: p("notice"), Deps: []string{module, "strings"}},
		p("device"):          {ImportPath: p("device"), Deps: []string{module, p("ident")}},
		p("vietqr"):          {ImportPath: p("vietqr"), Deps: []string{"strconv"}},
		p("fee"):             {ImportPath: p("fee"), Deps: []string{"time"}},
		p("stats"):           {ImportPath: p("stats"), Deps: []string{module, "encoding/csv"}},
		p("sim"):             {ImportPath: p("sim"), Deps: []string{p("flow"), "gopkg.in/yaml.v3", p("traffic"), p("httpapi")}},
		p("httpapi"):         {ImportPath: p("httpapi"), Deps: []string{module}, XTestImports: []string{p("sqlstore")}},
		p("sqlstore"):        {ImportPath: p("sqlstore"), Deps: []string{module}, XTestImports: []string{p("traffic")}},
		p("traffic"):         {ImportPath: p("traffic"), Deps: []string{p("httpapi")}},
		p("web"):             {ImportPath: p("web"), Deps: []string{module, p("httpapi")}, XTestImports: []string{p("sqlstore")}},
		p("mqttbridge"):      {ImportPath: p("mqttbridge"), Deps: []string{module, p("device"), p("sqlstore")}},
		p("devsim"):          {ImportPath: p("devsim"), Deps: []string{p("device")}},
		p("report"):          {ImportPath: p("report"), Deps: []string{p("stats"), p("web")}},
		p("internal/pgtest"): {ImportPath: p("internal/pgtest"), Deps: []string{"testing"}},
		p("cmd/cuakhau"):     {ImportPath: p("cmd/cuakhau"), Deps: []string{p("internal/pgtest"), "testing"}},
	}
	got := violations(graph, dependencyRules)
	for _, want := range []string{
		"flow links " + p("sqlstore"),
		"sched links github.com/jackc/pgx/v5",
		"sim links " + p("traffic"),
		"sim links " + p("httpapi"),
		"sqlstore's tests link " + p("httpapi"),
		"cmd/cuakhau links " + p("internal/pgtest"),
		"cmd/cuakhau links testing",
		"web links " + p("httpapi"),
		"mqttbridge links " + p("sqlstore"),
		"report links " + p("web"),
	} {
		if !slices.ContainsFunc(got, func(v string) bool { return strings.HasPrefix(v, want+":") }) {
			t.Errorf("no violation %q among:\n%s", want, strings.Join(got, "\n"))
		}
	}
	if len(got) != 10 {
		t.Errorf("%d violations, want 10 (httpapi's and web's tests may use sqlstore; sim may use yaml.v3):\n%s", len(got), strings.Join(got, "\n"))
	}
	delete(graph, p("catalog"))
	if got := violations(graph, dependencyRules); !slices.Contains(got, "catalog: no such package: rename the rule with the package") {
		t.Errorf("a rule about a package that is gone passed: %q", got)
	}
}

func parseList(out []byte) (map[string]listedPackage, error) {
	graph := map[string]listedPackage{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return graph, nil
		} else if err != nil {
			return nil, fmt.Errorf("go list output: %w", err)
		}
		graph[p.ImportPath] = p
	}
}

// violations lists every way graph breaks rules, as "pkg links dep: rule"
// ("pkg's tests link dep: rule" for what its tests use).
func violations(graph map[string]listedPackage, rules []depRule) []string {
	full := func(rel string) string {
		if rel == "" {
			return module
		}
		return module + "/" + rel
	}
	var out []string
	for _, r := range rules {
		only := map[string]bool{}
		for _, rel := range r.only {
			only[full(rel)] = true
		}
		never := map[string]bool{}
		for _, rel := range r.never {
			never[full(rel)] = true
		}
		for _, n := range r.neverOther {
			never[n] = true
		}
		for _, rel := range r.pkgs {
			p, ok := graph[full(rel)]
			if !ok {
				out = append(out, rel+": no such package: rename the rule with the package")
				continue
			}
			deps, who := p.Deps, rel+" links"
			if r.scope == tested {
				deps, who = testDeps(graph, p), rel+"'s tests link"
			}
			for _, d := range deps {
				bad := never[d]
				if r.only != nil {
					switch {
					case isStandard(d):
					case d == module || strings.HasPrefix(d, module+"/"):
						bad = bad || !only[d]
					default:
						bad = bad || !slices.ContainsFunc(r.libs, func(m string) bool { return d == m || strings.HasPrefix(d, m+"/") })
					}
				}
				if bad {
					out = append(out, fmt.Sprintf("%s %s: %s", who, d, r.rule))
				}
			}
		}
	}
	return out
}

// testDeps is what p's tests import, with everything those packages link.
func testDeps(graph map[string]listedPackage, p listedPackage) []string {
	seen := map[string]bool{}
	for _, imp := range slices.Concat(p.TestImports, p.XTestImports) {
		if imp == p.ImportPath {
			continue // the external test package imports the package itself
		}
		seen[imp] = true
		for _, d := range graph[imp].Deps {
			seen[d] = true
		}
	}
	deps := make([]string, 0, len(seen))
	for d := range seen {
		deps = append(deps, d)
	}
	slices.Sort(deps)
	return deps
}

// isStandard reports whether path is in the standard library: as the go
// command decides it, its first element has no dot.
func isStandard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
