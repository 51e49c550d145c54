package resilient

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		want string // substring of the error, "" for valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"no name", func(c *Config) { c.Name = "" }, "name is empty"},
		{"zero stall", func(c *Config) { c.StallTimeout = 0 }, "stall_timeout"},
		{"negative connect", func(c *Config) { c.ConnectTimeout = -time.Second }, "connect_timeout"},
		{"no reconnects", func(c *Config) { c.MaxReconnects = 0 }, "max_reconnects 0"},
		{"backoff over max", func(c *Config) { c.Backoff = 5 * time.Second }, "max_backoff"},
		{"lag over buffer", func(c *Config) { c.FinalLag = time.Minute }, "final_lag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.mod(&c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want ErrConfig mentioning %q", err, tt.want)
			}
		})
	}
}

func TestNewFixesConfig(t *testing.T) {
	r := New(nil, Config{Name: "x", Backoff: time.Hour}, nil, nil).(*Recognizer)
	if c := r.Config(); c.Name != "x" || c.Backoff != DefaultBackoff || c.StallTimeout != DefaultStallTimeout {
		t.Errorf("config %+v, want defaults named x", c)
	}
}

func TestBackoff(t *testing.T) {
	c := DefaultConfig() // 200 ms doubling to 2 s
	for _, tt := range []struct {
		attempt int
		lo, hi  time.Duration
	}{
		{1, 0, 0},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, 200 * time.Millisecond, 400 * time.Millisecond},
		{5, 800 * time.Millisecond, 1600 * time.Millisecond},
		{6, time.Second, 2 * time.Second},
		{60, time.Second, 2 * time.Second},
	} {
		for range 20 {
			if d := c.backoff(tt.attempt); d < tt.lo || d > tt.hi {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", tt.attempt, d, tt.lo, tt.hi)
			}
		}
	}
}
