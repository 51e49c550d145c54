package azure

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	// tokenTTL is how long a token is reused: they last 10 minutes and the
	// service recommends renewing after 9.
	tokenTTL = 9 * time.Minute
	// maxTokenBytes bounds a token reply (a JWT of about 1 KB).
	maxTokenBytes = 16 << 10
)

// tokenSource fetches bearer tokens from issueToken and caches them. One
// fetch runs at a time; callers that arrive meanwhile wait for it.
type tokenSource struct {
	url, key string
	client   *http.Client
	timeout  time.Duration
	now      func() time.Time

	mu       sync.Mutex // guards the fields below; never held across I/O
	token    string
	expires  time.Time
	fetching chan struct{} // closed when the fetch in flight ends
}

// get returns a cached token or fetches a new one.
func (t *tokenSource) get(ctx context.Context) (string, error) {
	for {
		t.mu.Lock()
		if t.token != "" && t.now().Before(t.expires) {
			tok := t.token
			t.mu.Unlock()
			return tok, nil
		}
		if ch := t.fetching; ch != nil {
			t.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		ch := make(chan struct{})
		t.fetching = ch
		t.mu.Unlock()

		tok, err := t.fetch(ctx)
		t.mu.Lock()
		t.fetching = nil
		if err == nil {
			t.token, t.expires = tok, t.now().Add(tokenTTL)
		}
		t.mu.Unlock()
		close(ch)
		return tok, err
	}
}

// invalidate forgets tok if it is the cached token (the service refused it).
func (t *tokenSource) invalidate(tok string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token == tok {
		t.token = ""
	}
}

// fetch asks issueToken for a token: POST with the key and an empty body.
func (t *tokenSource) fetch(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, http.NoBody)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrToken, err)
	}
	req.Header.Set("Ocp-Apim-Subscription-Key", t.key)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := t.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: %s", ErrToken, redact(err.Error(), t.key))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenBytes+1))
	if err != nil {
		return "", fmt.Errorf("%w: read reply: %w", ErrToken, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: %w", ErrToken, statusError(resp.StatusCode, body, t.key))
	}
	tok := strings.TrimSpace(string(body))
	if tok == "" || len(body) > maxTokenBytes || strings.ContainsAny(tok, " \r\n\t") {
		return "", fmt.Errorf("%w: malformed token reply of %d bytes", ErrToken, len(body))
	}
	return tok, nil
}
