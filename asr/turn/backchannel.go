package turn

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuecall/yuecall/normalise"
)

// Limits of a backchannel, after collapsing repetitions (嗯嗯嗯 counts as 嗯).
const (
	maxBackchannelCJK   = 3 // Han characters
	maxBackchannelLatin = 2 // Latin words
	maxRepeatedCJK      = 8 // Han characters before collapsing
)

// backchannelWords are what a Cantonese caller says to show they are
// listening, longest first for matching. Particles may follow any of them.
var backchannelWords = []string{
	"明白", "知道", "收到", "係咪", "冇錯", "係", "好", "嗯", "哦", "噢", "喔", "對", "啱",
	"得", "明", "是",
}

// backchannelParticles may stand alone or follow a backchannel word (好呀, 係囉).
const backchannelParticles = "呀啊喇啦囉嘅吖喎嘞的嚟"

// latinBackchannels are English backchannels Hong Kong callers code-switch to.
var latinBackchannels = map[string]bool{
	"ok": true, "okay": true, "yes": true, "yeah": true, "yep": true, "sure": true,
	"right": true, "alright": true, "mm": true, "mhm": true, "hmm": true, "uh": true,
	"huh": true, "oh": true, "fine": true, "good": true,
}

// IsBackchannel reports whether text, said while the bot is speaking, is
// only a backchannel (嗯, 哦, 係, 好, 明白, OK, 係咪, 知道, 收到, 好呀,
// 係呀, 嗯嗯 and repetitions) rather than a barge-in. It normalises first,
// ignores punctuation and case, and counts Han characters rather than
// space-separated words: at most three (after collapsing repetitions) or
// one or two Latin words. 好呀我想查結餘 is not a backchannel.
func IsBackchannel(text string) bool {
	t := strings.ToLower(normalise.Text(text))
	var han strings.Builder
	latin := 0
	for t != "" {
		r, size := utf8.DecodeRuneInString(t)
		switch {
		case r >= 'a' && r <= 'z':
			end := strings.IndexFunc(t, func(r rune) bool { return r < 'a' || r > 'z' })
			if end < 0 {
				end = len(t)
			}
			if latin++; latin > maxBackchannelLatin || !latinBackchannels[t[:end]] {
				return false
			}
			t = t[end:]
			continue
		case unicode.Is(unicode.Han, r):
			han.WriteRune(r)
		case unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r):
		default:
			return false // digits and anything else carry content
		}
		t = t[size:]
	}
	h := han.String()
	if latin == 0 && h == "" || utf8.RuneCountInString(h) > maxRepeatedCJK {
		return false
	}
	n, ok := backchannelLength(h)
	return ok && n <= maxBackchannelCJK
}

// backchannelLength splits han into backchannel words and particles and
// returns its length in characters with immediate repetitions collapsed
// (嗯嗯 → 1, 好呀好呀 → 2, 係係係 → 1), or false if something else is said.
func backchannelLength(han string) (int, bool) {
	n, last := 0, ""
	for han != "" {
		w := matchBackchannel(han)
		if w == "" {
			return 0, false
		}
		han = han[len(w):]
		if w != last {
			n += utf8.RuneCountInString(w)
		}
		last = w
	}
	return n, true
}

// matchBackchannel returns the backchannel word, with any particles after
// it, at the start of s, or "".
func matchBackchannel(s string) string {
	w := ""
	for _, b := range backchannelWords {
		if strings.HasPrefix(s, b) {
			w = b
			break
		}
	}
	for {
		r, size := utf8.DecodeRuneInString(s[len(w):])
		if size == 0 || !strings.ContainsRune(backchannelParticles, r) {
			return w
		}
		w = s[:len(w)+size]
	}
}
