package spoken

import "strings"

// clock is a time of day as written.
type clock struct {
	h, m, s int
	ampm    byte // 0, 'a' or 'p'
	h24     bool // written H:MM without am/pm
}

// time speaks a time of day at c.i (14:30, 9:05, 2:30pm, 10am), with a
// period word written before it (下午2:30) and a range to a second time
// (9:00-17:00 → 九點到下晝五點).
func (c *conv) time() bool {
	t, end, ok := parseClock(c.in, c.i)
	if !ok {
		return false
	}
	c.appendClock(t, c.periodBefore())
	c.i = end
	j := skipSpace(c.in, end)
	if j < len(c.in) && strings.ContainsRune("-–~～至到", c.in[j]) {
		if t2, end2, ok := parseClock(c.in, skipSpace(c.in, j+1)); ok {
			c.out = append(c.out, "到"...)
			c.appendClock(t2, "")
			c.i = end2
		}
	}
	return true
}

// twoDigits reads ":DD" at j.
func twoDigits(in []rune, j int) (int, bool) {
	if j+2 < len(in) && in[j] == ':' && isDigit(in[j+1]) && isDigit(in[j+2]) &&
		(j+3 == len(in) || !isDigit(in[j+3])) {
		return atoi(in[j+1 : j+3]), true
	}
	return 0, false
}

func skipSpace(in []rune, j int) int {
	if j < len(in) && in[j] == ' ' {
		j++
	}
	return j
}

// parseClock reads H:MM (H ≤ 24, MM ≤ 59) or H with am/pm at i.
func parseClock(in []rune, i int) (clock, int, bool) {
	var t clock
	j := digitsEnd(in, i)
	if j == i || j-i > 2 {
		return t, 0, false
	}
	t.h = atoi(in[i:j])
	if v, ok := twoDigits(in, j); ok {
		t.m, t.h24 = v, true
		j += 3
		if v, ok := twoDigits(in, j); ok {
			t.s = v
			j += 3
		}
	}
	if k, ap := ampmAt(in, j); ap != 0 && t.h >= 1 && t.h <= 12 {
		t.ampm, t.h24, j = ap, false, k
	}
	if (!t.h24 && t.ampm == 0) || t.h > 24 || t.m > 59 || t.s > 59 || (t.h == 24 && t.m+t.s > 0) ||
		(j < len(in) && (isDigit(in[j]) || in[j] == ':')) {
		return t, 0, false
	}
	return t, j, true
}

// ampmAt reads am, pm, a.m. or p.m. (any case, after at most one space).
func ampmAt(in []rune, j int) (int, byte) {
	j = skipSpace(in, j)
	if j+1 >= len(in) {
		return 0, 0
	}
	ap := byte(lower(in[j]))
	if ap != 'a' && ap != 'p' {
		return 0, 0
	}
	k := j + 1
	if in[k] == '.' {
		k++
	}
	if k >= len(in) || lower(in[k]) != 'm' {
		return 0, 0
	}
	k++
	if in[k-2] == '.' && k < len(in) && in[k] == '.' {
		k++
	}
	if k < len(in) && isLatin(in[k]) {
		return 0, 0
	}
	return k, ap
}

func lower(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

func atoi(ds []rune) int {
	v := 0
	for _, r := range ds {
		v = v*10 + int(r-'0')
	}
	return v
}

// periodWords are written parts of the day and how an agent says them.
var periodWords = [...][2]string{
	{"上午", "朝早"}, {"早上", "朝早"}, {"朝早", "朝早"}, {"下午", "下晝"}, {"下晝", "下晝"},
	{"晏晝", "晏晝"}, {"中午", "中午"}, {"晚上", "夜晚"}, {"夜晚", "夜晚"}, {"晚間", "夜晚"},
	{"凌晨", "凌晨"}, {"深夜", "深夜"}, {"今晚", "今晚"},
}

// periodBefore removes a part-of-day word just written (下午 in 下午2:30)
// and returns how to say it.
func (c *conv) periodBefore() string {
	out := c.out
	space := len(out) > 0 && out[len(out)-1] == ' '
	if space {
		out = out[:len(out)-1]
	}
	for _, p := range periodWords {
		if hasSuffix(out, p[0]) {
			c.out = out[:len(out)-len(p[0])]
			return p[1]
		}
	}
	return ""
}

// appendClock says t: 下晝兩點半, 九點零五分, 十點三個字, 夜晚八點. A
// written period word (下午) overrides the one the hour implies.
func (c *conv) appendClock(t clock, period string) {
	p, h := t.period()
	if period != "" {
		p = period
	}
	c.out = append(c.out, p...)
	c.out = appendCount(c.out, itoa(h), "")
	c.out = append(c.out, "點"...)
	if t.s == 0 {
		c.out = appendMinutes(c.out, t.m)
		return
	}
	if t.m < 10 {
		c.out = append(c.out, "零"...)
	}
	if t.m > 0 {
		c.out = appendCardinal(c.out, itoa(t.m))
	}
	c.out = append(c.out, "分"...)
	c.out = appendCardinal(c.out, itoa(t.s))
	c.out = append(c.out, "秒"...)
}

// period returns the part of the day am/pm or a 24-hour time implies and
// the hour on a 12-hour clock. Morning hours written 9:05 get none.
func (t clock) period() (string, int) {
	h := t.h
	switch {
	case t.ampm == 'p' && h == 12:
		return "中午", h
	case t.ampm == 'p' && h >= 6:
		return "夜晚", h
	case t.ampm == 'p':
		return "下晝", h
	case t.ampm == 'a' && (h == 12 || h <= 5):
		return "凌晨", h
	case t.ampm == 'a':
		return "朝早", h
	case t.h24 && (h == 0 || h == 24):
		return "凌晨", 12
	case t.h24 && h == 12:
		return "中午", h
	case t.h24 && h >= 18:
		return "夜晚", h - 12
	case t.h24 && h > 12:
		return "下晝", h - 12
	}
	return "", h
}

// appendMinutes says the minutes after 點: 半, N個字 for multiples of five
// from 10, else 零五分 / 四十七分.
func appendMinutes(out []byte, m int) []byte {
	switch {
	case m == 0:
		return out
	case m == 30:
		return append(out, "半"...)
	case m%5 == 0 && m >= 10:
		out = appendCount(out, itoa(m/5), "")
		return append(out, "個字"...)
	case m < 10:
		out = append(out, "零"...)
	}
	out = appendCardinal(out, itoa(m))
	return append(out, "分"...)
}

func itoa(v int) string {
	if v < 10 {
		return string(rune('0' + v))
	}
	return itoa(v/10) + string(rune('0'+v%10))
}

// date speaks 2026-03-05, 2026/3/5 or 5/3/2026 (day first, as in Hong Kong)
// as 二零二六年三月五號.
func (c *conv) date() bool {
	var parts [3][]rune
	j := c.i
	var sep rune
	for k := range parts {
		e := digitsEnd(c.in, j)
		if e == j || e-j > 4 {
			return false
		}
		parts[k] = c.in[j:e]
		j = e
		if k == 2 {
			break
		}
		if j >= len(c.in) || (c.in[j] != '-' && c.in[j] != '/') || (sep != 0 && c.in[j] != sep) {
			return false
		}
		sep = c.in[j]
		j++
	}
	if j < len(c.in) && (isDigit(c.in[j]) || isLatin(c.in[j])) {
		return false
	}
	y, m, d := parts[0], parts[1], parts[2]
	if len(y) != 4 {
		if len(d) != 4 || sep != '/' {
			return false
		}
		y, d = d, y
	}
	if len(m) > 2 || len(d) > 2 || atoi(m) < 1 || atoi(m) > 12 || atoi(d) < 1 || atoi(d) > 31 {
		return false
	}
	c.out = appendDigits(c.out, string(y))
	c.out = append(c.out, "年"...)
	c.out = appendCardinal(c.out, string(m))
	c.out = append(c.out, "月"...)
	c.out = appendCardinal(c.out, string(d))
	c.out = append(c.out, "號"...)
	c.i = j
	return true
}
