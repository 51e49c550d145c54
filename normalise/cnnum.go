package normalise

// numState is the state of readNumeral: a Chinese numeral grouped by 萬 and
// 億, with sections of 千 百 十 below them.
type numState struct {
	total   dec  // completed 萬/億 groups
	section dec  // the part below the last 萬/億
	pending dec  // digit (or ASCII group) not yet multiplied by a unit
	hasPend bool // pending is set
	single  bool // pending is one digit, so a unit may be elided after it
	secPow  int  // power of the last 十/百/千 in the section, 0 if none
	lastPow int  // power of the last unit of any size, 0 if none
	bigPow  int  // power of the last 萬/億, 0 if none
	gap     bool // 零 since the last unit: no elided unit (三千零五)
	approx  bool // 幾 or a range
	afterJi bool // just read 幾: only a unit may follow
	done    bool // read 半 or a decimal part: the numeral has ended
	digits  bool // read at least one digit (else the numeral is bare: 百, 萬)
	ok      bool // arithmetic stayed in range
}

// readNumeral reads a Chinese or mixed numeral at i: 三千五 (3500, the
// trailing unit elided), 兩萬三, 百五, 萬五, 三千零五, 廿五, 十二, 一百萬,
// 3千5, 1.5萬, 十幾萬 (approximate), 二點五.
func (sc *scanner) readNumeral(i int) (qty, bool) {
	st := numState{ok: true}
	k := i
	for k < len(sc.rs) && st.ok {
		n := st.step(sc, k)
		if n == 0 {
			break
		}
		k += n
	}
	if k == i || !st.ok {
		return qty{}, false
	}
	v, ok := st.value()
	if !ok {
		return qty{}, false
	}
	if st.gap && !st.hasPend {
		st.approx = true // 三千零蚊: three thousand odd
	}
	// A lone unit (十, 百, 萬) or 千萬 is a number only in context (百貨,
	// 十分, 千萬唔好); 十萬 and 十幾 are numbers.
	bare := !st.digits && !st.approx && (k-i == 1 || sc.has(i, "千萬") && k-i == 2)
	return qty{val: v, approx: st.approx, bare: bare, start: i, end: k}, true
}

// step consumes the token at k and returns its length in runes, or 0 to end
// the numeral before it.
func (st *numState) step(sc *scanner, k int) int {
	if st.done {
		return 0
	}
	r := sc.rs[k]
	if isDigit(r) {
		return st.ascii(sc, k)
	}
	if d, ok := cnDigit(r); ok && r != '幺' {
		return st.digit(sc, k, d)
	}
	if d, ok := tensChar(r); ok {
		return st.tens(d)
	}
	if p, ok := unitPow(r); ok {
		if p >= 4 && st.bigUnit(p) || p < 4 && st.smallUnit(p) {
			return 1
		}
		return 0
	}
	switch r {
	case '點':
		return st.decimal(sc, k)
	case '幾':
		if st.lastPow == 0 || st.hasPend || st.afterJi {
			return 0
		}
		st.approx, st.afterJi = true, true
		return 1
	case '半':
		return st.half()
	}
	return 0
}

// ascii handles an ASCII numeral at k standing for a digit (3千5, 1.5萬).
func (st *numState) ascii(sc *scanner, k int) int {
	if st.hasPend || st.afterJi {
		return 0
	}
	j, _ := sc.asciiGroup(k)
	v, ok := parseDigits(string(sc.rs[k:j]))
	if !ok {
		return 0
	}
	st.setPending(v, j-k == 1)
	return j - k
}

// tens handles 廿 (d = 2) and 卅 (d = 3): d and the unit 十.
func (st *numState) tens(d int) int {
	if st.hasPend || st.afterJi {
		return 0
	}
	st.setPending(decInt(int64(d)), true)
	if !st.smallUnit(1) {
		return 0
	}
	return 1
}

func (st *numState) setPending(v dec, single bool) {
	st.pending, st.hasPend, st.single, st.digits = v, true, single, true
}

// digit handles a Chinese digit d at k.
func (st *numState) digit(sc *scanner, k, d int) int {
	if st.afterJi {
		return 0
	}
	if d == 0 {
		switch {
		case st.lastPow > 0 && !st.hasPend:
			st.gap = true
			return 1
		case !st.digits && st.lastPow == 0:
			st.setPending(decInt(0), false)
			return 1
		}
		return 0
	}
	if st.hasPend {
		// 五六十萬, 三千五六: a range; keep the lower bound.
		if st.single && approxPair(sc.rs[k-1], sc.rs[k]) {
			if _, more := anyDigit(sc.at(k + 1)); !more {
				st.approx = true
				return 1
			}
		}
		return 0
	}
	st.setPending(decInt(int64(d)), true)
	return 1
}

// smallUnit applies 十, 百 or 千 (power p).
func (st *numState) smallUnit(p int) bool {
	if st.secPow > 0 && p >= st.secPow || st.afterJi && p < 4 {
		return false
	}
	mult := st.pending
	if !st.hasPend {
		if st.gap || st.secPow > 0 || !st.section.isZero() {
			return false
		}
		mult = decInt(1) // 十二, 百五, 千二
	}
	term, ok := mult.shift(p)
	st.add(&st.section, term, ok)
	st.secPow, st.lastPow = p, p
	st.hasPend, st.gap = false, false
	return st.ok
}

// bigUnit applies 萬 (p = 4) or 億 (p = 8).
func (st *numState) bigUnit(p int) bool {
	if st.bigPow > 0 && p >= st.bigPow {
		return false
	}
	sec, ok := st.closeSection()
	if !ok {
		return false
	}
	if sec.isZero() {
		if st.afterJi || st.digits || !st.total.isZero() {
			return false
		}
		sec = decInt(1) // 萬五, 億
	}
	if p == 8 {
		sec, ok = sec.add(st.total)
		st.total = dec{}
	}
	term, ok2 := sec.shift(p)
	st.add(&st.total, term, ok && ok2)
	st.section, st.secPow, st.lastPow, st.bigPow = dec{}, 0, p, p
	st.hasPend, st.gap, st.afterJi = false, false, false
	return st.ok
}

// closeSection returns the section plus the pending digit, with an elided
// unit applied (三千五 → 3500, 兩萬三 → 3000 after the 萬).
func (st *numState) closeSection() (dec, bool) {
	if !st.hasPend {
		return st.section, true
	}
	p := st.pending
	if st.single && st.lastPow > 0 && !st.gap {
		var ok bool
		if p, ok = p.shift(st.lastPow - 1); !ok {
			return dec{}, false
		}
	}
	return st.section.add(p)
}

// value is the numeral read so far.
func (st *numState) value() (dec, bool) {
	sec, ok := st.closeSection()
	if !ok {
		return dec{}, false
	}
	return st.total.add(sec)
}

func (st *numState) add(to *dec, term dec, ok bool) {
	if !ok {
		st.ok = false
		return
	}
	if *to, ok = to.add(term); !ok {
		st.ok = false
	}
}

// half handles 半 after 百, 千, 萬 or 億 (千半 = 1500, 兩萬半 = 25000).
func (st *numState) half() int {
	if st.lastPow < 2 || st.hasPend || st.afterJi || st.gap {
		return 0
	}
	term, ok := decInt(5).shift(st.lastPow - 1)
	if st.lastPow >= 4 {
		st.add(&st.total, term, ok)
	} else {
		st.add(&st.section, term, ok)
	}
	st.done = true
	return 1
}

// decimal handles 點 followed by digits read one by one (二點五, 三點一四),
// then optionally one unit multiplying the whole (一點五萬). 點 before 字,
// 分, 鐘 or 半 is a time of day and ends the numeral.
func (st *numState) decimal(sc *scanner, k int) int {
	if !st.canPoint() {
		return 0
	}
	j := k + 1
	frac := decInt(0)
	places := 0
	for ; places < maxScale; j++ {
		d, ok := anyDigit(sc.at(j))
		if !ok || sc.at(j) == '幺' || sc.at(j) == '兩' {
			break
		}
		frac = dec{m: frac.m*10 + int64(d)}
		places++
	}
	if places == 0 || sc.hasAny(j, timeAfterPoint) > 0 {
		return 0
	}
	frac, _ = frac.shift(-places)
	whole, ok := st.value()
	if !ok {
		return 0
	}
	v, ok := whole.add(frac)
	if !ok {
		return 0
	}
	if p, isUnit := unitPow(sc.at(j)); isUnit && p >= 2 {
		if v, ok = v.shift(p); ok {
			j++
		}
	}
	st.total, st.section, st.pending = v, dec{}, dec{}
	st.hasPend, st.single, st.gap = false, false, false
	st.lastPow, st.secPow, st.bigPow = 0, 0, 0
	st.done = true
	return j - k
}

// canPoint reports whether a decimal point may follow: after a whole number
// whose last digit is not an elided unit (二點五, 一百零五點五, 一百二十點五).
func (st *numState) canPoint() bool {
	if st.afterJi {
		return false
	}
	if !st.hasPend {
		return st.lastPow >= 1 && st.lastPow <= 3
	}
	return st.pending.isInt() && !(st.single && st.lastPow > 1 && !st.gap)
}

// timeAfterPoint follows 點 in a time of day (三點五個字, 三點半).
var timeAfterPoint = []string{"字", "分", "鐘", "個字", "半"}
