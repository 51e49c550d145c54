package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr/asrtest"
	"github.com/yuecall/yuecall/events"
)

// TestSIPCallEndToEnd: sipp dials `yuecall serve`, presses 1 for the AI
// agent, asks in Cantonese when the branches open, and hangs up. The sherpa
// test server answers like the real model (Simplified, no punctuation).
func TestSIPCallEndToEnd(t *testing.T) {
	needTools(t, "sipp", "espeak-ng", "sox", "tshark")
	asrSrv := asrtest.NewSherpaServer(asrtest.SherpaOptions{Variant: asrtest.CPP,
		Script: asrtest.Scripted("我想问下你哋分行几点开门")})
	defer asrSrv.Close()
	ts := startServe(t, func(c *Config) { c.ASR.Provider, c.ASR.URL = "sherpa", asrSrv.URL() })

	mediaPort := freePort(t, "udp")
	capt := startCapture(t, mediaPort)
	runSipp(t, sippCall{Target: ts.cfg.SIP.Addr, Speech: speech(t, t.TempDir(), "我想問下你哋分行幾點開門"),
		Digits: []string{"1"}, BeforeDTMF: 2500, BeforeSpeech: 7000, AfterSpeech: 9000,
		LocalPort: freePort(t, "udp"), MediaPort: mediaPort})
	msgs := ts.waitEvent(t, events.TypeCallEnded, 10*time.Second)
	payloads := capt.rtpToCaller(t)

	seq := typesInOrder(msgs)
	want := []string{events.TypeCallStarted, events.TypeDTMF, events.TypeTranscript,
		events.TypeIntent, events.TypeTranscript, events.TypeCallEnded}
	if !subsequence(seq, want) {
		t.Fatalf("events out of order: want %v as a subsequence of %v%s", want, seq, describe(msgs))
	}
	callID := msgs[0].Envelope.CallID
	for _, m := range msgs {
		if m.Envelope.CallID != callID && m.Envelope.CallID != "" {
			t.Errorf("event for another call: %s", m.Envelope.CallID)
		}
		if !strings.HasPrefix(m.Subject, "yuecall.") || m.Envelope.ID == "" || m.Envelope.Time == "" {
			t.Errorf("bad envelope on %s: %+v", m.Subject, m.Envelope)
		}
	}
	var started events.CallStarted
	decode(t, find(msgs, events.TypeCallStarted, nil), &started)
	if started.Channel != "sip" || strings.Contains(started.From, "91234567") {
		t.Errorf("started = %+v, want channel sip and a masked caller number", started)
	}
	var dtmf events.DTMF
	decode(t, find(msgs, events.TypeDTMF, nil), &dtmf)
	if dtmf.Digit != "1" {
		t.Errorf("dtmf digit = %q, want 1", dtmf.Digit)
	}
	caller := transcript(t, msgs, "caller")
	if !strings.Contains(caller.Text, "我想問下你哋分行幾點開門") {
		t.Errorf("caller transcript %q: want HK Traditional 我想問下你哋分行幾點開門", caller.Text)
	}
	var intent events.Intent
	decode(t, find(msgs, events.TypeIntent, nil), &intent)
	if intent.Intent != "branch_hours" || intent.Action != "answer" {
		t.Errorf("intent = %+v, want branch_hours/answer", intent)
	}
	bot := lastTranscript(t, msgs, "bot")
	if !strings.Contains(bot.Text, "分行") {
		t.Errorf("bot answer %q does not talk about branches", bot.Text)
	}
	if find(msgs, events.TypeIVR, func(m events.Message) bool {
		return strings.Contains(string(m.Envelope.Data), `"from":"menu","to":"ai"`)
	}) == nil {
		t.Errorf("no IVR menu→ai transition event:%s", describe(msgs))
	}
	var ended events.CallEnded
	decode(t, find(msgs, events.TypeCallEnded, nil), &ended)
	if ended.Reason != "caller_hangup" || ended.Turns < 1 {
		t.Errorf("ended = %+v", ended)
	}
	if loud := speechFrames(payloads); len(payloads) < 100 || loud < 50 {
		t.Errorf("caller received %d RTP packets, %d with speech energy; want >= 100 and >= 50", len(payloads), loud)
	}
	recs := asrSrv.Streams()
	if len(recs) == 0 || recs[0].Samples < 16000 || recs[0].RMS < 0.01 {
		t.Errorf("ASR server got %+v; want >= 1 s of speech at 16 kHz", recs)
	}
	t.Logf("RTP to caller: %d packets, %d with speech; events:%s", len(payloads), speechFrames(payloads), describe(msgs))
}

// TestSIPHandoffToHuman: 轉人工 in the AI agent hands the call to a human queue.
func TestSIPHandoffToHuman(t *testing.T) {
	needTools(t, "sipp", "espeak-ng", "sox", "tshark")
	asrSrv := asrtest.NewSherpaServer(asrtest.SherpaOptions{Variant: asrtest.Python,
		Script: asrtest.Scripted("转人工")})
	defer asrSrv.Close()
	ts := startServe(t, func(c *Config) { c.ASR.Provider, c.ASR.URL = "sherpa", asrSrv.URL() })
	runSipp(t, sippCall{Target: ts.cfg.SIP.Addr, Speech: speech(t, t.TempDir(), "轉人工"),
		Digits: []string{"1"}, BeforeDTMF: 2500, BeforeSpeech: 7000, AfterSpeech: 5000,
		LocalPort: freePort(t, "udp"), MediaPort: freePort(t, "udp")})
	msgs := ts.waitEvent(t, events.TypeCallEnded, 10*time.Second)
	h := find(msgs, events.TypeHandoffRequested, nil)
	if h == nil {
		t.Fatalf("no hand-off event:%s", describe(msgs))
	}
	var ho events.HandoffRequested
	decode(t, h, &ho)
	if !strings.HasPrefix(h.Subject, "yuecall.handoff.") || ho.Queue == "" || ho.CallID != h.Envelope.CallID {
		t.Errorf("hand-off on %s = %+v", h.Subject, ho)
	}
	if len(ho.TranscriptTail) == 0 || !strings.Contains(fmt.Sprint(ho.TranscriptTail), "轉人工") {
		t.Errorf("hand-off transcript tail %+v lacks the caller's 轉人工", ho.TranscriptTail)
	}
	var ended events.CallEnded
	decode(t, find(msgs, events.TypeCallEnded, nil), &ended)
	if ended.Outcome != "handoff" {
		t.Errorf("outcome = %q, want handoff", ended.Outcome)
	}
}

func typesInOrder(msgs []events.Message) []string {
	var out []string
	for _, m := range msgs {
		if m.Envelope.Type != events.TypeIVR {
			out = append(out, m.Envelope.Type)
		}
	}
	return out
}

func subsequence(have, want []string) bool {
	i := 0
	for _, h := range have {
		if i < len(want) && h == want[i] {
			i++
		}
	}
	return i == len(want)
}

func find(msgs []events.Message, typ string, match func(events.Message) bool) *events.Message {
	for i := range msgs {
		if msgs[i].Envelope.Type == typ && (match == nil || match(msgs[i])) {
			return &msgs[i]
		}
	}
	return nil
}

func decode(t *testing.T, m *events.Message, v any) {
	t.Helper()
	if m == nil {
		t.Fatalf("event missing")
	}
	if err := json.Unmarshal(m.Envelope.Data, v); err != nil {
		t.Fatalf("decode %s: %v", m.Envelope.Type, err)
	}
}

func transcript(t *testing.T, msgs []events.Message, speaker string) events.Transcript {
	t.Helper()
	for _, m := range msgs {
		if m.Envelope.Type != events.TypeTranscript {
			continue
		}
		var tr events.Transcript
		decode(t, &m, &tr)
		if tr.Speaker == speaker && tr.Final {
			return tr
		}
	}
	t.Fatalf("no final %s transcript:%s", speaker, describe(msgs))
	return events.Transcript{}
}

func lastTranscript(t *testing.T, msgs []events.Message, speaker string) events.Transcript {
	t.Helper()
	var last events.Transcript
	for _, m := range msgs {
		var tr events.Transcript
		if m.Envelope.Type == events.TypeTranscript {
			decode(t, &m, &tr)
			if tr.Speaker == speaker && tr.Final {
				last = tr
			}
		}
	}
	return last
}

// TestSIPKeypadOnlyWithoutASR: with no ASR configured the caller is told that
// speech is unavailable, and 0 still reaches a human.
func TestSIPKeypadOnlyWithoutASR(t *testing.T) {
	needTools(t, "sipp", "espeak-ng", "sox")
	ts := startServe(t, nil)
	runSipp(t, sippCall{Target: ts.cfg.SIP.Addr, Speech: speech(t, t.TempDir(), "喂"),
		Digits: []string{"0"}, BeforeDTMF: 9000, BeforeSpeech: 500, AfterSpeech: 3000, // 0 after the notices are heard
		LocalPort: freePort(t, "udp"), MediaPort: freePort(t, "udp")})
	msgs := ts.waitEvent(t, events.TypeCallEnded, 10*time.Second)
	notice := find(msgs, events.TypeTranscript, func(m events.Message) bool {
		return strings.Contains(string(m.Envelope.Data), "語音識別暫時未能使用")
	})
	if notice == nil {
		t.Errorf("caller was not told speech is unavailable:%s", describe(msgs))
	}
	h := find(msgs, events.TypeHandoffRequested, nil)
	if h == nil {
		t.Fatalf("0 did not hand off:%s", describe(msgs))
	}
	var ho events.HandoffRequested
	decode(t, h, &ho)
	if ho.Reason != "caller_request" || ho.Queue != "general" {
		t.Errorf("hand-off = %+v", ho)
	}
	if find(msgs, events.TypeIntent, nil) != nil {
		t.Error("no dialog turn should happen without ASR")
	}
}

// TestSIPCallSyntheticProviders: the load-test configuration (synthetic
// recogniser and voice) runs a real SIP call end to end.
func TestSIPCallSyntheticProviders(t *testing.T) {
	needTools(t, "sipp", "espeak-ng", "sox")
	ts := startServe(t, func(c *Config) {
		c.ASR.Provider, c.TTS.Provider = "synthetic", "synthetic"
		c.ASR.SampleRate = 8000
		c.ASR.Synthetic.Transcripts = []string{"分行幾點開門"}
	})
	runSipp(t, sippCall{Target: ts.cfg.SIP.Addr, Speech: speech(t, t.TempDir(), "我想問下你哋分行幾點開門"),
		Digits: []string{"1"}, BeforeDTMF: 2500, BeforeSpeech: 7000, AfterSpeech: 6000,
		LocalPort: freePort(t, "udp"), MediaPort: freePort(t, "udp")})
	msgs := ts.waitEvent(t, events.TypeCallEnded, 10*time.Second)
	if c := transcript(t, msgs, "caller"); c.Text != "分行幾點開門" {
		t.Errorf("caller transcript %q, want the synthetic 分行幾點開門", c.Text)
	}
	var intent events.Intent
	decode(t, find(msgs, events.TypeIntent, nil), &intent)
	if intent.Intent != "branch_hours" {
		t.Errorf("intent %+v, want branch_hours", intent)
	}
}
