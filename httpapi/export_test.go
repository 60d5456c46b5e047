package httpapi

// Routes lists the route table's patterns, for the contract test.
func Routes() []string {
	var a API
	var out []string
	for _, r := range a.routes() {
		out = append(out, r.pattern)
	}
	return out
}

// QueryParams is the query parameters each route reads, for the contract test.
func QueryParams() map[string][]string { return queryParams }
