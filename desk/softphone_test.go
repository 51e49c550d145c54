package desk

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSoftphoneServesEmbeddedPage(t *testing.T) {
	srv := httptest.NewServer(Softphone())
	defer srv.Close()
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, id := range []string{"call", "hangup", "status", "rx-packets", "keypad-1", "keypad-0", "keypad-star", "keypad-hash", "mute"} {
		if !strings.Contains(string(body), `data-testid="`+id+`"`) {
			t.Errorf("page lacks data-testid=%q", id)
		}
	}
	if res.Header.Get("Content-Security-Policy") == "" {
		t.Error("no Content-Security-Policy")
	}
	for _, path := range []string{"/app.js", "/style.css"} {
		res, err := http.Get(srv.URL + path)
		if err != nil || res.StatusCode != 200 {
			t.Errorf("GET %s: %v %v", path, err, res)
		}
		res.Body.Close()
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", nil)
	res, err = http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %v %v", err, res)
	}
	res.Body.Close()
}
