package turn

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuecall/yuecall/normalise"
)

// Cue is what the end of a partial transcript says about the turn.
type Cue uint8

// Cues.
const (
	// CueNone: nothing either way; the turn ends after Policy.Base.
	CueNone Cue = iota
	// CueFinal: a sentence-final particle or a complete question; Policy.Final.
	CueFinal
	// CueHold: a trailing conjunction or filler, or digits still being read
	// out; Policy.Hold.
	CueHold
)

var cueNames = [...]string{"none", "final", "hold"}

// String returns the cue's name.
func (c Cue) String() string {
	if int(c) < len(cueNames) {
		return cueNames[c]
	}
	return "invalid"
}

// Classify reads the end of a partial transcript. It normalises first
// (Simplified to Hong Kong Traditional, full-width punctuation), so raw
// recogniser output may be given.
func Classify(partial string) Cue {
	t := normalise.Text(partial)
	core := strings.TrimRightFunc(t, isTrailing)
	if core == "" {
		return CueNone
	}
	switch {
	case readingDigits(core):
		return CueHold
	case strings.ContainsAny(t[len(core):], "？?"):
		return CueFinal // the recogniser heard a question
	case holdTail(core):
		return CueHold
	case finalTail(core):
		return CueFinal
	}
	return CueNone
}

// isTrailing reports whether r is punctuation or space a recogniser may put
// after the last word (。 ， ？ ！ … ~ -, and the ASCII forms).
func isTrailing(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || r == '~' || r == '～'
}

// lastRune returns the last rune of s and what comes before it.
func lastRune(s string) (rune, string) {
	r, n := utf8.DecodeLastRuneInString(s)
	return r, s[:len(s)-n]
}

// finalParticles end a sentence wherever they stand (checked on HKCanCor and
// Common Voice: at most about one in seven is followed by more of the same
// clause). 啊 is the recogniser spelling of 呀; 囖 𡃉 嚹 are HKCanCor's
// spellings of 囉 㗎 喇.
const finalParticles = "啦喎呀啊囉囖㗎𡃉嘛吖啩噃咋喇嚹嘞啫嗎喳嘍"

// finalTail reports whether core ends with a sentence-final particle. 嘅,
// 咩, 未 and 呢 are also common mid-sentence, so they count only in the
// contexts where the corpora show them ending a sentence.
func finalTail(core string) bool {
	r, before := lastRune(core)
	if strings.ContainsRune(finalParticles, r) {
		return true
	}
	prev, _ := lastRune(before)
	switch r {
	case '嘅': // 我嘅… is possessive; 係嘅, 得嘅, …嚟嘅 end a sentence
		return strings.ContainsRune("來嚟得係", prev) || strings.ContainsRune(finalParticles, prev)
	case '咩': // 有咩… 做咩… usually run on; 係咩, …嘅咩 end
		return before != "" && !strings.ContainsRune("有冇搭啲叫到做", prev)
	case '未': // 食咗飯未, 出咗糧未, 得未 ask "yet?"; 都未…, 仲未… run on
		return strings.ContainsRune("咗過飯籌到完得好掂晒齊定", prev) ||
			strings.ContainsAny(before, "咗左過") && !strings.ContainsRune("都仲重還係我你佢", prev)
	case '呢': // a question particle after a question word, a topic marker otherwise
		return isQuestion(before)
	}
	return false
}

// questionWords mark a question (點樣, 幾多, 邊度, 有冇, 係咪, 可唔可以 …).
var questionWords = []string{
	"點", "邊", "乜", "咩", "幾多", "幾時", "幾耐", "幾錢", "幾點", "誰", "定係", "有冇", "係咪",
	"如何", "甚麼", "什麼", "為何", "怎", "哪",
	"使唔使", "可唔可以", "得唔得", "好唔好", "會唔會", "係唔係", "啱唔啱", "知唔知", "要唔要",
}

// isQuestion reports whether s asks something: a question word or an
// A-not-A pattern (去唔去, 有冇).
func isQuestion(s string) bool {
	for _, w := range questionWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	prev := rune(0)
	var before rune
	for _, r := range s {
		if prev == '唔' && r == before && r != '唔' {
			return true
		}
		before, prev = prev, r
	}
	return false
}

// holdWords are conjunctions and fillers after which a caller goes on, and
// a few words that need what follows (我想…, 我同…, 佢喺…). On HKCanCor
// about 4% of complete turns end on one of them.
var holdWords = []string{
	"同埋", "但係", "不過", "所以", "跟住", "然後", "然之後", "即係", "如果", "因為", "或者",
	"定係", "仲有", "之後", "而且", "加上", "譬如", "例如", "比如", "跟", "同", "或",
	"就", "想", "要", "嗯", "呃", "誒", "喀", "咁", "噉", "嘅話", "將", "俾", "畀", "喺",
}

// holdExceptions end with a hold word but are complete (唔同, 我唔想, 係咁).
var holdExceptions = []string{
	"唔同", "相同", "不同", "共同", "一同", "認同", "贊同", "唔想", "唔要", "不要", "唔使要",
	"係咁", "係噉", "就咁", "就噉", "成咁", "成噉", "啲咁", "啲噉", "會咁", "會噉", "樣咁",
	"重要", "主要", "必要", "緊要", "理想", "夢想", "思想", "感想", "合同", "唔俾", "唔畀",
	"唔喺", "遷就", "將就", "要", "想", "跟", "同", "就",
	"好呃", "係呃", // HKCanCor: 呃 as a final particle after an answer
}

// holdTail reports whether core ends with a conjunction or filler, or with
// a bracket word of an HKID (括號). A lone 嗯 is an answer, not a filler.
func holdTail(core string) bool {
	if core == "嗯" || core == "嗯嗯" {
		return false
	}
	for _, w := range holdExceptions {
		if core == w || strings.HasSuffix(core, w) && len(w) > 3 {
			return false
		}
	}
	for _, w := range holdWords {
		if strings.HasSuffix(core, w) {
			return true
		}
	}
	return strings.HasSuffix(core, "括號") || strings.HasSuffix(core, "括弧")
}

// digitCues are words after which a caller reads out digits.
var digitCues = []string{
	"電話", "號碼", "手機", "身份證", "戶口", "帳號", "賬號", "卡號", "編號", "密碼", "驗證碼",
	"單號", "聯絡", "打去", "打俾", "打畀",
}

// readingDigits reports whether core ends while digits are being read out:
// a digit string shorter than a phone number (or a card number after 卡),
// an HKID still missing its check digit, letters and digits of an HKID
// under way, or a lone digit after a word such as 電話 or 號碼.
func readingDigits(core string) bool {
	if hkidUnderWay(core) {
		return true
	}
	vs := normalise.Values(core)
	if len(vs) == 0 {
		return false
	}
	v := vs[len(vs)-1]
	if v.End != len(core) {
		return false
	}
	switch v.Kind {
	case normalise.Digits:
		n := len(v.Digits)
		return n < 8 || strings.HasPrefix(v.Digits, "852") && n < 11 ||
			n < 16 && strings.Contains(core[:v.Start], "卡")
	case normalise.HKID:
		return !v.Valid && !strings.ContainsAny(v.Text, "(（括") && !endsWithCheck(v)
	case normalise.Number: // 我電話係九…, or 我電話係9123 written by ITN
		return (utf8.RuneCountInString(v.Text) == 1 && isDigitRune(v.Text) || isASCIIDigits(v.Text)) &&
			hasCue(core[:v.Start])
	}
	return false
}

// endsWithCheck reports whether an HKID value holds a check digit (its
// Digits are letters, six digits and one more).
func endsWithCheck(v normalise.Value) bool {
	letters := 0
	for letters < len(v.Digits) && v.Digits[letters] >= 'A' {
		letters++
	}
	return len(v.Digits) == letters+7
}

func isASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isDigitRune(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r >= '0' && r <= '9' || strings.ContainsRune("零〇一幺二兩三四五六七八九", r)
}

func hasCue(s string) bool {
	for _, c := range digitCues {
		if strings.Contains(s, c) {
			return true
		}
	}
	return false
}

// hkidUnderWay reports whether core ends with one or two Latin letters and
// fewer than six digits (A123, A一二三) or with a lone letter after 身份證.
func hkidUnderWay(core string) bool {
	rest, n := core, 0
	for rest != "" && n < 7 {
		r, before := lastRune(rest)
		if !isDigitRune(string(r)) {
			break
		}
		rest, n = before, n+1
	}
	letters := 0
	for rest != "" && letters < 3 {
		r, before := lastRune(rest)
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			break
		}
		rest, letters = before, letters+1
	}
	switch {
	case letters == 0 || letters > 2 || n >= 6:
		return false
	case n > 0:
		return true
	}
	return strings.Contains(rest, "身份證")
}
