package redact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

var time0 = time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)

type account struct {
	Name  string
	Phone string
}

// secret is a LogValuer that reveals a card number when resolved.
type secret struct{}

func (secret) LogValue() slog.Value { return slog.StringValue("4111 1111 1111 1111") }

type stringer struct{}

func (stringer) String() string { return "call 91234567" }

func newTestLogger(level slog.Level) (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	h := NewHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level, ReplaceAttr: dropTime}))
	return slog.New(h), &buf
}

func TestHandlerMasks(t *testing.T) {
	log, buf := newTestLogger(slog.LevelDebug)
	log = log.With("caller", "電話9123 4567").WithGroup("call").With(slog.String("from", "+852 2123 4567"))
	log.Info("身份證A123456(3)講咗",
		slog.String("text", "張卡4111 1111 1111 1111"),
		slog.Group("slots", slog.String("hkid", "A1234563"), slog.String("email", "chan@example.com"),
			slog.Group("inner", slog.String("account", "012-345678-001"))),
		slog.Int("phone", 91234567),
		slog.Int("amount", 3500),
		slog.Float64("big", 91234567),
		slog.Any("err", errors.New("lookup 98765432 failed")),
		slog.Any("acct", account{Name: "陳大文", Phone: "61234567"}),
		slog.Any("card", secret{}),
		slog.Any("str", stringer{}),
		slog.Any("bytes", []byte("a@b.com")),
		slog.Bool("ok", true),
	)
	line := buf.String()
	var got map[string]any
	if err := json.Unmarshal([]byte(line), &got); err != nil {
		t.Fatalf("not one JSON record: %v\n%s", err, line)
	}
	if n := longestDigitRun(line); n >= minRun {
		t.Fatalf("record keeps %d digits in a row: %s", n, line)
	}
	call := got["call"].(map[string]any)
	slots := call["slots"].(map[string]any)
	checks := []struct{ name, got, want string }{
		{"msg", str(got["msg"]), "身份證A******(*)講咗"},
		{"With before group", str(got["caller"]), "電話**** **67"},
		{"With in group", str(call["from"]), "+852 **** **67"},
		{"text", str(call["text"]), "張卡**** **** **** 1111"},
		{"group", str(slots["hkid"]), "A*******"},
		{"group email", str(slots["email"]), "***@example.com"},
		{"nested group", str(slots["inner"].(map[string]any)["account"]), "***-******-001"},
		{"int", str(call["phone"]), "******67"},
		{"float", str(call["big"]), "******67"},
		{"error", str(call["err"]), "lookup ******32 failed"},
		{"struct", str(call["acct"]), "{Name:陳大文 Phone:******67}"},
		{"LogValuer", str(call["card"]), "**** **** **** 1111"},
		{"Stringer", str(call["str"]), "call ******67"},
		{"bytes", str(call["bytes"]), "***@b.com"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if call["amount"] != float64(3500) || call["ok"] != true {
		t.Errorf("short number or bool changed: amount=%v ok=%v", call["amount"], call["ok"])
	}
}

// dropTime removes the record time, whose nanoseconds are a long digit run.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func TestHandlerEnabled(t *testing.T) {
	log, buf := newTestLogger(slog.LevelWarn)
	if log.Enabled(context.Background(), slog.LevelInfo) {
		t.Fatal("Info enabled under a Warn handler")
	}
	log.Info("電話91234567")
	if buf.Len() != 0 {
		t.Fatalf("disabled record written: %s", buf.String())
	}
	log.Warn("電話91234567")
	if !strings.Contains(buf.String(), `"msg":"電話******67"`) {
		t.Fatalf("warning not masked or not written: %s", buf.String())
	}
}

// TestHandlerKeepsRecord checks that Handle does not change the caller's record.
func TestHandlerKeepsRecord(t *testing.T) {
	var buf bytes.Buffer
	h := NewHandler(slog.NewJSONHandler(&buf, nil))
	r := slog.NewRecord(time0, slog.LevelInfo, "電話91234567", 0)
	r.AddAttrs(slog.String("phone", "91234567"))
	if err := h.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if r.Message != "電話91234567" {
		t.Fatalf("record message changed to %q", r.Message)
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Value.String() != "91234567" {
			t.Errorf("record attribute changed to %q", a.Value.String())
		}
		return true
	})
	if strings.Contains(buf.String(), "91234567") {
		t.Fatalf("unmasked output: %s", buf.String())
	}
}
