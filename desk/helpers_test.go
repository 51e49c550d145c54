package desk

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go"

	"github.com/yuecall/yuecall/events"
)

// testKDF keeps argon2id cheap in tests (the real parameters are tested once).
var testKDF = KDFParams{Time: 1, MemKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestMain(m *testing.M) {
	DefaultKDF = testKDF
	os.Exit(m.Run())
}

const testPassword = "correct horse battery"

// env is a desk on an embedded NATS server with JetStream, served by httptest.
type env struct {
	t    *testing.T
	nc   *nats.Conn
	desk *Desk
	srv  *httptest.Server
	pub  *events.Publisher
}

func newEnv(t *testing.T, mod func(*Config)) *env { return newEnvMux(t, mod, nil) }

// newEnvMux is newEnv with extra routes on the server's mux.
func newEnvMux(t *testing.T, mod func(*Config), extra func(*Desk, *http.ServeMux)) *env {
	t.Helper()
	ns, err := events.StartServer(events.ServerConfig{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), JetStream: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := events.EnsureStream(ctx, nc, events.Subjects{}, events.StreamConfig{}); err != nil {
		t.Fatal(err)
	}
	cfg := Config{DataDir: t.TempDir(), NATS: nc, RequestTimeout: 2 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	d.Register(mux)
	if extra != nil {
		extra(d, mux)
	}
	srv := httptest.NewServer(mux)
	pub := events.NewPublisher(nc, events.PublisherOptions{})
	t.Cleanup(func() {
		_ = pub.Close(context.Background())
		srv.CloseClientConnections()
		d.Close()
		srv.Close()
	})
	for _, u := range [][2]string{{"amy", RoleAgent}, {"ben", RoleAgent}, {"sue", RoleSupervisor}, {"carl", RoleCompliance}} {
		if err := d.Users().Add(u[0], u[1], testPassword); err != nil {
			t.Fatal(err)
		}
	}
	return &env{t: t, nc: nc, desk: d, srv: srv, pub: pub}
}

// emit publishes an event and flushes it to the server.
func (e *env) emit(callID string, p events.Payload) {
	e.t.Helper()
	env, err := events.NewEnvelope(callID, p, time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := json.Marshal(env)
	if err := e.nc.Publish(events.Subjects{}.SubjectFor(callID, p), b); err != nil {
		e.t.Fatal(err)
	}
}

// browser is a signed-in HTTP client.
type browser struct {
	t    *testing.T
	e    *env
	c    *http.Client
	csrf string
}

func (e *env) login(name string) *browser {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: e.t, e: e, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	res, body := b.do("POST", "/api/login", map[string]string{"name": name, "password": testPassword}, nil)
	if res.StatusCode != 200 {
		e.t.Fatalf("login %s: %d %s", name, res.StatusCode, body)
	}
	var me meResp
	_ = json.Unmarshal(body, &me)
	b.csrf = me.CSRF
	return b
}

// do sends a request (JSON body when body != nil) with the CSRF header.
func (b *browser) do(method, path string, body any, hdr map[string]string) (*http.Response, []byte) {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, b.e.srv.URL+path, rd)
	if b.csrf != "" {
		req.Header.Set(CSRFHeader, b.csrf)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res, out
}

// socket opens a bridge socket of a view and authenticates it.
func (b *browser) socket(view string) (*websocket.Conn, *http.Response, error) {
	u := "ws" + strings.TrimPrefix(b.e.srv.URL, "http") + "/ws/desk/" + view
	hdr := http.Header{"Origin": {b.e.srv.URL}}
	for _, c := range b.c.Jar.Cookies(mustURL(b.e.srv.URL)) {
		hdr.Add("Cookie", c.Name+"="+c.Value)
	}
	conn, res, err := websocket.DefaultDialer.Dial(u, hdr)
	if err != nil {
		return nil, res, err
	}
	if err := conn.WriteJSON(inbound{Type: "auth", CSRF: b.csrf}); err != nil {
		conn.Close()
		return nil, res, err
	}
	return conn, res, nil
}

// readUntil reads socket messages until one of type typ passes ok.
func readUntil(t *testing.T, c *websocket.Conn, typ string, within time.Duration, ok func(map[string]any) bool) map[string]any {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(within))
	defer c.SetReadDeadline(time.Time{})
	for {
		var m map[string]any
		if err := c.ReadJSON(&m); err != nil {
			t.Fatalf("waiting for %q: %v", typ, err)
		}
		if m["type"] == typ && (ok == nil || ok(m)) {
			return m
		}
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func websocketDial(u string, hdr http.Header) (*websocket.Conn, *http.Response, error) {
	return websocket.DefaultDialer.Dial(u, hdr)
}
