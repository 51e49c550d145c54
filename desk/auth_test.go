package desk

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestLoginCookieAndLogout(t *testing.T) {
	e := newEnv(t, nil)
	b := e.login("amy")
	var cookie *http.Cookie
	res, body := b.do("POST", "/api/login", map[string]string{"name": "amy", "password": testPassword}, nil)
	for _, c := range res.Cookies() {
		if c.Name == CookieName {
			cookie = c
		}
	}
	var me meResp
	_ = json.Unmarshal(body, &me)
	b.csrf = me.CSRF
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Secure || len(cookie.Value) != 43 {
		t.Fatalf("cookie %+v: want HttpOnly, SameSite=Strict, 256-bit id, not Secure on plain HTTP", cookie)
	}
	res, body = b.do("GET", "/api/me", nil, nil)
	_ = json.Unmarshal(body, &me)
	if res.StatusCode != 200 || me.Name != "amy" || me.Role != RoleAgent || me.Home != "/desk" {
		t.Fatalf("me: %d %s", res.StatusCode, body)
	}
	if res, _ := b.do("POST", "/api/logout", struct{}{}, nil); res.StatusCode != 200 {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if res, _ := b.do("GET", "/api/me", nil, nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("after logout: %d, want 401", res.StatusCode)
	}
}

func TestSecureCookieWhenConfigured(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.SecureCookies = true })
	b := &browser{t: t, e: e, c: &http.Client{}}
	res, _ := b.do("POST", "/api/login", map[string]string{"name": "amy", "password": testPassword}, nil)
	for _, c := range res.Cookies() {
		if c.Name == CookieName && !c.Secure {
			t.Error("cookie not Secure with SecureCookies")
		}
	}
}

func TestLoginFailuresAndRateLimit(t *testing.T) {
	e := newEnv(t, nil)
	b := &browser{t: t, e: e, c: &http.Client{}}
	for i := 0; i < 5; i++ {
		if res, body := b.do("POST", "/api/login", map[string]string{"name": "amy", "password": "wrong password"}, nil); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d %s", i, res.StatusCode, body)
		}
	}
	res, _ := b.do("POST", "/api/login", map[string]string{"name": "amy", "password": testPassword}, nil)
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("6th attempt with the right password: %d, want 429", res.StatusCode)
	}
	// another user from the same address is not locked out
	if res, _ := b.do("POST", "/api/login", map[string]string{"name": "ben", "password": testPassword}, nil); res.StatusCode != 200 {
		t.Errorf("ben: %d", res.StatusCode)
	}
	// the window passes
	e.desk.limit.now = func() time.Time { return time.Now().Add(16 * time.Minute) }
	if res, _ := b.do("POST", "/api/login", map[string]string{"name": "amy", "password": testPassword}, nil); res.StatusCode != 200 {
		t.Errorf("after the window: %d", res.StatusCode)
	}
	if res, _ := b.do("POST", "/api/login", map[string]string{"name": "amy", "password": testPassword}, map[string]string{"Origin": "https://evil.example"}); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin login: %d, want 403", res.StatusCode)
	}
}

func TestSessionExpiry(t *testing.T) {
	s := newSessions(30*time.Minute, 12*time.Hour)
	base := time.Now()
	now := base
	s.now = func() time.Time { return now }
	ss := s.create(User{Name: "amy", Role: RoleAgent})
	cases := []struct {
		step time.Duration
		live bool
	}{
		{10 * time.Minute, true}, {29 * time.Minute, true}, {29 * time.Minute, true}, {31 * time.Minute, false},
	}
	for i, c := range cases {
		now = now.Add(c.step)
		if _, ok := s.get(ss.id); ok != c.live {
			t.Errorf("step %d (+%v): live=%v, want %v", i, c.step, ok, c.live)
		}
	}
	ss = s.create(User{Name: "amy", Role: RoleAgent})
	for i := 0; i < 26; i++ { // active every 29 min: the absolute limit still ends it
		now = now.Add(29 * time.Minute)
		if _, ok := s.get(ss.id); !ok {
			if el := now.Sub(ss.created); el < 12*time.Hour {
				t.Fatalf("ended after %v, before 12 h", el)
			}
			return
		}
	}
	t.Error("session outlived MaxAge")
}

func TestCSRFRequired(t *testing.T) {
	e := newEnv(t, nil)
	b := e.login("amy")
	cases := []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"no token", map[string]string{CSRFHeader: ""}, http.StatusForbidden},
		{"wrong token", map[string]string{CSRFHeader: strings.Repeat("A", 43)}, http.StatusForbidden},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"good", nil, http.StatusForbidden}, // passes CSRF, then: not on that call
	}
	for _, c := range cases {
		res, body := b.do("POST", "/api/agent/hand_back", map[string]string{"call_id": "c1"}, c.hdr)
		var ae apiError
		_ = json.Unmarshal(body, &ae)
		if res.StatusCode != c.want {
			t.Errorf("%s: %d %s", c.name, res.StatusCode, body)
		}
		if wantCode := map[bool]string{true: "csrf", false: "not_on_call"}[c.hdr != nil]; ae.Error != wantCode {
			t.Errorf("%s: error %q, want %q", c.name, ae.Error, wantCode)
		}
	}
}

// TestRolesEnforced: every API route and socket refuses the wrong role
// with 403 and a JSON error, and anyone without a session with 401.
func TestRolesEnforced(t *testing.T) {
	e := newEnv(t, nil)
	users := map[string]*browser{RoleAgent: e.login("amy"), RoleSupervisor: e.login("sue"), RoleCompliance: e.login("carl")}
	routes := []struct {
		method, path string
		allowed      []string
	}{
		{"POST", "/api/agent/accept", []string{RoleAgent, RoleSupervisor}},
		{"POST", "/api/agent/hand_back", []string{RoleAgent, RoleSupervisor}},
		{"POST", "/api/agent/end", []string{RoleAgent, RoleSupervisor}},
		{"GET", "/api/supervisor/board", []string{RoleSupervisor}},
		{"GET", "/api/supervisor/kpi", []string{RoleSupervisor}},
		{"POST", "/api/supervisor/join", []string{RoleSupervisor}},
		{"GET", "/api/compliance/reviews", []string{RoleCompliance}},
		{"POST", "/api/compliance/decision", []string{RoleCompliance}},
		{"GET", "/api/compliance/audit", []string{RoleCompliance}},
		{"GET", "/api/compliance/audit.csv", []string{RoleCompliance}},
		{"GET", "/desk", []string{RoleAgent, RoleSupervisor}},
		{"GET", "/supervisor", []string{RoleSupervisor}},
		{"GET", "/compliance", []string{RoleCompliance}},
	}
	anon := &browser{t: t, e: e, c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for _, r := range routes {
		for role, b := range users {
			var body any
			if r.method == "POST" {
				body = map[string]string{}
			}
			res, out := b.do(r.method, r.path, body, nil)
			allowed := hasRole(role, r.allowed)
			if !allowed && (res.StatusCode != http.StatusForbidden || !strings.Contains(string(out), `"error":"forbidden"`)) {
				t.Errorf("%s %s as %s: %d %s, want 403 JSON", r.method, r.path, role, res.StatusCode, out)
			}
			if allowed && (res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusUnauthorized) {
				t.Errorf("%s %s as %s: %d %s, want access", r.method, r.path, role, res.StatusCode, out)
			}
		}
		res, _ := anon.do(r.method, r.path, nil, nil)
		want := http.StatusUnauthorized
		if strings.HasPrefix(r.path, "/desk") || r.path == "/supervisor" || r.path == "/compliance" {
			want = http.StatusSeeOther
		}
		if res.StatusCode != want {
			t.Errorf("%s %s signed out: %d, want %d", r.method, r.path, res.StatusCode, want)
		}
	}
	sockets := map[string][]string{viewAgent: {RoleAgent, RoleSupervisor}, viewSupervisor: {RoleSupervisor}, viewCompliance: {RoleCompliance}}
	for view, allowed := range sockets {
		for role, b := range users {
			conn, res, err := b.socket(view)
			if hasRole(role, allowed) {
				if err != nil {
					t.Errorf("socket %s as %s: %v", view, role, err)
					continue
				}
				m := readUntil(t, conn, "snapshot", 5*time.Second, nil)
				if m["view"] != view {
					t.Errorf("snapshot view %v", m["view"])
				}
				conn.Close()
			} else if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
				t.Errorf("socket %s as %s: want 403 at the upgrade, got %v %v", view, role, err, res)
				if conn != nil {
					conn.Close()
				}
			}
		}
	}
}

func TestSocketNeedsCSRFAndOrigin(t *testing.T) {
	e := newEnv(t, nil)
	b := e.login("sue")
	good := b.csrf
	b.csrf = "forged"
	conn, _, err := b.socket(viewSupervisor)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := conn.ReadMessage(); err == nil || !strings.Contains(err.Error(), "1008") {
		t.Errorf("socket with a forged token: %v, want close 1008", err)
	}
	conn.Close()
	b.csrf = good
	u := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/ws/desk/supervisor"
	hdr := http.Header{"Origin": {"https://evil.example"}}
	for _, c := range b.c.Jar.Cookies(mustURL(e.srv.URL)) {
		hdr.Add("Cookie", c.Name+"="+c.Value)
	}
	if c, res, err := websocketDial(u, hdr); err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("foreign origin: %v %v", err, res)
		if c != nil {
			c.Close()
		}
	}
}

func TestRemovedUserLosesSession(t *testing.T) {
	e := newEnv(t, nil)
	b := e.login("ben")
	if res, _ := b.do("GET", "/api/me", nil, nil); res.StatusCode != 200 {
		t.Fatalf("me: %d", res.StatusCode)
	}
	other, err := OpenUsers(e.desk.cfg.DataDir) // `yuecall user remove` in another process
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Remove("ben"); err != nil {
		t.Fatal(err)
	}
	if res, _ := b.do("GET", "/api/me", nil, nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("removed user: %d, want 401", res.StatusCode)
	}
}
