package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrServerNotReady means the embedded NATS server did not start in time.
var ErrServerNotReady = errors.New("events: embedded NATS server not ready")

// ServerConfig configures the embedded NATS server.
type ServerConfig struct {
	Listen    string // host:port, e.g. 127.0.0.1:4222; port 0 picks a free one
	StoreDir  string // JetStream file store
	JetStream bool
}

// StartServer starts an embedded NATS server and waits until it accepts clients.
func StartServer(cfg ServerConfig, log *slog.Logger) (*server.Server, error) {
	host, portStr, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("events: nats listen address %q: %w", cfg.Listen, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("events: nats listen port %q is not a port number", portStr)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	opts := &server.Options{ServerName: "yuecall-embedded", Host: host, Port: port,
		JetStream: cfg.JetStream, StoreDir: cfg.StoreDir, NoSigs: true, NoLog: true}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("events: embedded nats: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, ErrServerNotReady
	}
	if log != nil {
		log.Info("embedded NATS ready", "url", s.ClientURL(), "jetstream", cfg.JetStream)
	}
	return s, nil
}

// StreamConfig describes the JetStream stream that keeps events durable.
type StreamConfig struct {
	Name   string        // default YUECALL
	MaxAge time.Duration // default 7 days
}

// EnsureStream creates or updates the durable stream over every yuecall subject.
func EnsureStream(ctx context.Context, nc *nats.Conn, subj Subjects, cfg StreamConfig) error {
	if cfg.Name == "" {
		cfg.Name = "YUECALL"
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 7 * 24 * time.Hour
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("events: jetstream: %w", err)
	}
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: cfg.Name, Subjects: subj.Durable(), Storage: jetstream.FileStorage,
		SubjectTransform: &jetstream.SubjectTransformConfig{Source: subj.p() + ".call.*.*",
			Destination: subj.p() + ".calls.{{wildcard(2)}}"},
		MaxAge: cfg.MaxAge, Discard: jetstream.DiscardOld,
	})
	if err != nil {
		return fmt.Errorf("events: stream %s: %w", cfg.Name, err)
	}
	return nil
}
