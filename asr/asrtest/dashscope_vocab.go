package asrtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// DashScopeVocabulary is a hotword vocabulary created through the
// customization API.
type DashScopeVocabulary struct {
	ID          string
	Prefix      string
	TargetModel string
	Items       []DashScopeHotword
	Workspace   string // X-DashScope-WorkSpace of the request
}

// DashScopeHotword is one vocabulary entry as the client sent it.
type DashScopeHotword struct {
	Text   string `json:"text"`
	Weight int    `json:"weight"`
	Lang   string `json:"lang"`
}

// Vocabularies returns the vocabularies that exist, in no particular order.
func (s *DashScopeServer) Vocabularies() []DashScopeVocabulary {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]DashScopeVocabulary, 0, len(s.vocabs))
	for _, v := range s.vocabs {
		c := *v
		c.Items = slices.Clone(v.Items)
		out = append(out, c)
	}
	return out
}

// vocabTarget is the target model of vocabulary id, or "" if there is none.
func (s *DashScopeServer) vocabTarget(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.vocabs[id]; ok {
		return v.TargetModel
	}
	return ""
}

type dsCustomizeRequest struct {
	Model string `json:"model"`
	Input struct {
		Action       string             `json:"action"`
		TargetModel  string             `json:"target_model"`
		Prefix       string             `json:"prefix"`
		Vocabulary   []DashScopeHotword `json:"vocabulary"`
		VocabularyID string             `json:"vocabulary_id"`
	} `json:"input"`
}

// serveCustomization implements create_vocabulary, query_vocabulary and
// delete_vocabulary of POST /api/v1/services/audio/asr/customization.
func (s *DashScopeServer) serveCustomization(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		dashScopeHTTPError(w, http.StatusUnauthorized, "InvalidApiKey", "Invalid API-key provided.")
		return
	}
	if r.Method != http.MethodPost {
		dashScopeHTTPError(w, http.StatusMethodNotAllowed, "InvalidParameter", "method "+r.Method+" not allowed")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var req dsCustomizeRequest
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		dashScopeHTTPError(w, http.StatusBadRequest, "InvalidParameter", "invalid request body: "+err.Error())
		return
	}
	if req.Model != "speech-biasing" {
		dashScopeHTTPError(w, http.StatusBadRequest, "InvalidParameter", fmt.Sprintf("model %q, want speech-biasing", req.Model))
		return
	}
	switch req.Input.Action {
	case "create_vocabulary":
		s.createVocabulary(w, req, r.Header.Get("X-DashScope-WorkSpace"))
	case "query_vocabulary", "delete_vocabulary":
		s.queryOrDelete(w, req)
	default:
		dashScopeHTTPError(w, http.StatusBadRequest, "InvalidParameter", fmt.Sprintf("unsupported action %q", req.Input.Action))
	}
}

func (s *DashScopeServer) createVocabulary(w http.ResponseWriter, req dsCustomizeRequest, workspace string) {
	in := req.Input
	if msg := dsCheckVocabulary(in.TargetModel, in.Prefix, in.Vocabulary, s.opts.Models); msg != "" {
		dashScopeHTTPError(w, http.StatusBadRequest, "InvalidParameter", msg)
		return
	}
	id := "vocab-" + in.Prefix + "-" + strings.ReplaceAll(dsRequestID(), "-", "")
	v := &DashScopeVocabulary{ID: id, Prefix: in.Prefix, TargetModel: in.TargetModel,
		Items: slices.Clone(in.Vocabulary), Workspace: workspace}
	s.mu.Lock()
	s.vocabs[id] = v
	s.mu.Unlock()
	writeDSJSON(w, map[string]any{"request_id": dsRequestID(),
		"output": map[string]any{"vocabulary_id": id}, "usage": map[string]any{"count": 1}})
}

func (s *DashScopeServer) queryOrDelete(w http.ResponseWriter, req dsCustomizeRequest) {
	id := req.Input.VocabularyID
	s.mu.Lock()
	v, ok := s.vocabs[id]
	if ok && req.Input.Action == "delete_vocabulary" {
		delete(s.vocabs, id)
	}
	s.mu.Unlock()
	if !ok {
		dashScopeHTTPError(w, http.StatusBadRequest, "InvalidParameter", "vocabulary "+id+" not found")
		return
	}
	out := map[string]any{}
	if req.Input.Action == "query_vocabulary" {
		out = map[string]any{"vocabulary": v.Items, "target_model": v.TargetModel, "status": "OK"}
	}
	writeDSJSON(w, map[string]any{"request_id": dsRequestID(), "output": out, "usage": map[string]any{"count": 1}})
}

// dsCheckVocabulary applies the documented rules, returning what is wrong.
func dsCheckVocabulary(target, prefix string, items []DashScopeHotword, models []string) string {
	switch {
	case !slices.Contains(models, target):
		return fmt.Sprintf("target_model %q not supported", target)
	case prefix == "" || len(prefix) > 9 || strings.TrimFunc(prefix, dsLowerAlnum) != "":
		return fmt.Sprintf("prefix %q: 1-9 lowercase letters or digits", prefix)
	case len(items) == 0 || len(items) > 500:
		return fmt.Sprintf("vocabulary has %d items, want 1..500", len(items))
	}
	for _, it := range items {
		ascii := utf8.RuneCountInString(it.Text) == len(it.Text)
		switch {
		case strings.TrimSpace(it.Text) == "":
			return "empty hotword text"
		case !ascii && utf8.RuneCountInString(it.Text) > 15:
			return fmt.Sprintf("hotword %q longer than 15 characters", it.Text)
		case ascii && len(strings.Fields(it.Text)) > 7:
			return fmt.Sprintf("hotword %q has more than 7 words", it.Text)
		case it.Weight < 1 || it.Weight > 5:
			return fmt.Sprintf("hotword %q weight %d outside 1..5", it.Text, it.Weight)
		}
	}
	return ""
}

func dsLowerAlnum(r rune) bool { return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' }

func writeDSJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
