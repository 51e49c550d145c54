package desk

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// CookieName is the session cookie.
const CookieName = "yuecall_desk"

// CSRFHeader carries the session's CSRF token on state-changing requests.
const CSRFHeader = "X-CSRF-Token"

type session struct {
	id      string
	user    User
	csrf    string
	created time.Time
	seen    time.Time
}

// sessions is the in-memory session table. Ids are 256 random bits; a
// session ends after IdleTimeout without a request or MaxAge after sign-in.
type sessions struct {
	idle, max time.Duration
	now       func() time.Time

	mu sync.Mutex
	m  map[string]*session
}

func newSessions(idle, max time.Duration) *sessions {
	return &sessions{idle: idle, max: max, now: time.Now, m: map[string]*session{}}
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("desk: crypto/rand failed: " + err.Error()) // the OS has no entropy: nothing is safe
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) create(u User) *session {
	now := s.now()
	ss := &session{id: randomToken(), user: u, csrf: randomToken(), created: now, seen: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, old := range s.m { // sign-ins are rare; pruning here bounds the table
		if s.expired(old, now) {
			delete(s.m, id)
		}
	}
	s.m[ss.id] = ss
	return ss
}

func (s *sessions) expired(ss *session, now time.Time) bool {
	return now.Sub(ss.seen) > s.idle || now.Sub(ss.created) > s.max
}

// get returns a copy of the live session and refreshes its idle timer.
func (s *sessions) get(id string) (session, bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.m[id]
	if !ok {
		return session{}, false
	}
	if s.expired(ss, now) {
		delete(s.m, id)
		return session{}, false
	}
	ss.seen = now
	return *ss, true
}

// alive reports whether a session is live without refreshing it.
func (s *sessions) alive(id string) bool {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.m[id]
	return ok && !s.expired(ss, now)
}

func (s *sessions) remove(id string) {
	s.mu.Lock()
	delete(s.m, id)
	s.mu.Unlock()
}

// removeUser ends every session of a user (after `user remove`).
func (s *sessions) removeUser(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, ss := range s.m {
		if ss.user.Name == name {
			delete(s.m, id)
		}
	}
}

type ctxKey struct{}

type ctxVal struct {
	user User
	sess session
}

// UserFrom returns the signed-in user that Require put in the request's
// context.
func UserFrom(ctx context.Context) (User, bool) {
	v, ok := ctx.Value(ctxKey{}).(ctxVal)
	return v.user, ok
}

func sessionFrom(ctx context.Context) (session, bool) {
	v, ok := ctx.Value(ctxKey{}).(ctxVal)
	return v.sess, ok
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// Require lets a request through only with a live session whose user has
// one of roles (none: any role). It answers 401 without a session (pages:
// a redirect to /login), 403 for another role, and 403 when a
// state-changing request lacks the session's X-CSRF-Token or comes from a
// foreign Origin. The user is in the context (UserFrom).
func (d *Desk) Require(h http.Handler, roles ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ss, ok := d.session(r)
		if !ok {
			if isPage(r) {
				http.Redirect(w, r, "/login?next="+r.URL.Path, http.StatusSeeOther)
				return
			}
			jsonError(w, http.StatusUnauthorized, "not_signed_in", "請先登入")
			return
		}
		if !hasRole(ss.user.Role, roles) {
			jsonError(w, http.StatusForbidden, "forbidden", "你嘅角色冇權限")
			return
		}
		if !safeMethod(r.Method) {
			tok := r.Header.Get(CSRFHeader)
			if subtle.ConstantTimeCompare([]byte(tok), []byte(ss.csrf)) != 1 || !d.originOK(r) {
				jsonError(w, http.StatusForbidden, "csrf", "請重新載入頁面")
				return
			}
		}
		ctx := context.WithValue(r.Context(), ctxKey{}, ctxVal{user: ss.user, sess: ss})
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

func isPage(r *http.Request) bool {
	p := r.URL.Path
	return r.Method == http.MethodGet && !strings.HasPrefix(p, "/api/") && !strings.HasPrefix(p, "/ws/")
}

func hasRole(role string, roles []string) bool {
	if len(roles) == 0 {
		return true
	}
	for _, want := range roles {
		if role == want {
			return true
		}
	}
	return false
}

func (d *Desk) session(r *http.Request) (session, bool) {
	c, err := r.Cookie(CookieName)
	if err != nil || len(c.Value) != 43 {
		return session{}, false
	}
	ss, ok := d.sess.get(c.Value)
	if !ok {
		return ss, false
	}
	// a user removed or given another role by `yuecall user` loses the session
	if u, ok := d.users.Lookup(ss.user.Name); !ok || u.Role != ss.user.Role {
		d.sess.removeUser(ss.user.Name)
		return session{}, false
	}
	return ss, true
}

func (d *Desk) setCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: d.cfg.SecureCookies || r.TLS != nil})
}

// originOK accepts a request without Origin (same-origin navigation or a
// non-browser client), one from the request's own host, or one listed in
// Config.AllowedOrigins.
func (d *Desk) originOK(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	for _, a := range d.cfg.AllowedOrigins {
		if a == o {
			return true
		}
	}
	return o == "http://"+r.Host || o == "https://"+r.Host
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limiter counts failed sign-ins per user name and IP: after maxFails
// failures within window further attempts are refused until the window
// ends. The table is bounded (maxKeys); when full, expired entries are
// pruned and, failing that, the attempt is refused (fail closed).
type limiter struct {
	maxFails int
	window   time.Duration
	maxKeys  int
	now      func() time.Time

	mu sync.Mutex
	m  map[string]*failCount
}

type failCount struct {
	n     int
	since time.Time
}

func newLimiter(maxFails int, window time.Duration) *limiter {
	return &limiter{maxFails: maxFails, window: window, maxKeys: 10000, now: time.Now, m: map[string]*failCount{}}
}

// allow reports whether key may try to sign in now.
func (l *limiter) allow(key string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.m[key]
	if !ok {
		return len(l.m) < l.maxKeys || l.pruneLocked(now)
	}
	if now.Sub(f.since) > l.window {
		delete(l.m, key)
		return true
	}
	return f.n < l.maxFails
}

func (l *limiter) pruneLocked(now time.Time) bool {
	for k, f := range l.m {
		if now.Sub(f.since) > l.window {
			delete(l.m, k)
		}
	}
	return len(l.m) < l.maxKeys
}

func (l *limiter) fail(key string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.m[key]
	if !ok || now.Sub(f.since) > l.window {
		if !ok && len(l.m) >= l.maxKeys {
			return
		}
		f = &failCount{since: now}
		l.m[key] = f
	}
	f.n++
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	delete(l.m, key)
	l.mu.Unlock()
}
