package dialog

import (
	"fmt"
	"strings"

	"github.com/yuecall/yuecall/redact"
)

// Summary is an extractive summary of the call so far for a human agent:
// what the caller asked, the slots (masked), what was done and what is
// still pending.
type Summary struct {
	Intent  string            // the last intent acted on
	Intents []string          // every intent handled, in order
	Slots   map[string]string // masked with redact
	Done    []string
	Pending []string
	Text    string // one masked paragraph, HK Traditional Chinese
}

// Summary summarises the conversation so far. Call it from the goroutine
// that owns the Conversation.
func (c *Conversation) Summary() Summary {
	s := Summary{
		Intent:  c.st.lastReply.Intent,
		Intents: append([]string(nil), c.st.intents...),
		Slots:   c.st.maskedSlots(),
		Done:    append([]string(nil), c.st.done...),
		Pending: append([]string(nil), c.st.pending...),
	}
	if s.Intent == "" && len(s.Intents) > 0 {
		s.Intent = s.Intents[len(s.Intents)-1]
	}
	if c.st.verified {
		s.Done = appendNew(s.Done, "身份已核實")
	}
	if c.st.id.stage != idNone {
		s.Pending = appendNew(s.Pending, "身份核實進行中")
	}
	if c.st.fill != "" {
		s.Pending = appendNew(s.Pending, "等緊客人提供資料（"+c.st.fill+"）")
	}
	s.Text = redact.Text(c.summaryText(s))
	return s
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func (c *Conversation) summaryText(s Summary) string {
	var b strings.Builder
	callerTurns := 0
	for _, t := range c.history {
		if t.Speaker == Caller {
			callerTurns++
		}
	}
	fmt.Fprintf(&b, "來電者講咗 %d 句", callerTurns)
	if c.opt.caller != "" {
		b.WriteString("（有來電號碼）")
	}
	b.WriteString("。")
	if len(s.Intents) > 0 {
		labels := make([]string, 0, len(s.Intents))
		for _, n := range s.Intents {
			in, ok := c.e.pack.Intent(n)
			if ok {
				labels = append(labels, c.label(in))
			} else {
				labels = append(labels, n)
			}
		}
		b.WriteString("查詢：" + strings.Join(labels, "、") + "。")
	}
	if len(s.Slots) > 0 {
		var kv []string
		for _, k := range sortedKeys(s.Slots) {
			kv = append(kv, k+"="+s.Slots[k])
		}
		b.WriteString("資料：" + strings.Join(kv, "，") + "。")
	}
	if len(s.Done) > 0 {
		b.WriteString("已處理：" + strings.Join(s.Done, "；") + "。")
	}
	if len(s.Pending) > 0 {
		b.WriteString("待跟進：" + strings.Join(s.Pending, "；") + "。")
	}
	if last := c.lastCallerText(); last != "" {
		b.WriteString("最後一句：「" + last + "」")
	}
	return b.String()
}

func (c *Conversation) lastCallerText() string {
	for i := len(c.history) - 1; i >= 0; i-- {
		if c.history[i].Speaker == Caller && strings.TrimSpace(c.history[i].Text) != "" {
			return c.history[i].Text
		}
	}
	return ""
}
