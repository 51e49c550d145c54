package funasr

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/yuecall/yuecall/asr"
	"github.com/yuecall/yuecall/internal/wsdial"
)

// Recognizer opens streams to one FunASR runtime server.
type Recognizer struct {
	cfg    Config
	log    *slog.Logger
	dialer websocket.Dialer
	pool   *sync.Pool    // *[]byte PCM16 frames, shared by its streams
	seq    atomic.Uint64 // numbers the streams' wav_name

	finalTimeout time.Duration // wait for is_final after the end message; tests shorten it
	beforeWrite  func()        // test hook, copied to each stream
}

var _ asr.Recognizer = (*Recognizer)(nil)

// New checks cfg (zero fields take the defaults) and returns a Recognizer.
// A nil log discards.
func New(cfg Config, log *slog.Logger) (*Recognizer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tc, err := cfg.tlsConfig()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Recognizer{
		cfg: cfg,
		log: log.With("asr", "funasr", "url", cfg.URL, "mode", cfg.Mode),
		dialer: websocket.Dialer{
			NetDialContext:   (&net.Dialer{}).DialContext,
			HandshakeTimeout: cfg.ConnectTimeout,
			TLSClientConfig:  tc,
			WriteBufferSize:  cfg.frameBytes() + 64,
		},
		pool:         &sync.Pool{},
		finalTimeout: finalTimeout,
	}
	return r, nil
}

// Config returns the effective configuration.
func (r *Recognizer) Config() Config { return r.cfg }

// NewStream connects and returns a stream; see Open.
func (r *Recognizer) NewStream(ctx context.Context) (asr.Stream, error) {
	s, err := r.Open(ctx)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Open connects and sends the config message, both within
// Config.ConnectTimeout, then starts a stream that lives until it ends,
// Close is called, or ctx is cancelled. No audio can precede the config
// message: the stream's writer starts only after it went out.
func (r *Recognizer) Open(ctx context.Context) (*Stream, error) {
	dctx, cancel := context.WithTimeout(ctx, r.cfg.ConnectTimeout)
	defer cancel()
	conn, resp, err := wsdial.Dial(dctx, r.dialer, r.cfg.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrConnect, r.cfg.URL, r.explain(ctx, resp, err))
	}
	wavName := r.cfg.WavName + "-" + strconv.FormatUint(r.seq.Add(1), 10)
	deadline, _ := dctx.Deadline()
	conn.SetWriteDeadline(deadline)
	if err := conn.WriteMessage(websocket.TextMessage, r.cfg.configJSON(wavName)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w: %s: send config: %w", ErrConnect, r.cfg.URL, err)
	}
	conn.SetReadLimit(maxResultBytes)
	r.log.Debug("funasr: stream open", "wav_name", wavName)
	return startStream(ctx, r, conn, wavName), nil
}

// explain adds what the dial error alone does not say.
func (r *Recognizer) explain(ctx context.Context, resp *http.Response, err error) error {
	if resp != nil {
		err = fmt.Errorf("%w (HTTP %s)", err, resp.Status)
	}
	if (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded)) && ctx.Err() == nil {
		err = fmt.Errorf("%w after %v", err, r.cfg.ConnectTimeout)
	}
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		err = fmt.Errorf("%w (%s)", err, tlsHint(cve.Err))
	}
	return err
}

// tlsHint says what to change when the server certificate fails verification.
func tlsHint(err error) string {
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &host):
		return "set tls_server_name to a name the certificate holds, or dial that name"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return "the certificate expired; FunASR's bundled runtime/ssl_key one did in 2024: mount your own, or set insecure_skip_verify"
	}
	return "FunASR uses a self-signed certificate: set ca_file to its CA, or insecure_skip_verify"
}
