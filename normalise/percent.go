package normalise

// percentWords follow a number to make it a percentage (五個巴仙, 5 percent).
var percentWords = []string{"%", " %", "個巴仙", "巴仙", "個percent", "個 percent", " percent", "percent"}

// notRate lists what after 厘 makes a different word (厘米, 厘士, 無厘頭).
const notRate = "米士頭清醒搭"

// notTenths lists what after 成 makes a different word (一成不變, 三成功).
const notTenths = "功績日為立本員熟長人年就份型交事不果品效全分語形千萬百十"

// percentAfter reads a percentage from the words after a quantity: 2.5%,
// 五個巴仙, 二點五厘 (厘 is percent in Hong Kong interest rates), 七成
// (tenths: 七成 = 70, 九成九 = 99, 三成半 = 35). 百分之 is handled as a prefix.
func (sc *scanner) percentAfter(q qty) (Value, int, bool) {
	if q.digits != "" && !q.plain {
		return Value{}, 0, false
	}
	j := q.end
	val, end := q.val, 0
	switch {
	case sc.hasAny(j, percentWords) > 0:
		end = j + sc.hasAny(j, percentWords)
		if isLetter(sc.at(end)) {
			return Value{}, 0, false
		}
	case sc.at(j) == '厘' && !containsRune(notRate, sc.at(j+1)):
		end = j + 1
		if sc.at(end) == '半' {
			val, _ = val.add(dec{m: 5, scale: 1})
			end++
		}
	case sc.at(j) == '成' && !containsRune(notTenths, sc.at(j+1)):
		return sc.tenths(q)
	default:
		return Value{}, 0, false
	}
	v := sc.value(Percent, q.start, end)
	v.setNum(val)
	v.Approx = q.approx
	return v, end, true
}

// tenths reads X成 (X tenths) with an optional 半 or elided digit after it.
func (sc *scanner) tenths(q qty) (Value, int, bool) {
	if q.approx || !q.val.isInt() || q.val.m < 1 || q.val.m > 10 {
		return Value{}, 0, false
	}
	val, _ := q.val.shift(1)
	end := q.end + 1
	if sc.at(end) == '半' {
		val, _ = val.add(decInt(5))
		end++
	} else if d, ok := smallDigit(sc, end); ok && !isDigit(sc.at(end)) && !isNumStart(sc.at(end+1)) &&
		sc.hasAny(end+1, measureWords) == 0 {
		val, _ = val.add(decInt(int64(d)))
		end++
	}
	v := sc.value(Percent, q.start, end)
	v.setNum(val)
	return v, end, true
}
