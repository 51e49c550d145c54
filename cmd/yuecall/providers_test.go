package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/asr/asrtest"
)

// The pack's vocabulary reaches DashScope as a vocabulary made once with the
// customization API and named in every run-task; a restart reuses it.
func TestDashScopeHotwordsFromPack(t *testing.T) {
	srv := asrtest.NewDashScopeServer(asrtest.DashScopeOptions{Transcripts: []string{"我想查戶口結餘"}})
	defer srv.Close()
	c := defaultASRConfig()
	c.Provider, c.URL, c.Key = "dashscope", srv.URL(), srv.Key()
	c.DashScope.CustomizationURL = srv.CustomizationURL()
	dir := t.TempDir()
	words := []string{"戶口結餘", "信用卡", "轉賬"}
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for restart := 0; restart < 2; restart++ {
		rec, err := newRecognizer(ctx, c, words, dir, nil, log)
		if err != nil {
			t.Fatal(err)
		}
		st, err := rec.NewStream(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_ = st.CloseSend()
		for range st.Results() {
		}
		st.Close()
	}
	vocabs := srv.Vocabularies()
	if len(vocabs) != 1 {
		t.Fatalf("%d vocabularies made over two starts, want 1", len(vocabs))
	}
	var items []string
	for _, it := range vocabs[0].Items {
		items = append(items, it.Text)
	}
	if strings.Join(items, ",") != strings.Join(words, ",") {
		t.Errorf("vocabulary items %v, want %v", items, words)
	}
	tasks := srv.Tasks()
	if len(tasks) != 2 {
		t.Fatalf("%d tasks", len(tasks))
	}
	for _, task := range tasks {
		if task.VocabularyID != vocabs[0].ID {
			t.Errorf("run-task vocabulary_id %q, want %q", task.VocabularyID, vocabs[0].ID)
		}
	}
}
