package turn

import (
	"testing"
	"time"

	"github.com/yuecall/yuecall/normalise"
)

func FuzzEndSilence(f *testing.F) {
	for _, s := range []string{
		"", "我想查結餘呀", "同埋", "我電話係九一二三", "A一二三四五六括號", "你食咗飯未", "係咩",
		"呢", "嘅", "未", "咩", "?", "。", "\xff", "系咪要转人工啊", "A123", "八五二九一二三四五",
		"我張卡號碼係四五三九", "<|yue|>好呀", "嗯嗯", "ok", "好呀我想查結餘",
	} {
		f.Add(s)
	}
	p := DefaultPolicy()
	f.Fuzz(func(t *testing.T, s string) {
		d := p.EndSilence(s)
		if d != p.Base && d != p.Final && d != p.Hold {
			t.Fatalf("EndSilence(%q) = %v, not one of the policy's silences", s, d)
		}
		if c := Classify(s); c > CueHold {
			t.Fatalf("Classify(%q) = %d", s, c)
		}
		if n := normalise.Text(s); p.EndSilence(n) != d {
			t.Fatalf("EndSilence(%q) = %v but EndSilence(%q) = %v", s, d, n, p.EndSilence(n))
		}
		p.Ended(s, time.Second, time.Second)
	})
}

func FuzzIsBackchannel(f *testing.F) {
	for _, s := range []string{"嗯", "OK", "好呀", "好呀我想查結餘", "uh-huh", "係啊,係啊,係啊", "", "\xff嗯", "ＯＫ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if IsBackchannel(s) && IsBackchannel(s+"我想查結餘") {
			t.Fatalf("%q plus a request is still a backchannel", s)
		}
	})
}

func BenchmarkEndSilence(b *testing.B) {
	p := DefaultPolicy()
	normalise.Preload()
	const partial = "我想查下我張信用卡嘅結餘同埋最低還款額呀"
	b.ReportAllocs()
	b.SetBytes(int64(len(partial)))
	for b.Loop() {
		p.EndSilence(partial)
	}
}

func BenchmarkIsBackchannel(b *testing.B) {
	normalise.Preload()
	b.ReportAllocs()
	for b.Loop() {
		IsBackchannel("嗯嗯，好呀")
	}
}
