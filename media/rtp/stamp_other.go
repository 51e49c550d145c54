//go:build !linux

package rtp

import (
	"net"
	"time"
)

const stampOOB = 64

func enableStamps(*net.UDPConn) bool { return false }

func stampOf([]byte) (time.Time, bool) { return time.Time{}, false }
