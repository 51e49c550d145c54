package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"time"

	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/dialog/llm"
	"github.com/yuecall/yuecall/ivr"
)

// DialogConfig selects the knowledge pack and the optional LLM.
type DialogConfig struct {
	// Pack is a built-in pack name (bank, property) or a pack directory.
	Pack          string        `yaml:"pack"`
	Threshold     float64       `yaml:"threshold"`
	ReviewTimeout time.Duration `yaml:"review_timeout"`
	LLM           LLMConfig     `yaml:"llm"`
}

// LLMConfig points the dialog at an OpenAI-compatible chat endpoint; an
// empty BaseURL keeps the dialog fully offline.
type LLMConfig struct {
	BaseURL string        `yaml:"base_url"`
	APIKey  string        `yaml:"api_key"`
	Model   string        `yaml:"model"`
	Timeout time.Duration `yaml:"timeout"` // until the first sentence; then the offline answer
}

func defaultDialogConfig() DialogConfig {
	return DialogConfig{Pack: "bank", Threshold: dialog.DefaultThreshold, ReviewTimeout: 2 * time.Minute,
		LLM: LLMConfig{Timeout: 2500 * time.Millisecond}}
}

func (c DialogConfig) validate() error {
	var errs []error
	if c.Pack == "" {
		errs = append(errs, errors.New("dialog.pack is empty: bank, property or a pack directory"))
	}
	if c.Threshold <= 0 || c.Threshold > 1 {
		errs = append(errs, fmt.Errorf("dialog.threshold %v: want (0, 1]", c.Threshold))
	}
	if c.ReviewTimeout <= 0 {
		errs = append(errs, fmt.Errorf("dialog.review_timeout %v: want > 0", c.ReviewTimeout))
	}
	if c.LLM.BaseURL != "" {
		if u, err := url.Parse(c.LLM.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("dialog.llm.base_url %q: want http(s)://host/v1", c.LLM.BaseURL))
		}
		if c.LLM.Model == "" {
			errs = append(errs, errors.New("dialog.llm.model is empty (e.g. qwen-plus, gpt-4o-mini, llama3)"))
		}
		if c.LLM.Timeout <= 0 {
			errs = append(errs, fmt.Errorf("dialog.llm.timeout %v: want > 0", c.LLM.Timeout))
		}
	}
	return errors.Join(errs...)
}

// loadPack returns the configured knowledge pack.
func loadPack(name string) (*dialog.Pack, error) {
	switch name {
	case "", "bank":
		return dialog.BankPack()
	}
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		p, err := dialog.LoadPack(os.DirFS(name))
		if err != nil {
			return nil, fmt.Errorf("pack %s: %w", name, err)
		}
		return p, nil
	}
	return builtinPack(name)
}

// builtinPack returns an embedded pack by name.
func builtinPack(name string) (*dialog.Pack, error) {
	p, err := dialog.BuiltinPack(name)
	if err != nil {
		return nil, fmt.Errorf("pack %q: not a built-in pack (bank, property) nor a directory: %w", name, err)
	}
	return p, nil
}

// packMenu is the IVR menu: the configured file, else the pack's own
// menu.yaml, else the built-in bank menu.
func packMenu(path string, p *dialog.Pack) (ivr.Menu, error) {
	if path != "" {
		return loadMenu(path)
	}
	if b, ok := p.Menu(); ok {
		m, err := ivr.LoadMenu(bytes.NewReader(b))
		if err != nil {
			return ivr.Menu{}, fmt.Errorf("pack menu.yaml: %w", err)
		}
		return m, nil
	}
	return ivr.DefaultMenu(), nil
}

// packGreeting is what the caller hears on reaching the AI agent: the
// pack's greeting answer when it has one.
func packGreeting(p *dialog.Pack) string {
	if in, ok := p.Intent("greeting"); ok && in.Text != "" {
		return in.Text
	}
	return aiGreeting
}

// llmOptions adds the LLM to every call's dialog when one is configured.
func llmOptions(c DialogConfig, log *slog.Logger) ([]dialog.ConversationOption, error) {
	if c.LLM.BaseURL == "" {
		return nil, nil
	}
	lc := llm.DefaultConfig()
	lc.BaseURL, lc.APIKey, lc.Model = c.LLM.BaseURL, c.LLM.APIKey, c.LLM.Model
	lc.FirstSentenceTimeout = c.LLM.Timeout
	cl, err := llm.New(lc, log.With("component", "llm"))
	if err != nil {
		return nil, err
	}
	log.Info("dialog: LLM answers enabled; guardrails and the offline answer stay in front",
		"base_url", c.LLM.BaseURL, "model", c.LLM.Model, "first_sentence_timeout", c.LLM.Timeout)
	return []dialog.ConversationOption{dialog.WithGenerator(cl, c.LLM.Timeout)}, nil
}
