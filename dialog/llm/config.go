package llm

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Errors. Every error Generate returns wraps one of them (or ctx.Err() when
// the caller's context ends), so the dialog can tell a fallback case from a
// configuration problem with errors.Is.
var (
	ErrConfig      = errors.New("llm: invalid config")
	ErrTimeout     = errors.New("llm: timed out")
	ErrAuth        = errors.New("llm: authentication failed")  // HTTP 401, 403
	ErrRateLimit   = errors.New("llm: rate limited")           // HTTP 429
	ErrServer      = errors.New("llm: server error")           // HTTP 5xx, error event in the stream
	ErrRequest     = errors.New("llm: request rejected")       // other 4xx
	ErrUnavailable = errors.New("llm: endpoint unavailable")   // network, DNS, refused
	ErrStream      = errors.New("llm: malformed stream")       // bad chunk, cut connection
	ErrToolRounds  = errors.New("llm: too many tool rounds")   // the model kept calling tools
	ErrNoAnswer    = errors.New("llm: the model said nothing") // empty answer
)

// Config configures a Client. The YAML tree is llm: {…}; cmd maps the
// YUECALL_LLM_BASE_URL, YUECALL_LLM_API_KEY and YUECALL_LLM_MODEL
// environment variables onto BaseURL, APIKey and Model.
type Config struct {
	// BaseURL of the OpenAI-compatible API, up to and including /v1 (or
	// DashScope's …/compatible-mode/v1, Ollama's http://host:11434/v1).
	BaseURL string `yaml:"base_url"`
	// APIKey is sent as a Bearer token. It may be empty for a local server
	// (vLLM, Ollama); it is never logged nor put in an error.
	APIKey string `yaml:"api_key"`
	// Model name as the endpoint knows it (qwen-plus, gpt-4o-mini, …).
	Model string `yaml:"model"`
	// Temperature in [0, 2]; 0 sends none (the server's default).
	Temperature float32 `yaml:"temperature"`
	// MaxTokens bounds each completion; 0 sends none.
	MaxTokens int `yaml:"max_tokens"`
	// FirstSentenceTimeout: no spoken sentence by then and Generate gives
	// up with ErrTimeout, so the dialog speaks its offline answer.
	FirstSentenceTimeout time.Duration `yaml:"first_sentence_timeout"`
	// TotalTimeout caps a whole turn, tool rounds included.
	TotalTimeout time.Duration `yaml:"total_timeout"`
	// MaxToolRounds is how many rounds of tool calls a turn may make; the
	// round after the last is asked to answer without tools. 0 offers no
	// tools at all.
	MaxToolRounds int `yaml:"max_tool_rounds"`
	// MaxToolCalls bounds the tool calls of one round; extra calls get an
	// error result. 0 means 4.
	MaxToolCalls int `yaml:"max_tool_calls"`
	// ClauseRunes: after this many runes a comma also ends a sentence.
	ClauseRunes int `yaml:"clause_runes"`
}

// DefaultConfig returns settings for Qwen through DashScope's
// OpenAI-compatible mode; the key must still be set.
func DefaultConfig() Config {
	return Config{
		BaseURL:              "https://dashscope.aliyuncs.com/compatible-mode/v1",
		Model:                "qwen-plus",
		Temperature:          0.3,
		MaxTokens:            400,
		FirstSentenceTimeout: 2500 * time.Millisecond,
		TotalTimeout:         20 * time.Second,
		MaxToolRounds:        3,
		MaxToolCalls:         4,
		ClauseRunes:          DefaultClauseRunes,
	}
}

// Validate reports the first problem with c. Errors wrap ErrConfig and
// never include the key.
func (c Config) Validate() error {
	u, err := url.Parse(c.BaseURL)
	var problem string
	switch {
	case c.BaseURL == "":
		problem = "base_url is empty"
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		problem = fmt.Sprintf("base_url %q is not an http(s) URL", redactURL(c.BaseURL))
	case u.User != nil:
		problem = "base_url must not carry credentials (use api_key)"
	case c.APIKey == "" && strings.EqualFold(u.Hostname(), "api.openai.com"):
		problem = "api_key is empty (api.openai.com needs one)"
	case strings.ContainsAny(c.APIKey, " \t\r\n"):
		problem = "api_key contains white space or a line break"
	case c.Model == "":
		problem = "model is empty"
	case c.Temperature < 0 || c.Temperature > 2:
		problem = fmt.Sprintf("temperature %g out of range 0..2", c.Temperature)
	case c.MaxTokens < 0:
		problem = fmt.Sprintf("max_tokens %d is negative", c.MaxTokens)
	case c.FirstSentenceTimeout <= 0:
		problem = "first_sentence_timeout must be positive"
	case c.TotalTimeout < c.FirstSentenceTimeout:
		problem = fmt.Sprintf("total_timeout %v is shorter than first_sentence_timeout %v", c.TotalTimeout, c.FirstSentenceTimeout)
	case c.MaxToolRounds < 0 || c.MaxToolRounds > 10:
		problem = fmt.Sprintf("max_tool_rounds %d out of range 0..10", c.MaxToolRounds)
	case c.MaxToolCalls < 0 || c.MaxToolCalls > 16:
		problem = fmt.Sprintf("max_tool_calls %d out of range 0..16", c.MaxToolCalls)
	case c.ClauseRunes < 0:
		problem = fmt.Sprintf("clause_runes %d is negative", c.ClauseRunes)
	default:
		return nil
	}
	return fmt.Errorf("%w: %s", ErrConfig, problem)
}

// redactURL drops credentials and a query string, which may hold a key.
func redactURL(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i] + "?…"
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = "…@" + s[i+1:]
	}
	return s
}
