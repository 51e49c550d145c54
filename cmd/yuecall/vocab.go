package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/yuecall/yuecall/asr/dashscope"
)

// dashscopeVocabulary returns the DashScope hotword vocabulary for words:
// the one made by an earlier start for the same words and model (its id is
// kept under the data directory, so restarts do not pile vocabularies up on
// the account), else a new one made with the customization API. Errors
// leave recognition without hotwords, which still works.
func dashscopeVocabulary(ctx context.Context, dc dashscope.Config, words []string, dataDir string, log *slog.Logger) (string, error) {
	// Keyed by account and endpoint too (hashed: the key is never stored),
	// so another account or region never gets an id it does not have.
	sum := sha256.Sum256([]byte(strings.Join([]string{dc.Key, dc.URL, dc.CustomizationURL, dc.Workspace,
		dc.Model, strings.Join(words, "\n")}, "\x00")))
	path := filepath.Join(dataDir, "asr", "dashscope-vocabulary-"+hex.EncodeToString(sum[:8]))
	if b, err := os.ReadFile(path); err == nil {
		if id := strings.TrimSpace(string(b)); id != "" {
			return id, nil
		}
	}
	r, err := dashscope.New(dc, log)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	id, err := r.CreateVocabulary(ctx, "yuecall", words)
	if err != nil {
		return "", fmt.Errorf("dashscope vocabulary: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err == nil {
		_ = os.WriteFile(path, []byte(id+"\n"), 0o600)
	}
	log.Info("DashScope hotword vocabulary created", "vocabulary_id", id, "words", len(words))
	return id, nil
}
