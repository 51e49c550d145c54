package llm

import "testing"

func TestGuardTransactions(t *testing.T) {
	blocked := []string{
		"已經幫你轉咗。",
		"已經幫你轉咗五千蚊俾陳先生。",
		"我而家幫你轉賬。",
		"我而家幫你轉帳去你嘅儲蓄戶口。",
		"我即刻幫你過數。",
		"我可以幫你重設密碼。",
		"我哋會為你處理還款。",
		"已經重設咗你嘅密碼。",
		"我已經批咗你嘅貸款。",
		"批咗你嘅貸款，聽日就會放款。",
		"你筆錢已經轉咗俾對方。",
		"轉賬已經完成。",
		"交易成功，多謝你。",
		"密碼已經重設好。",
		"幫你付咗張單。",
		"我马上帮你转账。",
		"如果你同意，我而家幫你轉賬。",
		"我已經幫你轉咗，你可以睇下點樣查記錄。",
		"如果有問題，我幫你批咗貸款先。",
		"好的，已為你完成轉賬。",
		"筆錢已經轉賬俾對方。",
		"我幫緊你轉賬，請稍等。",
		"我即刻幫你搞掂轉賬。",
		"我已经为你转账。",
		"I have transferred the money.",
		"Done! I've sent HK$500 to Mr Chan.",
		"We've reset your password.",
		"I'll transfer HK$500 now.",
		"Your loan has been approved.",
		"The payment was completed.",
	}
	for _, s := range blocked {
		got, v, rule := Guard(s)
		if v != Transaction || got != SafeSentence {
			t.Errorf("Guard(%q) = %q %v, want the safe sentence", s, got, v)
		} else if rule == "" {
			t.Errorf("Guard(%q): no rule named", s)
		}
	}
	allowed := []string{
		"你可以喺手機 App 轉賬，每日限額五萬蚊。",
		"轉賬成功之後，你會收到短訊通知。",
		"如果你已經還咗款，就唔使理張通知書。",
		"你已經還咗款嘅話，記錄會喺兩日內更新。",
		"重設密碼要去分行或者用 App 嘅「忘記密碼」。",
		"貸款批核一般需要三至五個工作天。",
		"你可以喺 App 完成轉賬。",
		"如果你已經轉賬，請保留收據。",
		"你已經轉賬嘅話，對方一般即日收到。",
		"We've sent you an SMS with the link.",
		"我可以話你知點樣轉賬。",
		"我幫你轉介同事跟進，請稍等。",
		"我幫你查下匯率先。",
		"呢類交易要由我哋同事跟進，我喺度冇辦法直接處理。",
		SafeSentence,
		"You can transfer money in the app.",
		"We can send you the form by post.",
		"I can't transfer money for you.",
		"海外提款手續費係每次二十五蚊。",
	}
	for _, s := range allowed {
		if got, v, rule := Guard(s); v == Transaction || got != s {
			t.Errorf("Guard(%q) = %q %v (rule %s), want it unchanged", s, got, v, rule)
		}
	}
}

func TestGuardMasks(t *testing.T) {
	tests := []struct{ in, want string }{
		{"你張卡號碼係4111 1111 1111 1111。", "你張卡號碼係**** **** **** 1111。"},
		{"身份證A123456(7)已經登記。", "身份證A******(*)已經登記。"},
		{"打9123 4567搵我哋。", "打**** **67搵我哋。"},
	}
	for _, tt := range tests {
		got, v, _ := Guard(tt.in)
		if got != tt.want || v != Masked {
			t.Errorf("Guard(%q) = %q %v, want %q masked", tt.in, got, v, tt.want)
		}
	}
}
