package dialog

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/yuecall/yuecall/normalise"
)

// Date expressions, matched on HK Traditional text. A numeral is Arabic or
// Chinese (三, 十二, 廿五).
const numeral = `[0-9０-９一二三四五六七八九十廿卅兩]{1,3}`

var (
	// 上個禮拜三, 下星期一, 呢個禮拜, 上上個星期, 禮拜五
	weekRE = regexp.MustCompile(`(上上|下下|上|下|呢|今|本|這)?個?(?:禮拜|星期|週|周|礼拜)([一二三四五六日天])?`)
	// 上個月, 下個月, 呢個月, 今個月, 本月, 上上個月 (+ optional day: 下個月五號)
	relMonthRE = regexp.MustCompile(`(上上|上|下|呢|今|本|這)個?月(?:份)?(?:(` + numeral + `)(?:號|日))?`)
	// 去年三月, 三月份, 3月5號, 十二月廿五日, 2026年3月
	monthRE = regexp.MustCompile(`(?:([0-9]{4})年|(去年|上年|舊年|今年|明年|出年))?(` + numeral + `)月(?:份)?(?:(` + numeral + `)(?:號|日))?`)
	// 五號, 廿五號 (this month)
	dayRE = regexp.MustCompile(`(` + numeral + `)號`)
	// 三日前, 兩日之前
	daysAgoRE = regexp.MustCompile(`(` + numeral + `)日(?:之)?前`)
)

// dateRunes are the characters every date expression has one of.
const dateRunes = "月拜期週周號日天礼"

// relDays are words for a day relative to today, longest first.
var relDays = []struct {
	word string
	days int
}{
	{"大前日", -3}, {"大前天", -3}, {"大後日", 3}, {"大後天", 3},
	{"尋日", -1}, {"琴日", -1}, {"噚日", -1}, {"昨日", -1}, {"昨天", -1}, {"前日", -2}, {"前天", -2},
	{"今日", 0}, {"今天", 0}, {"聽日", 1}, {"明日", 1}, {"明天", 1}, {"後日", 2}, {"後天", 2},
}

// findDates sets date, month or week from the first date expression it
// recognises. A month without a year is the latest one not after now's
// month (callers ask about the past: 三月份嘅月結單); a day alone (五號)
// is in now's month; 下, 明年 and 聽日 words point forward.
func findDates(hk string, now time.Time, out map[string]string, used []span) []span {
	if !strings.ContainsAny(hk, dateRunes) {
		return used
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	for _, f := range []func(string, time.Time, map[string]string) (span, bool){
		matchMonthDate, matchRelMonth, matchWeek, matchDaysAgo, matchRelDay, matchDay,
	} {
		if sp, ok := f(hk, today, out); ok {
			return append(used, sp)
		}
	}
	return used
}

func isoDate(t time.Time) string  { return t.Format("2006-01-02") }
func isoMonth(t time.Time) string { return t.Format("2006-01") }

func parseNumeral(s string) (int, bool) {
	f, ok := normalise.ParseNumber(s)
	if !ok || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

func matchMonthDate(hk string, today time.Time, out map[string]string) (span, bool) {
	for _, m := range monthRE.FindAllStringSubmatchIndex(hk, -1) {
		mon, ok := parseNumeral(hk[m[6]:m[7]])
		if !ok || mon < 1 || mon > 12 {
			continue
		}
		year, explicit := today.Year(), false
		switch {
		case m[2] >= 0:
			fmt.Sscan(hk[m[2]:m[3]], &year)
			explicit = true
		case m[4] >= 0:
			explicit = true
			switch hk[m[4]:m[5]] {
			case "去年", "上年", "舊年":
				year--
			case "明年", "出年":
				year++
			}
		}
		if !explicit && mon > int(today.Month()) {
			year--
		}
		first := time.Date(year, time.Month(mon), 1, 0, 0, 0, 0, today.Location())
		if m[8] >= 0 {
			day, ok := parseNumeral(hk[m[8]:m[9]])
			if ok && day >= 1 && day <= daysIn(first) {
				out[SlotDate] = isoDate(first.AddDate(0, 0, day-1))
				return span{m[0], m[1]}, true
			}
		}
		out[SlotMonth] = isoMonth(first)
		return span{m[0], m[1]}, true
	}
	return span{}, false
}

func daysIn(first time.Time) int { return first.AddDate(0, 1, -1).Day() }

func matchRelMonth(hk string, today time.Time, out map[string]string) (span, bool) {
	m := relMonthRE.FindStringSubmatchIndex(hk)
	if m == nil {
		return span{}, false
	}
	delta := 0
	switch hk[m[2]:m[3]] {
	case "上上":
		delta = -2
	case "上":
		delta = -1
	case "下":
		delta = 1
	}
	first := time.Date(today.Year(), today.Month()+time.Month(delta), 1, 0, 0, 0, 0, today.Location())
	if m[4] >= 0 {
		if day, ok := parseNumeral(hk[m[4]:m[5]]); ok && day >= 1 && day <= daysIn(first) {
			out[SlotDate] = isoDate(first.AddDate(0, 0, day-1))
			return span{m[0], m[1]}, true
		}
	}
	out[SlotMonth] = isoMonth(first)
	return span{m[0], m[1]}, true
}

func matchWeek(hk string, today time.Time, out map[string]string) (span, bool) {
	m := weekRE.FindStringSubmatchIndex(hk)
	if m == nil || (m[2] < 0 && m[4] < 0) {
		return span{}, false // a bare 禮拜 says nothing about when
	}
	weeks := 0
	if m[2] >= 0 {
		switch hk[m[2]:m[3]] {
		case "上上":
			weeks = -2
		case "上":
			weeks = -1
		case "下":
			weeks = 1
		case "下下":
			weeks = 2
		}
	}
	// Weeks run Monday to Sunday.
	offset := (int(today.Weekday()) + 6) % 7
	monday := today.AddDate(0, 0, -offset+7*weeks)
	if m[4] < 0 {
		y, w := monday.ISOWeek()
		out[SlotWeek] = fmt.Sprintf("%04d-W%02d", y, w)
		return span{m[0], m[1]}, true
	}
	day := strings.Index("一二三四五六日", hk[m[4]:m[5]]) / len("一")
	if hk[m[4]:m[5]] == "天" {
		day = 6
	}
	out[SlotDate] = isoDate(monday.AddDate(0, 0, day))
	return span{m[0], m[1]}, true
}

func matchDaysAgo(hk string, today time.Time, out map[string]string) (span, bool) {
	m := daysAgoRE.FindStringSubmatchIndex(hk)
	if m == nil {
		return span{}, false
	}
	n, ok := parseNumeral(hk[m[2]:m[3]])
	if !ok || n > 366 {
		return span{}, false
	}
	out[SlotDate] = isoDate(today.AddDate(0, 0, -n))
	return span{m[0], m[1]}, true
}

func matchRelDay(hk string, today time.Time, out map[string]string) (span, bool) {
	for _, d := range relDays {
		if i := strings.Index(hk, d.word); i >= 0 {
			out[SlotDate] = isoDate(today.AddDate(0, 0, d.days))
			return span{i, i + len(d.word)}, true
		}
	}
	return span{}, false
}

func matchDay(hk string, today time.Time, out map[string]string) (span, bool) {
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, today.Location())
	for _, m := range dayRE.FindAllStringSubmatchIndex(hk, -1) {
		day, ok := parseNumeral(hk[m[2]:m[3]])
		if !ok || day < 1 || day > daysIn(first) {
			continue
		}
		out[SlotDate] = isoDate(first.AddDate(0, 0, day-1))
		return span{m[0], m[1]}, true
	}
	return span{}, false
}
