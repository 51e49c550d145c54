package turn

import "testing"

// TestClassify uses sentences from the shared corpora (HKCanCor, Common
// Voice zh-HK and yue; marked hk, cv, yue) and call-centre utterances.
func TestClassify(t *testing.T) {
	tests := []struct {
		in   string
		want Cue
	}{
		// Sentence-final particles.
		{"噉景騰廣場已經收咗皮好多年啦", CueFinal},    // yue
		{"佢仲請緊人喎", CueFinal},            // cv
		{"今日輪到邊個洗腳呀", CueFinal},         // cv
		{"你嚟做後期囉", CueFinal},            // cv
		{"我自己整㗎", CueFinal},             // cv
		{"啱晒！多啲人熱鬧啲嘛", CueFinal},        // cv
		{"仲放緊假咩？", CueFinal},            // cv
		{"幫我翻譯成廣東話吖", CueFinal},         // cv
		{"悶悶哋娛樂下都得啩", CueFinal},         // cv
		{"未見過個字噃", CueFinal},            // cv
		{"淨係做得嗰日咋", CueFinal},           // cv
		{"本港台冇咗好耐喇", CueFinal},          // cv
		{"平機票要淡季先有得平𡃉喎.", CueFinal},     // hk
		{"係啊,四十幾度𡃉都.", CueNone},         // hk: 都 trails the particle
		{"好似呃錢噉樣,噉𠻺啲人,就冇乜人嚹", CueFinal}, // hk
		{"即係噉解吖嗎.", CueFinal},           // hk
		{"我想查結餘呀", CueFinal},            // call
		{"唔該晒啦", CueFinal},              // call
		{"我想轉人工啊", CueFinal},            // call: 啊 as 呀
		{"我張卡唔見咗喇", CueFinal},           // call
		{"我想查下我個户口仲有几多钱啊", CueFinal},    // call, Simplified
		{"OK啦", CueFinal},               // call
		{"喂你好呀 ", CueFinal},             // trailing space
		{"好啦。", CueFinal},               // trailing period
		// 嘅, 咩, 未, 呢 only where they end a sentence.
		{"呢個係我嘅", CueNone},         // possessive, more may follow
		{"係嘅", CueFinal},           // yes, it is
		{"佢唔會嚟嘅", CueFinal},        // cv-style: …嚟嘅
		{"得嘅", CueFinal},           // OK
		{"我想問下有咩", CueNone},        // 有咩… (有咩嘢)
		{"係咩", CueFinal},           // really?
		{"你食過未", CueFinal},         // cv: 四黃蓮容月你食過未
		{"出左糧未", CueFinal},         // cv
		{"我仲未", CueNone},           // 我仲未收到…
		{"我都未", CueNone},           // 都未…
		{"還可以如何防止病菌入侵呢", CueFinal}, // cv: written question word 如何 … 呢
		{"冇咗點樣收錢呢", CueFinal},      // cv: 點樣 … 呢
		{"我哋呢", CueNone},           // topic marker
		{"兩個雪糕球噉樣呢", CueNone},      // hk: topic 呢
		{"你去唔去呢", CueFinal},        // A-not-A … 呢
		{"邊個搵我", CueNone},          // a question word alone is not enough
		// Questions marked by the recogniser.
		{"你哋幾點關門？", CueFinal},
		{"可唔可以幫我轉人工?", CueFinal},
		{"你有冇喺舊學校畀人玩過？", CueFinal}, // cv
		{"點解會咁?", CueFinal},        // ? beats the trailing 咁
		// Trailing conjunctions and fillers.
		{"我想查結餘同埋", CueHold},
		{"我張卡唔見咗，但係", CueHold},
		{"所以", CueHold},
		{"我琴日打過嚟，跟住", CueHold},
		{"然後", CueHold},
		{"我想問即係", CueHold},
		{"如果", CueHold},
		{"因為我", CueNone}, // 因為 is not last
		{"因為", CueHold},
		{"我想查一查，嗯", CueHold},
		{"我個戶口號碼係，呃", CueHold},
		{"噉我收道歉信嗰陣時又覺得誒", CueHold}, // hk
		{"咁", CueHold},
		{"咁…", CueHold},
		{"我想", CueHold},
		{"如果你唔介意講嘅話", CueHold}, // cv
		{"我同", CueHold},
		{"嗯", CueNone},    // a lone 嗯 answers
		{"係咁", CueNone},   // that's it
		{"就係咁", CueNone},  // that's it
		{"唔同", CueNone},   // different
		{"我唔想", CueNone},  // I don't want to
		{"唔緊要", CueNone},  // never mind
		{"好重要", CueNone},  // important
		{"係呃", CueNone},   // hk: 呃 as a particle after an answer
		{"佢好似呃", CueHold}, // 呃 after content is a filler
		{"然后", CueHold},   // Simplified
		{"但是", CueNone},   // Mandarin 但是 is not in the list
		{"同埋呀", CueFinal}, // a particle closes it
		// Digits being read out.
		{"我電話係九一二三", CueHold},
		{"九一二三四五六", CueHold},
		{"九一二三四五六七", CueNone}, // complete phone number
		{"我电话系九一二三四五六七", CueNone},
		{"9123 4567", CueNone},
		{"9123", CueNone}, // ITN digits without a cue read as a number
		{"我電話係9123", CueHold},
		{"我要轉3500", CueNone},
		{"八五二九一二三四五", CueHold}, // 852 and six digits
		{"我電話係九", CueHold},
		{"我要九", CueNone}, // not after a digit cue word
		{"我身份證係A", CueHold},
		{"A一二三", CueHold},
		{"A123", CueHold},
		{"A一二三四五六", CueHold}, // check digit to come
		{"A一二三四五六括號", CueHold},
		{"A一二三四五六括號三", CueNone},
		{"A123456(3)", CueNone},
		{"我張卡號碼係四五三九一二三四五六七八", CueHold}, // 12 of 16 digits
		{"三千五", CueNone},                // an amount, not digits
		// Empty and punctuation only.
		{"", CueNone},
		{"。", CueNone},
		{"   ", CueNone},
		{"？", CueNone},
	}
	for _, tt := range tests {
		if got := Classify(tt.in); got != tt.want {
			t.Errorf("Classify(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestIsBackchannel(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"嗯", true},
		{"嗯嗯", true},
		{"嗯嗯嗯嗯", true},
		{"哦", true},
		{"係", true},
		{"係係係", true},
		{"好", true},
		{"好好好", true},
		{"明白", true},
		{"明白明白", true},
		{"OK", true},
		{"ok", true},
		{"Ok ok", true},
		{"okay.", true},
		{"係咪", true},
		{"知道", true},
		{"收到", true},
		{"好呀", true},
		{"好呀好呀", true},
		{"係呀", true},
		{"係啊", true},
		{"系呀", true}, // Simplified 系 for 係 after normalising
		{"嗯，好", true},
		{"嗯。", true},
		{"OK呀", true},
		{"OK，明白", true},
		{"yes", true},
		{"uh-huh", true},
		{"好的", true},
		{"对", true},
		{"知道喇", true},
		// Not backchannels.
		{"", false},
		{"，", false},
		{"好呀我想查結餘", false},
		{"唔係", false},
		{"唔該", false},
		{"等等", false},
		{"我想轉人工", false},
		{"明白，但係", false},
		{"好呀，收到，明白", false}, // four characters after collapsing? 好呀收到明白 = 6
		{"ok ok ok", false}, // three Latin words
		{"ok I see", false},
		{"stop", false},
		{"九", false},
		{"3", false},
		{"嗯嗯嗯嗯嗯嗯嗯嗯嗯", false}, // nine characters
	}
	for _, tt := range tests {
		if got := IsBackchannel(tt.in); got != tt.want {
			t.Errorf("IsBackchannel(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
