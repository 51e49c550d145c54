package dialog

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestSetCallerDropsVerification(t *testing.T) {
	e := bankEngine(t)
	api := newBankAPI(t, "")
	c := e.NewConversation(WithGetenv(func(string) string { return api.url }))
	ctx := context.Background()
	if r := c.Respond(ctx, "我想查結餘"); r.Sources == nil || strings.Contains(r.Text, "頭四個字") {
		t.Fatalf("without caller ID: %q %v, want the pack's answer", r.Text, r.Sources)
	}
	c.SetCaller("+85291234567")
	for _, say := range []string{"我想查結餘", "A123", "246810"} {
		c.Respond(ctx, say)
	}
	if !c.Verified() {
		t.Fatal("not verified")
	}
	c.SetCaller("+85291234567")
	if !c.Verified() {
		t.Fatal("the same number dropped verification")
	}
	c.SetCaller("+85298765432")
	if c.Verified() {
		t.Fatal("a new number kept verification")
	}
	if r := c.Respond(ctx, "我想查結餘"); !strings.Contains(r.Text, "頭四個字") {
		t.Fatalf("new caller not challenged: %q", r.Text)
	}
}

func TestSummaryAndSuggestionsMaskPII(t *testing.T) {
	c := bankEngine(t).NewConversation(WithClock(func() time.Time { return time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC) }))
	if c.Suggestions(3) != nil {
		t.Fatal("suggestions before any turn")
	}
	if r := c.Reviewed(ReviewApprove, ""); r.Action != 0 {
		t.Fatalf("Reviewed with nothing pending: %+v", r)
	}
	c.Respond(context.Background(), "我張卡4111 1111 1111 1234唔見咗，逾期費用點計")
	s := c.Summary()
	if s.Intent != "card_lost" || strings.Contains(s.Text, "4111") || !strings.Contains(s.Text, "報失卡") {
		t.Fatalf("summary %+v", s)
	}
	for _, sg := range c.Suggestions(3) {
		if strings.Contains(sg.Text, "4111") || len(sg.Sources) == 0 {
			t.Fatalf("suggestion %+v", sg)
		}
	}
	if got := c.Suggestions(0); got != nil {
		t.Fatalf("Suggestions(0) = %v", got)
	}
}
