package desk

import (
	"io/fs"
	"net/http"
	"strings"
)

// deskCSP allows only the desk's own scripts, styles and sockets (and the
// agent's microphone audio).
const deskCSP = "default-src 'self'; connect-src 'self' ws: wss:; media-src 'self' blob: mediastream:; " +
	"img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", deskCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}

// page serves one embedded HTML page of static/desk.
func page(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := fs.ReadFile(static, "static/desk/"+name)
		if err != nil {
			http.Error(w, "page missing", http.StatusInternalServerError)
			return
		}
		securityHeaders(w.Header())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(b)
	})
}

// assets serves static/desk under /desk/assets/.
func assets() http.Handler {
	sub, err := fs.Sub(static, "static/desk")
	if err != nil {
		return http.NotFoundHandler()
	}
	files := http.StripPrefix("/desk/assets/", http.FileServer(http.FS(sub)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || strings.HasSuffix(r.URL.Path, ".html") {
			http.NotFound(w, r)
			return
		}
		securityHeaders(w.Header())
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}
