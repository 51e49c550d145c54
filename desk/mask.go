package desk

import "strings"

// maskRun is the shortest run of digits mask hides: phone (8), card
// (13-19) and account numbers; shorter runs (amounts, times, menu keys)
// stay readable.
const maskRun = 8

// mask is the desk's last line of defence: events arrive masked (package
// redact, in the call), but a run of maskRun or more digits that slipped
// through is shown as stars except its last 4 digits.
func mask(s string) string {
	if !hasLongRun(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	runStart := -1
	flush := func(end int) {
		if runStart < 0 {
			return
		}
		run := s[runStart:end]
		if len(run) >= maskRun {
			b.WriteString(strings.Repeat("*", len(run)-4))
			b.WriteString(run[len(run)-4:])
		} else {
			b.WriteString(run)
		}
		runStart = -1
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if runStart < 0 {
				runStart = i
			}
			continue
		}
		flush(i)
		b.WriteByte(s[i])
	}
	flush(len(s))
	return b.String()
}

func hasLongRun(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if n++; n >= maskRun {
				return true
			}
		} else {
			n = 0
		}
	}
	return false
}
