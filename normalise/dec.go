package normalise

import (
	"strconv"
	"strings"
)

// dec is an exact decimal m × 10^-scale, enough for spoken amounts (cents),
// rates (2.5%) and large sums (億) without float rounding. Every operation
// reports overflow instead of wrapping; |m| stays below maxMant.
type dec struct {
	m     int64
	scale uint8
}

// maxMant bounds the mantissa: 17 digits, so adding two never overflows int64.
const maxMant = 1e17

// maxScale bounds the number of decimal places.
const maxScale = 12

// pow10 holds 10^0 … 10^17.
var pow10 = func() [18]int64 {
	var p [18]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

func decInt(n int64) dec { return dec{m: n} }

// isZero reports whether d is 0.
func (d dec) isZero() bool { return d.m == 0 }

// isInt reports whether d has no fractional part.
func (d dec) isInt() bool { return d.norm().scale == 0 }

// norm drops trailing fractional zeros.
func (d dec) norm() dec {
	for d.scale > 0 && d.m%10 == 0 {
		d.m /= 10
		d.scale--
	}
	return d
}

// shift multiplies d by 10^k (k may be negative: divides exactly by moving
// the decimal point).
func (d dec) shift(k int) (dec, bool) {
	if k < 0 {
		s := int(d.scale) - k
		if s > maxScale {
			return dec{}, false
		}
		return dec{m: d.m, scale: uint8(s)}, true
	}
	if int(d.scale) >= k {
		return dec{m: d.m, scale: d.scale - uint8(k)}.norm(), true
	}
	k -= int(d.scale)
	return mulInt(d.m, k)
}

// mulInt returns m × 10^k as an integer dec.
func mulInt(m int64, k int) (dec, bool) {
	if k >= len(pow10) {
		return dec{}, m == 0
	}
	if m > maxMant/pow10[k] || m < -maxMant/pow10[k] {
		return dec{}, false
	}
	return dec{m: m * pow10[k]}, true
}

// add returns a + b.
func (a dec) add(b dec) (dec, bool) {
	for a.scale < b.scale {
		var ok bool
		if a, ok = a.up(); !ok {
			return dec{}, false
		}
	}
	for b.scale < a.scale {
		var ok bool
		if b, ok = b.up(); !ok {
			return dec{}, false
		}
	}
	s := a.m + b.m
	if s >= maxMant || s <= -maxMant {
		return dec{}, false
	}
	return dec{m: s, scale: a.scale}.norm(), true
}

// up adds one decimal place without changing the value.
func (d dec) up() (dec, bool) {
	if d.m >= maxMant/10 || d.m <= -maxMant/10 || d.scale >= maxScale {
		return dec{}, false
	}
	return dec{m: d.m * 10, scale: d.scale + 1}, true
}

// String formats d in plain decimal notation without trailing zeros
// ("3500", "3.5", "0.05").
func (d dec) String() string {
	d = d.norm()
	s := strconv.FormatInt(d.m, 10)
	if d.scale == 0 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if n := int(d.scale) + 1 - len(s); n > 0 {
		s = strings.Repeat("0", n) + s
	}
	cut := len(s) - int(d.scale)
	s = s[:cut] + "." + s[cut:]
	if neg {
		s = "-" + s
	}
	return s
}

// Float64 returns the nearest float64.
func (d dec) Float64() float64 {
	f, err := strconv.ParseFloat(d.String(), 64)
	if err != nil {
		return 0
	}
	return f
}

// parseDigits reads an ASCII numeral "1234", "1,234,567" or "3.25" (commas
// already validated by the caller) as a dec.
func parseDigits(s string) (dec, bool) {
	var d dec
	frac := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ',':
			continue
		case c == '.':
			if frac {
				return dec{}, false
			}
			frac = true
			continue
		case c < '0' || c > '9':
			return dec{}, false
		}
		if d.m >= maxMant/10 {
			return dec{}, false
		}
		d.m = d.m*10 + int64(c-'0')
		if frac {
			if d.scale >= maxScale {
				return dec{}, false
			}
			d.scale++
		}
	}
	return d.norm(), true
}
