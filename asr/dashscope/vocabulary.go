package dashscope

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	ds "github.com/yuecall/yuecall/internal/dashscope"
)

// Hotword limits of the customization API (custom-hot-words).
const (
	// HotwordWeight is the weight every hotword gets (1..5; 4 is the
	// documented starting point).
	HotwordWeight = 4
	// maxNonASCIIRunes caps a hotword containing any non-ASCII character.
	maxNonASCIIRunes = 15
	// maxASCIISegments caps the space-separated words of an ASCII hotword.
	maxASCIISegments = 7
	// maxPrefix is the longest vocabulary prefix (fewer than 10 characters).
	maxPrefix = 9
	// maxReply caps the customization API's reply.
	maxReply = 1 << 20
)

// vocabularyItem is one entry of a vocabulary.
type vocabularyItem struct {
	Text   string `json:"text"`
	Weight int    `json:"weight"`
	Lang   string `json:"lang"`
}

type customizeRequest struct {
	Model string         `json:"model"`
	Input customizeInput `json:"input"`
}

type customizeInput struct {
	Action      string           `json:"action"`
	TargetModel string           `json:"target_model"`
	Prefix      string           `json:"prefix"`
	Vocabulary  []vocabularyItem `json:"vocabulary"`
}

type customizeReply struct {
	RequestID string `json:"request_id"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	Output    struct {
		VocabularyID string `json:"vocabulary_id"`
	} `json:"output"`
}

// CreateVocabulary creates a hotword vocabulary for the configured model
// over the customization HTTP API and returns its vocabulary_id, to be set
// as Config.VocabularyID (create it once and keep the id: accounts have a
// small vocabulary quota). prefix is 1–9 lowercase letters or digits. Every
// word gets weight 4, lang "zh" (or "en" for pure-ASCII words); words over
// the documented length limits are rejected here, before any request.
func (r *Recognizer) CreateVocabulary(ctx context.Context, prefix string, words []string) (string, error) {
	items, err := vocabularyItems(prefix, words)
	if err != nil {
		return "", err
	}
	body, _ := json.Marshal(customizeRequest{
		Model: "speech-biasing",
		Input: customizeInput{Action: "create_vocabulary", TargetModel: r.cfg.Model, Prefix: prefix, Vocabulary: items},
	})
	endpoint := r.cfg.customizationURL()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrVocabulary, endpoint, err)
	}
	req.Header.Set("Authorization", "Bearer "+r.cfg.Key)
	req.Header.Set("Content-Type", "application/json")
	if r.cfg.Workspace != "" {
		req.Header.Set("X-DashScope-WorkSpace", r.cfg.Workspace)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrVocabulary, endpoint, err)
	}
	defer resp.Body.Close()
	id, err := r.vocabularyReply(resp)
	if err != nil {
		return "", err
	}
	r.log.Info("dashscope: vocabulary created", "vocabulary_id", id, "words", len(items))
	return id, nil
}

// vocabularyReply reads the API's answer: the id on 200, else its code and message.
func (r *Recognizer) vocabularyReply(resp *http.Response) (string, error) {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return "", fmt.Errorf("%w: reading reply: %w", ErrVocabulary, err)
	}
	var rep customizeReply
	jerr := json.Unmarshal(data, &rep)
	if resp.StatusCode != http.StatusOK {
		if jerr != nil || rep.Code == "" {
			return "", fmt.Errorf("%w: HTTP %s", ErrVocabulary, resp.Status)
		}
		return "", fmt.Errorf("%w: HTTP %s: %s: %s (request %s)", ErrVocabulary, resp.Status,
			ds.Redact(rep.Code, r.cfg.Key), ds.Redact(rep.Message, r.cfg.Key), rep.RequestID)
	}
	if jerr != nil {
		return "", fmt.Errorf("%w: malformed reply: %w", ErrVocabulary, jerr)
	}
	if rep.Output.VocabularyID == "" {
		return "", fmt.Errorf("%w: reply has no output.vocabulary_id (request %s)", ErrVocabulary, rep.RequestID)
	}
	return rep.Output.VocabularyID, nil
}

// vocabularyItems checks prefix and words against the documented limits.
func vocabularyItems(prefix string, words []string) ([]vocabularyItem, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, err
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("%w: no words", ErrVocabulary)
	}
	items := make([]vocabularyItem, 0, len(words))
	for _, w := range words {
		w = strings.TrimSpace(w)
		lang, err := checkHotword(w)
		if err != nil {
			return nil, err
		}
		items = append(items, vocabularyItem{Text: w, Weight: HotwordWeight, Lang: lang})
	}
	return items, nil
}

func checkPrefix(p string) error {
	if p == "" || len(p) > maxPrefix {
		return fmt.Errorf("%w: prefix %q must be 1..%d characters", ErrVocabulary, p, maxPrefix)
	}
	for _, c := range p {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return fmt.Errorf("%w: prefix %q: only lowercase letters and digits", ErrVocabulary, p)
		}
	}
	return nil
}

// checkHotword applies the length rules and returns the item's lang.
func checkHotword(w string) (string, error) {
	if w == "" {
		return "", fmt.Errorf("%w: empty hotword", ErrVocabulary)
	}
	if !utf8.ValidString(w) {
		return "", fmt.Errorf("%w: hotword %q is not UTF-8", ErrVocabulary, w)
	}
	if !isASCII(w) {
		if n := utf8.RuneCountInString(w); n > maxNonASCIIRunes {
			return "", fmt.Errorf("%w: hotword %q has %d characters, over %d", ErrVocabulary, w, n, maxNonASCIIRunes)
		}
		return "zh", nil
	}
	if n := len(strings.Fields(w)); n > maxASCIISegments {
		return "", fmt.Errorf("%w: hotword %q has %d words, over %d", ErrVocabulary, w, n, maxASCIISegments)
	}
	return "en", nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
