package desk

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"github.com/yuecall/yuecall/events"
)

func TestPagesCarryTestIDs(t *testing.T) {
	// ids in the HTML, or set by the page's script on the items it builds
	want := map[string][]string{
		"login.html":      {"login-user", "login-password", "login-submit"},
		"agent.html":      {"hand-back"},
		"agent.js":        {"handoff-item", "accept", "suggestion"},
		"common.js":       {"transcript-line"},
		"supervisor.html": {"kpi-calls", "kpi-containment"},
		"supervisor.js":   {"anger-alert"},
		"compliance.js":   {"review-item", "approve", "reject"},
	}
	for file, ids := range want {
		b, err := fs.ReadFile(static, "static/desk/"+file)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if !strings.Contains(string(b), `data-testid="`+id+`"`) && !strings.Contains(string(b), `testid: "`+id+`"`) {
				t.Errorf("%s lacks data-testid %q", file, id)
			}
		}
	}
}

func TestPagesAndAssets(t *testing.T) {
	e := newEnv(t, nil)
	amy := e.login("amy")
	cases := []struct {
		path, ctype string
		want        int
	}{
		{"/login", "text/html", 200},
		{"/desk", "text/html", 200},
		{"/desk/assets/agent.js", "javascript", 200},
		{"/desk/assets/desk.css", "text/css", 200},
		{"/desk/assets/agent.html", "", 404},
		{"/desk/assets/", "", 404},
	}
	for _, c := range cases {
		res, _ := amy.do("GET", c.path, nil, nil)
		if res.StatusCode != c.want || !strings.Contains(res.Header.Get("Content-Type"), c.ctype) {
			t.Errorf("GET %s: %d %s", c.path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if c.want == 200 && !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("GET %s: CSP %q", c.path, res.Header.Get("Content-Security-Policy"))
		}
	}
}

func TestSupervisorJoin(t *testing.T) {
	e := newEnv(t, nil)
	resp := newResponder(t, e.nc, "c5")
	sue := e.login("sue")
	for _, mode := range []string{events.ControlBarge, events.ControlWhisper} {
		res, body := sue.do("POST", "/api/supervisor/join", callReq{CallID: "c5", Mode: mode}, nil)
		var rep events.ControlReply
		_ = json.Unmarshal(body, &rep)
		if res.StatusCode != 200 || rep.JoinPath != "/ws/agent?call=c5&mode="+mode {
			t.Errorf("%s: %d %s", mode, res.StatusCode, body)
		}
		if c := <-resp.received; c.Action != mode || c.User != "sue" || c.Role != RoleSupervisor {
			t.Errorf("control %+v", c)
		}
	}
	if res, _ := sue.do("POST", "/api/supervisor/join", callReq{CallID: "c5", Mode: "shout"}, nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad mode: %d", res.StatusCode)
	}
}
