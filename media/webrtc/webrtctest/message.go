package webrtctest

import (
	"encoding/json"
	"fmt"
	"time"

	pion "github.com/pion/webrtc/v4"
)

// Message is one signalling message the server sent (SIGNALLING.md):
// answer, candidate, config, state, stats, error, or an application type
// such as "transcript".
type Message struct {
	// Seq numbers the server's messages from 0 in arrival order.
	Seq int
	// At is when the message was read (monotonic clock).
	At time.Time
	// Type is the message's "type".
	Type string
	// Raw is the message as sent.
	Raw json.RawMessage
	// Fields is Raw decoded; callers must not modify it.
	Fields map[string]any
}

// String returns the string field key ("" if absent or not a string).
func (m Message) String(key string) string {
	s, _ := m.Fields[key].(string)
	return s
}

// Bool returns the boolean field key (false if absent or not a boolean).
func (m Message) Bool(key string) bool {
	b, _ := m.Fields[key].(bool)
	return b
}

// Number returns the numeric field key (0 if absent or not a number).
func (m Message) Number(key string) float64 {
	f, _ := m.Fields[key].(float64)
	return f
}

// Decode unmarshals the message into v.
func (m Message) Decode(v any) error { return json.Unmarshal(m.Raw, v) }

// parseMessage decodes one server message: a JSON object with a string
// "type". It never panics.
func parseMessage(data []byte) (Message, error) {
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		return Message{}, fmt.Errorf("%w: %v", ErrBadMessage, err)
	}
	typ, ok := fields["type"].(string)
	if !ok || typ == "" {
		return Message{}, fmt.Errorf("%w: no type", ErrBadMessage)
	}
	return Message{Type: typ, Raw: append(json.RawMessage(nil), data...), Fields: fields}, nil
}

// remoteCandidate reads a "candidate" message: nil means end of
// candidates (null, absent or empty).
func remoteCandidate(m Message) (*pion.ICECandidateInit, error) {
	var w struct {
		Candidate *pion.ICECandidateInit `json:"candidate"`
	}
	if err := json.Unmarshal(m.Raw, &w); err != nil {
		return nil, fmt.Errorf("%w: candidate: %v", ErrBadMessage, err)
	}
	if w.Candidate == nil || w.Candidate.Candidate == "" {
		return nil, nil
	}
	return w.Candidate, nil
}

// iceServers reads the "config" message's ice_servers.
func iceServers(m Message) ([]pion.ICEServer, error) {
	var w struct {
		Servers []struct {
			URLs       []string `json:"urls"`
			Username   string   `json:"username"`
			Credential string   `json:"credential"`
		} `json:"ice_servers"`
	}
	if err := json.Unmarshal(m.Raw, &w); err != nil {
		return nil, fmt.Errorf("%w: config: %v", ErrBadMessage, err)
	}
	out := make([]pion.ICEServer, 0, len(w.Servers))
	for _, s := range w.Servers {
		out = append(out, pion.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	return out, nil
}
