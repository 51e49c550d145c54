package call

import (
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/dialog/llm"
	"github.com/yuecall/yuecall/dialog/llm/llmtest"
	"github.com/yuecall/yuecall/dialog/sentiment"
	"github.com/yuecall/yuecall/events"
)

// TestLLMAnswerSpokenSentenceBySentence: with an LLM configured (the
// go-openai client against a chat-completions test server), the answer to
// a knowledge question is streamed, each sentence spoken as it comes, the
// citation tag stripped.
func TestLLMAnswerSpokenSentenceBySentence(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Options{ChunkDelay: 20 * time.Millisecond})
	srv.Script(llmtest.Any(), llmtest.Reply{Content: "我哋啲分行星期一至五朝早九點開門。[branch-hours] 星期六都有開半日㗎。"})
	cfg := llm.DefaultConfig()
	cfg.BaseURL, cfg.APIKey, cfg.Model = srv.URL, llmtest.DefaultKey, llmtest.DefaultModel
	client, err := llm.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	tc := startTestCallWith(t, func(d *Deps) {
		d.Conversation = []dialog.ConversationOption{dialog.WithGenerator(client, 3*time.Second)}
	}, "我想问下你哋分行几点开门")
	defer tc.teardown()
	tc.reachAI()
	sendPaced(tc.caller, append(espeakPCM(t, "我想問下你哋分行幾點開門"), make(audio.PCM16, 8000)...))
	waitEvent(t, tc.recorder, events.TypeTranscript, "星期六都有開半日")
	var bot []string
	for _, m := range tc.recorder.Messages() {
		if m.Envelope.Type == events.TypeTranscript && strings.Contains(string(m.Envelope.Data), `"bot"`) {
			bot = append(bot, string(m.Envelope.Data))
		}
	}
	joined := strings.Join(bot, "\n")
	if !strings.Contains(joined, "朝早九點開門") || strings.Contains(joined, "[branch-hours]") {
		t.Errorf("bot transcripts %s", joined)
	}
	if len(srv.Requests()) == 0 {
		t.Fatal("the LLM was never asked")
	}
	if got := tc.hangUp(); got != "completed" {
		t.Errorf("outcome %q", got)
	}
}

// TestAngryCallerRaisesOneAlert: an angry caller turn publishes an angry
// call.sentiment and one alert.anger with the masked excerpt.
func TestAngryCallerRaisesOneAlert(t *testing.T) {
	tc := startTestCallWith(t, func(d *Deps) {
		cfg := sentiment.DefaultConfig()
		d.Anger = &cfg
	}, "有冇搞错呀等咗成个钟垃圾")
	defer tc.teardown()
	tc.reachAI()
	sendPaced(tc.caller, append(espeakPCM(t, "有冇搞錯呀等咗成個鐘垃圾"), make(audio.PCM16, 8000)...))
	waitEvent(t, tc.recorder, events.TypeAlertAnger, "有冇搞錯")
	waitEvent(t, tc.recorder, events.TypeSentiment, `"anger":true`)
	n := 0
	for _, m := range tc.recorder.Messages() {
		if m.Envelope.Type == events.TypeAlertAnger {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d anger alerts, want 1", n)
	}
	tc.hangUp()
}

// TestFraudReportIsUrgentAndAlertsCompliance: a fraud report hands off at
// once (urgent, with the 2FA reminder) and tells compliance.
func TestFraudReportIsUrgentAndAlertsCompliance(t *testing.T) {
	tc := startTestCall(t, "有人盗用咗我张信用卡")
	defer tc.teardown()
	tc.reachAI()
	sendPaced(tc.caller, append(espeakPCM(t, "有人盜用咗我張信用卡"), make(audio.PCM16, 8000)...))
	waitEvent(t, tc.recorder, events.TypeHandoffRequested, `"urgent":true`)
	waitEvent(t, tc.recorder, events.TypeAlertCompliance, `"intent":"fraud_report"`)
	for _, m := range tc.recorder.Messages() {
		if m.Envelope.Type == events.TypeAlertCompliance && m.Subject != "yuecall.alert.compliance" {
			t.Errorf("compliance alert on %s", m.Subject)
		}
	}
	if got := tc.hangUp(); got != "handoff" {
		t.Errorf("outcome %q, want handoff", got)
	}
}
