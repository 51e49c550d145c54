package spoken

// Cantonese numerals. Digits read one by one use 二 for 2 and 零 for 0;
// 兩 is used only for a leading 2 before 百, 千, 萬, 億 and measure words
// (兩百, 兩萬三千, 兩個 but 一千二百, 二十).
var digitHan = [10]string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}

// maxCardinalDigits is the longest integer read as a cardinal (9999萬億);
// longer ones are read digit by digit.
const maxCardinalDigits = 16

// sectionUnits name each group of four digits, from the lowest.
var sectionUnits = [4]string{"", "萬", "億", "萬億"}

// appendDigits appends ds (ASCII digits) read one by one.
func appendDigits(out []byte, ds string) []byte {
	for i := 0; i < len(ds); i++ {
		out = append(out, digitHan[ds[i]-'0']...)
	}
	return out
}

// appendCardinal appends the integer written by ds (ASCII digits) as a
// Cantonese cardinal: 1234 → 一千二百三十四, 23000 → 兩萬三千, 105 → 一百零五,
// 15 → 十五. Leading zeros are ignored; an integer longer than 16 digits is
// read digit by digit.
func appendCardinal(out []byte, ds string) []byte {
	for len(ds) > 1 && ds[0] == '0' {
		ds = ds[1:]
	}
	if len(ds) > maxCardinalDigits {
		return appendDigits(out, ds)
	}
	if ds == "" || ds == "0" {
		return append(out, "零"...)
	}
	nsec := (len(ds) + 3) / 4
	first := len(ds) - (nsec-1)*4 // digits in the top section
	wrote, gap := false, false
	for s := range nsec {
		lo := first + (s-1)*4
		if s == 0 {
			lo = 0
		}
		hi := first + s*4
		var sec [4]byte
		for k := range sec {
			sec[k] = '0'
		}
		copy(sec[4-(hi-lo):], ds[lo:hi])
		v := sectionValue(sec)
		if v == 0 {
			gap = gap || wrote
			continue
		}
		if wrote && (gap || v < 1000) {
			out = append(out, "零"...)
		}
		unit := sectionUnits[nsec-1-s]
		out = appendSection(out, sec, !wrote, unit != "")
		out = append(out, unit...)
		wrote, gap = true, false
	}
	return out
}

func sectionValue(sec [4]byte) int {
	v := 0
	for _, d := range sec {
		v = v*10 + int(d-'0')
	}
	return v
}

// appendSection appends one group of four digits (value > 0). top is true
// for the highest group of the number: its first digit, when 2, reads 兩
// before 千, 百 and (unit is true when one follows) 萬 or 億, and 10..19
// read 十…, not 一十…. Elsewhere 2 reads 二 (一千二百, 一萬二千).
func appendSection(out []byte, sec [4]byte, top, unit bool) []byte {
	started, zero := false, false
	for pos, c := range sec {
		d := int(c - '0')
		if d == 0 {
			zero = zero || started
			continue
		}
		if zero {
			out = append(out, "零"...)
			zero = false
		}
		switch pos {
		case 0, 1:
			if top && !started {
				out = appendLiang(out, d)
			} else {
				out = append(out, digitHan[d]...)
			}
			out = append(out, [...]string{"千", "百"}[pos]...)
		case 2:
			if d != 1 || !top || started {
				out = append(out, digitHan[d]...)
			}
			out = append(out, "十"...)
		case 3:
			if d == 2 && unit && top && !started {
				out = append(out, "兩"...)
			} else {
				out = append(out, digitHan[d]...)
			}
		}
		started = true
	}
	return out
}

// appendLiang appends digit d as said before a unit or measure word.
func appendLiang(out []byte, d int) []byte {
	if d == 2 {
		return append(out, "兩"...)
	}
	return append(out, digitHan[d]...)
}

// appendNumber appends an integer with an optional fraction (digits after
// the point): 3.5 → 三點五, 12.05 → 十二點零五. An integer with a leading
// zero (007) is read digit by digit.
func appendNumber(out []byte, whole, frac string) []byte {
	if len(whole) > 1 && whole[0] == '0' {
		out = appendDigits(out, whole)
	} else {
		out = appendCardinal(out, whole)
	}
	if frac != "" {
		out = append(out, "點"...)
		out = appendDigits(out, frac)
	}
	return out
}

// appendCount appends an integer said before a measure word or unit:
// 2 → 兩 (兩個, 兩點), anything else as a cardinal.
func appendCount(out []byte, whole, frac string) []byte {
	if whole == "2" && frac == "" {
		return append(out, "兩"...)
	}
	return appendNumber(out, whole, frac)
}

// chunkDigits splits an unseparated digit string for reading: 8 digits as
// 4+4, longer ones in fours with no group of one digit left at the end.
func chunkDigits(ds string, dst []string) []string {
	n := len(ds)
	for n > 0 {
		k := 4
		switch {
		case n <= 4:
			k = n
		case n == 5:
			k = 3
		}
		dst = append(dst, ds[:k])
		ds, n = ds[k:], n-k
	}
	return dst
}
