package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/yuecall/yuecall/media/sip"
	"github.com/yuecall/yuecall/media/webrtc"
)

// Config is the whole YAML tree of `yuecall serve`.
type Config struct {
	DataDir         string        `yaml:"data_dir"`
	LogLevel        string        `yaml:"log_level"`
	LogFormat       string        `yaml:"log_format"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// GCPercent is the Go garbage collector's target (GOGC) for serve: a
	// call holds ~110 KB of live heap, and the default 100 lets the heap
	// double before collecting. 40 keeps memory per call near 200 KB for
	// ~10% more CPU. The GOGC environment variable, when set, wins.
	GCPercent int           `yaml:"gc_percent"`
	NATS      NATSConfig    `yaml:"nats"`
	SIP       sip.Config    `yaml:"sip"`
	HTTP      HTTPConfig    `yaml:"http"`
	ASR       ASRConfig     `yaml:"asr"`
	TTS       TTSConfig     `yaml:"tts"`
	WebRTC    webrtc.Config `yaml:"webrtc"`
	IVRMenu   string        `yaml:"ivr_menu"`
	Dialog    DialogConfig  `yaml:"dialog"`
	Desk      DeskConfig    `yaml:"desk"`
}

// NATSConfig selects the embedded server or an external one.
type NATSConfig struct {
	Listen        string `yaml:"listen"`
	URL           string `yaml:"url"`
	JetStream     bool   `yaml:"jetstream"`
	SubjectPrefix string `yaml:"subject_prefix"`
}

// HTTPConfig is the health, metrics and web listener.
type HTTPConfig struct {
	Addr string `yaml:"addr"`
	// Pprof mounts Go's profiler at /debug/pprof/ (for measuring; keep the
	// listener on loopback or behind auth when it is on).
	Pprof bool `yaml:"pprof"`
}

// DefaultConfig runs on a fresh machine: everything on loopback.
func DefaultConfig() Config {
	return Config{
		DataDir: defaultDataDir(), LogLevel: "info", LogFormat: "text", ShutdownTimeout: 30 * time.Second, GCPercent: 40,
		NATS: NATSConfig{Listen: "127.0.0.1:4222", JetStream: true, SubjectPrefix: "yuecall"},
		SIP:  sip.DefaultConfig(), HTTP: HTTPConfig{Addr: "127.0.0.1:8080"},
		ASR: defaultASRConfig(), TTS: defaultTTSConfig(), WebRTC: webrtc.DefaultConfig(),
		Dialog: defaultDialogConfig(),
	}
}

func defaultDataDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "yuecall")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "yuecall")
	}
	return filepath.Join(os.TempDir(), "yuecall")
}

// Validate reports every bad setting at once.
func (c Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("data_dir is empty"))
	}
	if c.ShutdownTimeout < 0 {
		errs = append(errs, errors.New("shutdown_timeout is negative"))
	}
	if c.GCPercent < 10 || c.GCPercent > 1000 {
		errs = append(errs, fmt.Errorf("gc_percent %d: want 10..1000", c.GCPercent))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log_level %q: want debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log_format %q: want text or json", c.LogFormat))
	}
	if c.NATS.URL == "" && c.NATS.Listen == "" {
		errs = append(errs, errors.New("nats: set listen (embedded) or url (external)"))
	}
	if err := c.SIP.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.ASR.validate(nil); err != nil {
		errs = append(errs, err)
	}
	if err := c.TTS.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.WebRTC.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Dialog.validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// LoadConfig reads an optional YAML file (unknown keys fail) and applies the
// YUECALL_* environment on top.
func LoadConfig(path string, env func(string) string) (Config, error) {
	c := DefaultConfig()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("config: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil {
			return c, fmt.Errorf("config %s: %w", path, err)
		}
	}
	for _, v := range envVars {
		val := env(v.Name)
		if val == "" {
			continue
		}
		if err := v.set(&c, val); err != nil {
			return c, fmt.Errorf("config: %s=%q: %w", v.Name, val, err)
		}
	}
	return c, c.Validate()
}

// envVar maps one environment variable to a YAML key.
type envVar struct {
	Name, Key, Default, Doc string
	set                     func(*Config, string) error
}

func str(f func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *f(c) = v; return nil }
}

func integer(f func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		*f(c) = n
		return err
	}
}

func boolean(f func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		*f(c) = b
		return err
	}
}

func duration(f func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		*f(c) = d
		return err
	}
}

func float(f func(*Config) *float64) func(*Config, string) error {
	return func(c *Config, v string) error {
		x, err := strconv.ParseFloat(v, 64)
		*f(c) = x
		return err
	}
}

func list(f func(*Config) *[]string) func(*Config, string) error {
	return func(c *Config, v string) error {
		*f(c) = strings.Split(strings.ReplaceAll(v, " ", ""), ",")
		return nil
	}
}
