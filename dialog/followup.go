package dialog

import (
	"regexp"
	"strings"
)

// correctionRE matches "唔係(呀)，(X)，我係話Y" / "唔係X係Y" / "不是X是Y": the
// caller takes back X (or the last reply) and means Y.
var correctionRE = regexp.MustCompile(`^\s*(?:唔係|不是|唔啱|錯咗|no[ ,，]|唔好意思唔係)[呀啊喎囉，,。.！! ]*(?:.*?)(?:我係話|我係講|我意思係|我想講|我講緊|我話|我要嘅係|係|是)[，, ]*(.+?)\s*$`)

// correction returns what the caller means when they correct themselves,
// and whether they did. "唔係我轉嘅" (fraud: "I did not transfer it") is
// not a correction: nothing follows a second 係.
func correction(text string) (string, bool) {
	m := correctionRE.FindStringSubmatch(text)
	if m == nil || strings.TrimSpace(compact(m[1])) == "" {
		return text, false
	}
	return m[1], true
}

// followUpRE marks a short turn that leans on the last one: "咁上個月呢？",
// "信用卡又點", "what about…".
var followUpRE = regexp.MustCompile(`^\s*(?:咁|噉|那|咁如果|如果係|仲有|另外|what about|and)|(?:呢|又點|又如何|又係點|點呢)\s*[？?。！!]*\s*$`)

func isFollowUp(text string) bool { return followUpRE.MatchString(text) }

// slotsOf extracts the slots of one turn (Engine.Slots); nil when none.
func (c *Conversation) slotsOf(text string) map[string]string {
	out := c.e.Slots(text, c.opt.now())
	if len(out) == 0 {
		return nil
	}
	return out
}
