package web

// RouteInfo is a route as the role × page matrix test sees it.
type RouteInfo struct {
	Pattern string
	Public  bool
}

// Routes lists w's routes.
func Routes(w *Web) []RouteInfo {
	var out []RouteInfo
	for _, rt := range w.routes() {
		out = append(out, RouteInfo{rt.pattern, rt.access == nil})
	}
	return out
}
