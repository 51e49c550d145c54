package dialog

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func testTool(t *testing.T, name, method, url, schema string, timeout time.Duration, transaction bool) PackTool {
	t.Helper()
	s, err := parseSchema([]byte(schema))
	if err != nil {
		t.Fatal(err)
	}
	return PackTool{Tool: Tool{Name: name, Method: method, URL: url, Timeout: timeout, Parameters: json.RawMessage(schema)},
		Transaction: transaction, schema: s}
}

func TestToolRunner(t *testing.T) {
	release := make(chan struct{})
	var gotQuery, gotBody, gotType string
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotQuery, gotBody, gotType = r.URL.RawQuery, string(b), r.Header.Get("Content-Type")
		_, _ = w.Write([]byte(`{"balance":"100"}`))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"x":"` + strings.Repeat("a", MaxToolResponse) + `"}`))
	})
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>")) })
	mux.HandleFunc("/404", http.NotFound)
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", 500) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(release)
	const schema = `{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"n":{"type":"integer"},"ccy":{"type":"string","enum":["USD","HKD"]}}}`
	tools := []PackTool{
		testTool(t, "post", "POST", "${API}/ok", schema, time.Second, false),
		testTool(t, "get", "GET", "${API}/ok", schema, time.Second, false),
		testTool(t, "slow", "POST", "${API}/slow", schema, 50*time.Millisecond, false),
		testTool(t, "big", "POST", "${API}/big", schema, time.Second, false),
		testTool(t, "html", "POST", "${API}/html", schema, time.Second, false),
		testTool(t, "missing", "POST", "${API}/404", schema, time.Second, false),
		testTool(t, "broken", "POST", "${API}/500", schema, time.Second, false),
		testTool(t, "nohost", "POST", "${UNSET}/ok", schema, time.Second, false),
		testTool(t, "pay", "POST", "${API}/ok", schema, time.Second, true),
	}
	r := NewToolRunner(tools, ToolRunnerOptions{Getenv: func(k string) string {
		if k == "API" {
			return srv.URL
		}
		return ""
	}})
	ctx := context.Background()
	tests := []struct {
		tool, args string
		gen        bool
		want       error
	}{
		{"post", `{"id":"a","n":3,"ccy":"USD"}`, false, nil},
		{"get", `{"id":"a b","n":3}`, true, nil},
		{"post", `{"n":3}`, false, ErrToolArgs},
		{"post", `{"id":1}`, false, ErrToolArgs},
		{"post", `{"id":"a","n":1.5}`, false, ErrToolArgs},
		{"post", `{"id":"a","ccy":"JPY"}`, false, ErrToolArgs},
		{"post", `[1]`, false, ErrToolArgs},
		{"post", `{"id":"a"} {}`, false, ErrToolArgs},
		{"nope", `{}`, false, ErrToolUnknown},
		{"slow", `{"id":"a"}`, false, ErrToolTimeout},
		{"big", `{"id":"a"}`, false, ErrToolResponse},
		{"html", `{"id":"a"}`, false, ErrToolResponse},
		{"missing", `{"id":"a"}`, false, ErrToolRejected},
		{"broken", `{"id":"a"}`, false, ErrToolUnavailable},
		{"nohost", `{"id":"a"}`, false, ErrToolUnavailable},
		{"pay", `{"id":"a"}`, true, ErrToolTransaction},
		{"pay", `{"id":"a"}`, false, nil}, // the dialog itself may (it never does from policy.yaml)
	}
	for _, tc := range tests {
		run := r.Run
		if tc.gen {
			run = r.RunForGenerator
		}
		res, err := run(ctx, tc.tool, json.RawMessage(tc.args))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s %s: err %v, want %v", tc.tool, tc.args, err, tc.want)
			continue
		}
		if err == nil && string(res) != `{"balance":"100"}` {
			t.Errorf("%s: result %s", tc.tool, res)
		}
		if tc.tool == "get" && (gotQuery != "id=a+b&n=3" || gotBody != "" || gotType != "") {
			t.Errorf("GET sent query %q body %q type %q", gotQuery, gotBody, gotType)
		}
	}
	if _, err := r.Run(ctx, "post", json.RawMessage(`{"id":"x"}`)); err != nil || gotBody != `{"id":"x"}` || gotType != "application/json" {
		t.Errorf("POST sent body %q type %q (%v)", gotBody, gotType, err)
	}
	for _, o := range r.Offered() {
		if o.Name == "pay" {
			t.Error("transaction tool offered to a generator")
		}
	}
}

func TestToolErrorsHideURL(t *testing.T) {
	tool := testTool(t, "t", "GET", "http://127.0.0.1:1/x?key=SECRET", `{"type":"object"}`, time.Second, false)
	_, err := NewToolRunner([]PackTool{tool}, ToolRunnerOptions{}).Run(context.Background(), "t", nil)
	if !errors.Is(err, ErrToolUnavailable) || strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("err %v: want unavailable without the URL", err)
	}
}

func FuzzCheckArgs(f *testing.F) {
	const schema = `{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"n":{"type":"integer"},"x":{"type":"number"},"b":{"type":"boolean"},"o":{"type":"object"},"a":{"type":"array"},"z":{"type":"null"},"e":{"enum":[1,"a"]}}}`
	s, err := parseSchema([]byte(schema))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{`{"id":"a"}`, `{"id":"a","n":1e3}`, `{"id":null}`, `[]`, ``, `{"id":"a","o":{},"a":[],"z":null,"e":"a"}`, `{"id":"\ud800"}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, args []byte) {
		obj, err := checkArgs(s, args)
		if err == nil {
			if _, ok := obj["id"].(string); !ok {
				t.Fatalf("accepted %q without a string id", args)
			}
		}
	})
}
