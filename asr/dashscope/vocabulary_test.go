package dashscope

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/yuecall/yuecall/asr/asrtest"
)

func TestCreateVocabulary(t *testing.T) {
	srv := newServer(t, asrtest.DashScopeOptions{})
	r := newRecognizer(t, srv.URL(), srv.Key(), func(c *Config) { c.Workspace = "ws-1" })
	id, err := r.CreateVocabulary(context.Background(), "hk1", []string{" 戶口結餘 ", "Octopus card", "信用卡"})
	if err != nil {
		t.Fatal(err)
	}
	vs := srv.Vocabularies()
	if len(vs) != 1 || vs[0].ID != id || vs[0].TargetModel != ModelParaformerV2 || vs[0].Prefix != "hk1" || vs[0].Workspace != "ws-1" {
		t.Fatalf("server vocabularies %+v, id %s", vs, id)
	}
	want := []asrtest.DashScopeHotword{{Text: "戶口結餘", Weight: 4, Lang: "zh"}, {Text: "Octopus card", Weight: 4, Lang: "en"},
		{Text: "信用卡", Weight: 4, Lang: "zh"}}
	for i, w := range want {
		if vs[0].Items[i] != w {
			t.Errorf("item %d = %+v, want %+v", i, vs[0].Items[i], w)
		}
	}
}

func TestCreateVocabularyRejectedLocally(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { calls++ }))
	defer srv.Close()
	r := newRecognizer(t, "ws"+strings.TrimPrefix(srv.URL, "http"), "k", nil)
	tests := []struct {
		prefix string
		words  []string
	}{
		{"", []string{"好"}},
		{"Bank", []string{"好"}},
		{"abcdefghij", []string{"好"}},
		{"bank", nil},
		{"bank", []string{"  "}},
		{"bank", []string{"一二三四五六七八九十一二三四五六"}}, // 16 > 15
		{"bank", []string{"a b c d e f g h"}},  // 8 words > 7
		{"bank", []string{"\xff\xfe"}},
	}
	for _, tt := range tests {
		if _, err := r.CreateVocabulary(context.Background(), tt.prefix, tt.words); !errors.Is(err, ErrVocabulary) {
			t.Errorf("%q %q: err %v, want ErrVocabulary", tt.prefix, tt.words, err)
		}
	}
	if calls != 0 {
		t.Errorf("%d requests sent for invalid input", calls)
	}
}

func TestCreateVocabularyServerErrors(t *testing.T) {
	srv := newServer(t, asrtest.DashScopeOptions{Models: []string{"paraformer-realtime-8k-v2"}})
	tests := []struct {
		name, key, want string
		mod             func(*Config)
	}{
		{"bad key", "sk-wrong-key-999", "InvalidApiKey", nil},
		{"model unknown to the service", srv.Key(), "InvalidParameter", nil},
		{"not found", srv.Key(), "404", func(c *Config) {
			c.CustomizationURL = strings.Replace(srv.CustomizationURL(), "customization", "nope", 1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecognizer(t, srv.URL(), tt.key, tt.mod)
			_, err := r.CreateVocabulary(context.Background(), "bank", []string{"戶口"})
			if !errors.Is(err, ErrVocabulary) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrVocabulary with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.key) {
				t.Error("error contains the key")
			}
		})
	}
}
