package funasr

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Errors of this provider. Malformed frames and server error texts wrap
// asr.ErrProtocol.
var (
	// ErrConfig wraps every Config.Validate failure.
	ErrConfig = errors.New("funasr: invalid config")
	// ErrConnect means the websocket could not be opened (refused, timed
	// out, TLS verification failed, the handshake got an HTTP error, or the
	// config message could not be sent).
	ErrConnect = errors.New("funasr: connect failed")
	// ErrConnection means an open stream lost its connection: a read or
	// write failed, the server closed it before the final result, or no
	// final result came after the end of audio.
	ErrConnection = errors.New("funasr: connection lost")
)

// Recognition modes (the config message's "mode").
const (
	// Mode2Pass streams online deltas and replaces them with an offline
	// decode of each sentence the server's VAD closes.
	Mode2Pass = "2pass"
	// ModeOnline streams online deltas only; the stream's final is their sum.
	ModeOnline = "online"
	// ModeOffline returns one offline decode per VAD sentence, no partials.
	ModeOffline = "offline"
)

// svsLangs are the languages the SenseVoice offline pass accepts.
var svsLangs = []string{"auto", "zh", "en", "yue", "ja", "ko", "nospeech"}

// Config configures the FunASR runtime client.
//
// TLS: the server runs wss with a self-signed certificate unless started
// with --certfile 0. The certificate FunASR ships (runtime/ssl_key/server.crt:
// CN=alibaba, no subjectAltName, expired June 2024) cannot be verified by Go
// at all; either mount your own certificate (with a subjectAltName for the
// host you dial, or set TLSServerName) and point CAFile at its CA, or set
// InsecureSkipVerify on a network you trust.
type Config struct {
	// URL of the server: ws://host:port/ or wss://host:port/
	// (default wss://127.0.0.1:10095/).
	URL string `yaml:"url"`
	// Mode is 2pass (default), online or offline.
	Mode string `yaml:"mode"`
	// SampleRate is audio_fs: 8000 or 16000 (default 16000). The caller
	// resamples to it before writing.
	SampleRate int `yaml:"sample_rate"`
	// ChunkSize is the streaming model's [look-back, chunk, look-ahead] in
	// 60 ms units (default [5, 10, 5]: 600 ms chunks). The middle entry must
	// not be 0, or the server decodes nothing.
	ChunkSize [3]int `yaml:"chunk_size"`
	// ChunkInterval divides the chunk into frames: audio goes out in frames
	// of 60*ChunkSize[1]/ChunkInterval ms (default 10: 60 ms frames).
	ChunkInterval int `yaml:"chunk_interval"`
	// Hotwords bias recognition (e.g. 戶口結餘); each is sent with
	// HotwordWeight. Hotwords may not contain spaces.
	Hotwords []string `yaml:"hotwords"`
	// HotwordWeight is every hotword's weight, 1..100 (default 20).
	HotwordWeight int `yaml:"hotword_weight"`
	// ITN asks for inverse text normalisation (digits for numbers);
	// DefaultConfig turns it on, as the server does.
	ITN bool `yaml:"itn"`
	// SVSLang is the SenseVoice offline pass's language: auto, zh, en, yue,
	// ja, ko or nospeech; empty leaves it out (server default auto).
	SVSLang string `yaml:"svs_lang"`
	// SVSITN asks SenseVoice for punctuation and ITN; DefaultConfig turns it on.
	SVSITN bool `yaml:"svs_itn"`
	// CAFile is a PEM file of CA certificates to trust for wss, instead of
	// the system roots.
	CAFile string `yaml:"ca_file"`
	// InsecureSkipVerify accepts any server certificate (wss only).
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
	// TLSServerName is the name checked in the server certificate when it
	// differs from the URL's host (wss only).
	TLSServerName string `yaml:"tls_server_name"`
	// ConnectTimeout bounds the TCP connect, TLS and websocket handshake and
	// the config message (default 3 s).
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// WavName prefixes each stream's wav_name, which the server echoes and
	// logs: "<WavName>-<n>" (default "yuecall").
	WavName string `yaml:"wav_name"`
	// SendBuffer is how many written frames may wait for the socket before
	// new ones are dropped (default 250: 5 s of 20 ms frames).
	SendBuffer int `yaml:"send_buffer"`
}

// Defaults.
const (
	DefaultURL            = "wss://127.0.0.1:10095/"
	DefaultMode           = Mode2Pass
	DefaultSampleRate     = 16000
	DefaultChunkInterval  = 10
	DefaultHotwordWeight  = 20
	DefaultConnectTimeout = 3 * time.Second
	DefaultWavName        = "yuecall"
	DefaultSendBuffer     = 250
)

// DefaultConfig returns the defaults. ChunkSize is [5, 10, 5]: 600 ms
// chunks with 300 ms look-back and look-ahead.
func DefaultConfig() Config {
	return Config{
		URL:            DefaultURL,
		Mode:           DefaultMode,
		SampleRate:     DefaultSampleRate,
		ChunkSize:      [3]int{5, 10, 5},
		ChunkInterval:  DefaultChunkInterval,
		HotwordWeight:  DefaultHotwordWeight,
		ITN:            true,
		SVSITN:         true,
		ConnectTimeout: DefaultConnectTimeout,
		WavName:        DefaultWavName,
		SendBuffer:     DefaultSendBuffer,
	}
}

// withDefaults fills zero fields from DefaultConfig. Booleans cannot be
// told from unset: start from DefaultConfig to get ITN and SVSITN on.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	fill := func(v *string, def string) {
		if *v == "" {
			*v = def
		}
	}
	fill(&c.URL, d.URL)
	fill(&c.Mode, d.Mode)
	fill(&c.WavName, d.WavName)
	if c.SampleRate == 0 {
		c.SampleRate = d.SampleRate
	}
	if c.ChunkSize == [3]int{} {
		c.ChunkSize = d.ChunkSize
	}
	if c.ChunkInterval == 0 {
		c.ChunkInterval = d.ChunkInterval
	}
	if c.HotwordWeight == 0 {
		c.HotwordWeight = d.HotwordWeight
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = d.ConnectTimeout
	}
	if c.SendBuffer == 0 {
		c.SendBuffer = d.SendBuffer
	}
	return c
}

// Validate checks the configuration as given (zero values are errors here;
// New fills them from DefaultConfig first). It reads CAFile.
func (c Config) Validate() error {
	for _, check := range []func() error{
		c.validateURL, c.validateAudio, c.validateHotwords, c.validateMisc,
	} {
		if err := check(); err != nil {
			return err
		}
	}
	_, err := c.tlsConfig()
	return err
}

func (c Config) validateURL() error {
	if c.URL == "" {
		return fmt.Errorf("%w: url is empty (want wss://host:10095/)", ErrConfig)
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return fmt.Errorf("%w: url %q (want wss://host:port/): %w", ErrConfig, c.URL, err)
	}
	if u.Scheme != "ws" && u.Scheme != "wss" {
		return fmt.Errorf("%w: url %q: scheme %q, want ws or wss", ErrConfig, c.URL, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%w: url %q has no host", ErrConfig, c.URL)
	}
	if u.Scheme == "ws" && (c.CAFile != "" || c.InsecureSkipVerify || c.TLSServerName != "") {
		return fmt.Errorf("%w: ca_file, insecure_skip_verify and tls_server_name need a wss:// url, not %q", ErrConfig, c.URL)
	}
	return nil
}

func (c Config) validateAudio() error {
	switch c.Mode {
	case Mode2Pass, ModeOnline, ModeOffline:
	default:
		return fmt.Errorf("%w: mode %q, want 2pass, online or offline", ErrConfig, c.Mode)
	}
	if c.SampleRate != 8000 && c.SampleRate != 16000 {
		return fmt.Errorf("%w: sample_rate %d, want 8000 or 16000", ErrConfig, c.SampleRate)
	}
	cs := c.ChunkSize
	if cs[0] < 0 || cs[1] < 0 || cs[2] < 0 {
		return fmt.Errorf("%w: chunk_size %v has a negative entry", ErrConfig, cs)
	}
	if cs[1] == 0 {
		return fmt.Errorf("%w: chunk_size %v: the middle entry must not be 0 (the server decodes nothing)", ErrConfig, cs)
	}
	if c.ChunkInterval <= 0 {
		return fmt.Errorf("%w: chunk_interval %d must be positive", ErrConfig, c.ChunkInterval)
	}
	if d := c.frameDuration(); d < 10*time.Millisecond || d > time.Second {
		return fmt.Errorf("%w: chunk_size[1] %d / chunk_interval %d gives %v audio frames, want 10ms..1s",
			ErrConfig, cs[1], c.ChunkInterval, d)
	}
	return nil
}

func (c Config) validateHotwords() error {
	if c.HotwordWeight < 1 || c.HotwordWeight > 100 {
		return fmt.Errorf("%w: hotword_weight %d outside 1..100", ErrConfig, c.HotwordWeight)
	}
	for i, h := range c.Hotwords {
		if h == "" {
			return fmt.Errorf("%w: hotwords[%d] is empty", ErrConfig, i)
		}
		if strings.IndexFunc(h, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			return fmt.Errorf("%w: hotwords[%d] %q contains a space or control character (FunASR splits hotwords on spaces)", ErrConfig, i, h)
		}
		if slices.Index(c.Hotwords, h) < i {
			return fmt.Errorf("%w: hotwords[%d] %q repeats an earlier hotword", ErrConfig, i, h)
		}
	}
	return nil
}

func (c Config) validateMisc() error {
	if c.SVSLang != "" && !slices.Contains(svsLangs, c.SVSLang) {
		return fmt.Errorf("%w: svs_lang %q, want one of %s", ErrConfig, c.SVSLang, strings.Join(svsLangs, ", "))
	}
	if c.ConnectTimeout <= 0 {
		return fmt.Errorf("%w: connect_timeout %v must be positive", ErrConfig, c.ConnectTimeout)
	}
	if c.WavName == "" || len(c.WavName) > 64 || strings.IndexFunc(c.WavName, unicode.IsControl) >= 0 {
		return fmt.Errorf("%w: wav_name %q must be 1..64 bytes without control characters", ErrConfig, c.WavName)
	}
	if c.SendBuffer < 1 {
		return fmt.Errorf("%w: send_buffer %d must be at least 1", ErrConfig, c.SendBuffer)
	}
	if c.CAFile != "" && c.InsecureSkipVerify {
		return fmt.Errorf("%w: set ca_file or insecure_skip_verify, not both", ErrConfig)
	}
	return nil
}

// tlsConfig builds the dialer's TLS settings: nil for ws://, and for
// wss:// the CA pool from CAFile (if set) or the system roots.
func (c Config) tlsConfig() (*tls.Config, error) {
	if !strings.HasPrefix(c.URL, "wss:") {
		return nil, nil
	}
	tc := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         c.TLSServerName,
		InsecureSkipVerify: c.InsecureSkipVerify, //nolint:gosec // opt-in, documented for FunASR's self-signed default
	}
	if c.CAFile == "" {
		return tc, nil
	}
	pem, err := os.ReadFile(c.CAFile)
	if err != nil {
		return nil, fmt.Errorf("%w: ca_file: %w", ErrConfig, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%w: ca_file %s holds no PEM certificate", ErrConfig, c.CAFile)
	}
	tc.RootCAs = pool
	return tc, nil
}

// frameDuration is how much audio one binary frame carries, as the
// reference client sends it: 60*chunk_size[1]/chunk_interval ms.
func (c Config) frameDuration() time.Duration {
	return time.Duration(60*c.ChunkSize[1]) * time.Millisecond / time.Duration(max(c.ChunkInterval, 1))
}

// frameBytes is the size of one coalesced PCM16 frame.
func (c Config) frameBytes() int {
	return 2 * int(int64(c.SampleRate)*int64(c.frameDuration())/int64(time.Second))
}

// hotwordsJSON serialises the hotwords as the JSON object the server
// expects inside the "hotwords" string: {"戶口結餘":20,...}; "" if none.
func (c Config) hotwordsJSON() string {
	if len(c.Hotwords) == 0 {
		return ""
	}
	m := make(map[string]int, len(c.Hotwords))
	for _, h := range c.Hotwords {
		m[h] = c.HotwordWeight
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(m) // a map of strings to ints always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
