package dialog

import (
	"maps"
	"testing"
	"time"
)

// slotNow is a Saturday: 2026-11-21, HKT.
var slotNow = EvalNow

func TestSlots(t *testing.T) {
	e := bankEngine(t)
	tests := []struct {
		text string
		want map[string]string
	}{
		{"上個月供咗幾多", map[string]string{"month": "2026-10"}},
		{"上上個月嘅月結單", map[string]string{"month": "2026-09"}},
		{"今個月張卡簽咗幾多", map[string]string{"month": "2026-11"}},
		{"下個月五號", map[string]string{"date": "2026-12-05"}},
		{"尋日有冇錢入", map[string]string{"date": "2026-11-20"}},
		{"琴日", map[string]string{"date": "2026-11-20"}},
		{"前日碌咗啲咩", map[string]string{"date": "2026-11-19"}},
		{"大前日", map[string]string{"date": "2026-11-18"}},
		{"今日分行開唔開", map[string]string{"date": "2026-11-21"}},
		{"聽日", map[string]string{"date": "2026-11-22"}},
		{"后天", map[string]string{"date": "2026-11-23"}},
		{"三日前", map[string]string{"date": "2026-11-18"}},
		{"下個禮拜", map[string]string{"week": "2026-W48"}},
		{"上個星期", map[string]string{"week": "2026-W46"}},
		{"上個禮拜三嗰筆數", map[string]string{"date": "2026-11-11"}},
		{"下星期一", map[string]string{"date": "2026-11-23"}},
		{"禮拜日", map[string]string{"date": "2026-11-22"}},
		{"上礼拜五", map[string]string{"date": "2026-11-13"}},
		{"三月份嘅月結單", map[string]string{"month": "2026-03"}},
		{"十二月", map[string]string{"month": "2025-12"}},
		{"去年三月", map[string]string{"month": "2025-03"}},
		{"2024年3月", map[string]string{"month": "2024-03"}},
		{"3月5號", map[string]string{"date": "2026-03-05"}},
		{"十月廿五日", map[string]string{"date": "2026-10-25"}},
		{"2月30號", map[string]string{"month": "2026-02"}},
		{"五號", map[string]string{"date": "2026-11-05"}},
		{"幫我轉五千蚊去我老婆個戶口", map[string]string{"amount": "5000", "currency": "HKD"}},
		{"转5k俾佢", map[string]string{"amount": "5000", "currency": "HKD"}},
		{"過1.5k", map[string]string{"amount": "1500", "currency": "HKD"}},
		{"轉兩萬三", map[string]string{"amount": "23000", "currency": "HKD"}},
		{"一千港紙", map[string]string{"amount": "1000", "currency": "HKD"}},
		{"HK$300", map[string]string{"amount": "300", "currency": "HKD"}},
		{"500 HKD", map[string]string{"amount": "500", "currency": "HKD"}},
		{"美金一百", map[string]string{"amount": "100", "currency": "USD"}},
		{"三個月定期", map[string]string{}},
		{"尾號1234", map[string]string{"last4": "1234"}},
		{"尾號一二三四張卡", map[string]string{"last4": "1234"}},
		{"最後四個字係五六七八", map[string]string{"last4": "5678"}},
		{"card ending 9876", map[string]string{"card_type": "", "last4": "9876"}},
		{"尾號12345", map[string]string{}},
		{"我張credit card唔見咗", map[string]string{"card_type": "credit"}},
		{"我張扣賬卡", map[string]string{"card_type": "debit"}},
		{"debit card", map[string]string{"card_type": "debit"}},
		{"提款卡", map[string]string{"card_type": "atm"}},
		{"儲蓄戶口", map[string]string{"account_type": "savings"}},
		{"我個savings account", map[string]string{"account_type": "savings"}},
		{"往來戶口", map[string]string{"account_type": "current"}},
		{"按揭戶口", map[string]string{"account_type": "mortgage"}},
		{"旺角分行", map[string]string{"branch": "旺角"}},
		{"mong kok branch", map[string]string{"branch": "旺角"}},
		{"铜锣湾分行几点开", map[string]string{"branch": "銅鑼灣"}},
		{"上個月喺旺角用信用卡尾號4321簽咗三千蚊",
			map[string]string{"month": "2026-10", "branch": "旺角", "card_type": "credit", "last4": "4321", "amount": "3000", "currency": "HKD"}},
		{"", map[string]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			want := maps.Clone(tc.want)
			for k, v := range want {
				if v == "" {
					delete(want, k)
				}
			}
			got := e.Slots(tc.text, slotNow)
			if !maps.Equal(got, want) {
				t.Fatalf("Slots(%q) = %v, want %v", tc.text, got, want)
			}
		})
	}
}

func TestSlotsPropertyPack(t *testing.T) {
	e := packEngine(t, "property")
	got := e.Slots("我想約聽日睇將軍澳嘅兩房單位，預算六百萬", slotNow)
	want := map[string]string{"date": "2026-11-22", "district": "西貢", "rooms": "2", "amount": "6000000", "currency": "HKD"}
	if !maps.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got := e.Slots("3月5號", slotNow); got["rooms"] != "" {
		t.Fatalf("a bare digit must not fill rooms: %v", got)
	}
}

func TestSlotsLocation(t *testing.T) {
	e := bankEngine(t)
	// 23:30 UTC on the 20th is already the 21st in Hong Kong.
	now := time.Date(2026, 11, 20, 23, 30, 0, 0, time.UTC).In(time.FixedZone("HKT", 8*3600))
	if got := e.Slots("尋日", now)["date"]; got != "2026-11-20" {
		t.Fatalf("尋日 = %q, want 2026-11-20", got)
	}
	jan := time.Date(2027, 1, 3, 9, 0, 0, 0, time.UTC)
	if got := e.Slots("上個月", jan)["month"]; got != "2026-12" {
		t.Fatalf("上個月 in January = %q", got)
	}
}

func FuzzSlots(f *testing.F) {
	for _, s := range []string{"上個禮拜三", "3月5號", "尾號1234", "五千蚊", "5k", "去年十三月", "尾號", "下個月卅二號", "\xff月"} {
		f.Add(s)
	}
	e := bankEngine(f)
	f.Fuzz(func(t *testing.T, s string) {
		got := e.Slots(s, slotNow)
		if got == nil {
			t.Fatal("nil map")
		}
		for _, k := range []string{"date", "month"} {
			if v, ok := got[k]; ok {
				layout := map[string]string{"date": "2006-01-02", "month": "2006-01"}[k]
				if _, err := time.Parse(layout, v); err != nil {
					t.Fatalf("%s %q: %v", k, v, err)
				}
			}
		}
		if v, ok := got["last4"]; ok && len(v) != 4 {
			t.Fatalf("last4 %q", v)
		}
	})
}
