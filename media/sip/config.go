package sip

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
)

// Config configures the SIP listener and the RTP ports of its calls.
type Config struct {
	Addr       string   `yaml:"addr"`         // host:port for UDP and TCP, default 127.0.0.1:5060
	Transports []string `yaml:"transports"`   // udp, tcp
	PublicIP   string   `yaml:"public_ip"`    // advertised in Contact and SDP; default the host of Addr
	RTPIP      string   `yaml:"rtp_ip"`       // bind address for RTP; default the host of Addr
	RTPPortMin int      `yaml:"rtp_port_min"` // even ports from this range, default 20000
	RTPPortMax int      `yaml:"rtp_port_max"` // default 29999
	MaxCalls   int      `yaml:"max_calls"`    // concurrent calls before 503, default 2000
	UserAgent  string   `yaml:"user_agent"`
}

// DefaultConfig returns loopback defaults that run on a fresh machine.
func DefaultConfig() Config {
	return Config{Addr: "127.0.0.1:5060", Transports: []string{"udp", "tcp"},
		RTPPortMin: 20000, RTPPortMax: 29999, MaxCalls: 2000, UserAgent: "yuecall"}
}

// Validate reports the first bad setting.
func (c Config) Validate() error {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("sip: addr %q: %w", c.Addr, err)
	}
	if _, err := netip.ParseAddr(host); err != nil {
		return fmt.Errorf("sip: addr %q: host must be an IP address", c.Addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("sip: addr %q: bad port", c.Addr)
	}
	if len(c.Transports) == 0 {
		return errors.New("sip: no transports")
	}
	for _, t := range c.Transports {
		if t != "udp" && t != "tcp" {
			return fmt.Errorf("sip: transport %q not supported (udp, tcp)", t)
		}
	}
	for _, ip := range []string{c.PublicIP, c.RTPIP} {
		if ip == "" {
			continue
		}
		if _, err := netip.ParseAddr(ip); err != nil {
			return fmt.Errorf("sip: %q is not an IP address", ip)
		}
	}
	if c.RTPPortMin < 1024 || c.RTPPortMax > 65535 || c.RTPPortMin+1 >= c.RTPPortMax {
		return fmt.Errorf("sip: rtp port range %d-%d invalid", c.RTPPortMin, c.RTPPortMax)
	}
	if c.MaxCalls <= 0 {
		return errors.New("sip: max_calls must be positive")
	}
	return nil
}

func (c Config) hostIP() netip.Addr {
	host, _, _ := net.SplitHostPort(c.Addr)
	ip, _ := netip.ParseAddr(host)
	return ip
}

func (c Config) publicIP() netip.Addr {
	if ip, err := netip.ParseAddr(c.PublicIP); err == nil {
		return ip
	}
	return c.hostIP()
}

func (c Config) rtpIP() netip.Addr {
	if ip, err := netip.ParseAddr(c.RTPIP); err == nil {
		return ip
	}
	return c.hostIP()
}
