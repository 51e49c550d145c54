package rtp

import (
	"time"

	"github.com/yuecall/yuecall/media/internal/rtpio"
)

// Pacer sends the 20 ms frames of many legs from one goroutine per shard
// (see rtpio.Pacer): the SIP Sessions of this package and the browser calls
// of media/webrtc share DefaultPacer.
type Pacer = rtpio.Pacer

// PacerStats is a snapshot of a Pacer.
type PacerStats = rtpio.PacerStats

// NewPacer returns a Pacer with the given number of shards; shards <= 0
// means GOMAXPROCS. It starts no goroutine until a Session uses it.
func NewPacer(shards int) *Pacer { return rtpio.NewPacer(shards) }

// DefaultPacer returns the process-wide Pacer that Sessions use when
// Config.Pacer is nil (the browser leg uses it too).
func DefaultPacer() *Pacer { return rtpio.DefaultPacer() }

// LatenessBounds returns the upper bounds of the PacerStats.Lateness buckets.
func LatenessBounds() []time.Duration { return rtpio.LatenessBounds() }
