package ttstest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yuecall/yuecall/audio"
)

func TestParseAzureSSML(t *testing.T) {
	const head = `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="zh-HK">`
	tests := []struct {
		name, doc string
		err       string
		text      string
		breaks    []time.Duration
	}{
		{"plain", head + `<voice name="zh-HK-HiuMaanNeural">你好</voice></speak>`, "", "你好", nil},
		{"escapes", head + `<voice name="v-X-Y">a &amp; &lt;b&gt; &apos;c&quot;</voice></speak>`, "", `a & <b> 'c"`, nil},
		{"breaks", head + `<voice name="v-X-Y">一<break time="300ms"/>二<break strength="weak"/><break/>` +
			`<break time="7s"/></voice></speak>`, "", "一二",
			[]time.Duration{300 * time.Millisecond, 500 * time.Millisecond, 750 * time.Millisecond, AzureMaxBreak}},
		{"prosody", `<?xml version="1.0"?>` + head + `<voice name="v-X-Y"><prosody rate="-5%">慢</prosody></voice></speak>`, "", "慢", nil},
		{"not xml", head + `<voice name="v-X-Y">a & b</voice></speak>`, "XML syntax error", "", nil},
		{"no version", `<speak xml:lang="zh-HK"><voice name="v-X-Y">x</voice></speak>`, "version", "", nil},
		{"no lang", `<speak version="1.0"><voice name="v-X-Y">x</voice></speak>`, "xml:lang", "", nil},
		{"text outside voice", head + `hello<voice name="v-X-Y">x</voice></speak>`, "outside <voice>", "", nil},
		{"nameless voice", head + `<voice>x</voice></speak>`, "needs a name", "", nil},
		{"unknown element", head + `<voice name="v-X-Y"><script>x</script></voice></speak>`, "unknown element", "", nil},
		{"bad break", head + `<voice name="v-X-Y"><break time="soon"/></voice></speak>`, "break time", "", nil},
		{"break with text", head + `<voice name="v-X-Y"><break time="1s">x</break></voice></speak>`, "must be empty", "", nil},
		{"dtd", `<!DOCTYPE speak [<!ENTITY x "y">]>` + head + `</speak>`, "directives", "", nil},
		{"two roots", head + `</speak><speak/>`, "after </speak>", "", nil},
		{"unknown entity", head + `<voice name="v-X-Y">&nbsp;</voice></speak>`, "entity", "", nil},
		{"empty", "", "no <speak>", "", nil},
	}
	for _, tc := range tests {
		doc, err := ParseAzureSSML([]byte(tc.doc))
		if tc.err != "" {
			if !errors.Is(err, ErrSSML) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v, want an ErrSSML with %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || doc.Text != tc.text || len(doc.Breaks) != len(tc.breaks) {
			t.Errorf("%s: %+v, %v", tc.name, doc, err)
			continue
		}
		for i, b := range tc.breaks {
			if doc.Breaks[i] != b {
				t.Errorf("%s: break %d is %v, want %v", tc.name, i, doc.Breaks[i], b)
			}
		}
	}
}

func TestAzureAudioLayout(t *testing.T) {
	doc, err := ParseAzureSSML([]byte(`<speak version="1.0" xml:lang="zh-HK"><voice name="v-X-Y">` +
		`你好<break time="500ms"/>再見</voice></speak>`))
	if err != nil {
		t.Fatal(err)
	}
	pcm := doc.Audio(8000)
	talk := int(2 * CharDuration * 8000 / time.Second)
	pause := pcm[talk : talk+4000]
	if len(pcm) != 2*talk+4000 || doc.Duration() != 4*CharDuration+500*time.Millisecond ||
		audio.DBFS(pause) > -100 || !audio.FindTone(pcm[:talk], 8000, ToneHz) {
		t.Errorf("%d samples, duration %v, pause %.0f dBFS", len(pcm), doc.Duration(), audio.DBFS(pause))
	}
}

func TestAzureServerRiffAndALaw(t *testing.T) {
	s := NewAzureTTSServer(AzureTTSOptions{ChunkDelay: -1})
	defer s.Close()
	ssml := `<speak version="1.0" xml:lang="en-US"><voice name="en-US-JennyNeural">Hello</voice></speak>`
	post := func(format string) []byte {
		req, _ := http.NewRequest(http.MethodPost, s.URL(), strings.NewReader(ssml))
		req.Header.Set("Authorization", "Bearer "+s.Token())
		req.Header.Set("Content-Type", "application/ssml+xml")
		req.Header.Set("X-Microsoft-OutputFormat", format)
		req.Header.Set("User-Agent", "test")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: HTTP %d %s", format, resp.StatusCode, b)
		}
		return b
	}
	want := Speech(SpeechDuration("Hello"), 16000)
	pcm, rate, err := audio.ReadWAV(bytes.NewReader(post("riff-16khz-16bit-mono-pcm")))
	if err != nil || rate != 16000 || len(pcm) != len(want) {
		t.Errorf("riff: %d samples at %d Hz, %v", len(pcm), rate, err)
	}
	if alaw := post("raw-8khz-8bit-mono-alaw"); len(alaw) != len(want)/2 {
		t.Errorf("alaw: %d bytes, want %d", len(alaw), len(want)/2)
	}
}

func FuzzParseAzureSSML(f *testing.F) {
	f.Add([]byte(`<speak version="1.0" xml:lang="zh-HK"><voice name="a-B-C">你好<break time="3s"/></voice></speak>`))
	f.Add([]byte(`<speak version="1.0" xml:lang="zh-HK"><voice name="a"><prosody rate="1"><s>x</s></prosody></voice></speak>`))
	f.Add([]byte(`<?xml version="1.0"?><speak/>`))
	f.Add([]byte(`<speak version="1.0" xml:lang="x"><voice name="a"><break time="99999999s"/><break time="99999999s"/></voice></speak>`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		doc, err := ParseAzureSSML(raw)
		if err != nil {
			return
		}
		if doc.Lang == "" || len(doc.Voices) == 0 && doc.Text != "" {
			t.Fatalf("accepted %q as %+v", raw, doc)
		}
		if d := doc.Duration(); d < 0 || d > MaxSpeech {
			t.Fatalf("duration %v", d)
		}
		if n := len(doc.Audio(8000)); n > int(MaxSpeech/time.Second)*8000 {
			t.Fatalf("%d samples", n)
		}
	})
}
