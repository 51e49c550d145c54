package redact

import "strings"

// emailMask replaces the whole local part of an address.
const emailMask = "***"

// maskEmails replaces the local part of every e-mail address with "***" and
// keeps the domain. '*' counts as a local-part and domain character so that
// an address whose digits maskNumbers masked after it is still recognised in
// full, and is left alone, on a second pass: that keeps Text idempotent.
func maskEmails(s string) string {
	if strings.IndexByte(s, '@') < 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for at := 0; at < len(s); at++ {
		if s[at] != '@' {
			continue
		}
		lo := at
		for lo > last && isLocalByte(s[lo-1]) {
			lo--
		}
		hi := at + 1
		for hi < len(s) && isDomainByte(s[hi]) {
			hi++
		}
		if lo == at || !validDomain(s[at+1:hi]) || s[lo:at] == emailMask {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:lo])
		b.WriteString(emailMask)
		last = at
		at = hi - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isLocalByte(c byte) bool {
	return isDomainByte(c) || c == '_' || c == '%' || c == '+'
}

func isDomainByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '-' || c == Mask
}

// validDomain wants at least one dot and a final label of two or more ASCII
// letters ("example.com", "mail.hk"), not starting with a dot or dash.
func validDomain(d string) bool {
	if d == "" || d[0] == '.' || d[0] == '-' {
		return false
	}
	dot := strings.LastIndexByte(d, '.')
	if dot <= 0 || len(d)-dot-1 < 2 {
		return false
	}
	for i := dot + 1; i < len(d); i++ {
		c := d[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
