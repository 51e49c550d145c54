package ttstest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/yuecall/yuecall/audio"
)

// AzureMaxBreak is the longest pause Azure honours in one <break>.
const AzureMaxBreak = 5 * time.Second

// AzureMaxVoices is how many <voice> elements one request may hold.
const AzureMaxVoices = 50

// Pauses of <break strength="…"/> (Azure's documented values); a bare
// <break/> is medium.
var breakStrengths = map[string]time.Duration{
	"none": 0, "x-weak": 250 * time.Millisecond, "weak": 500 * time.Millisecond,
	"medium": 750 * time.Millisecond, "strong": time.Second, "x-strong": 1250 * time.Millisecond,
}

// Elements allowed inside <voice> besides text.
var voiceChildren = map[string]bool{"prosody": true, "break": true, "s": true, "p": true, "lang": true,
	"say-as": true, "emphasis": true, "sub": true, "phoneme": true, "express-as": true, "silence": true,
	"bookmark": true}

// ErrSSML is wrapped by every ParseAzureSSML error.
var ErrSSML = errors.New("ttstest: invalid SSML")

// AzureSSML is what the Azure test server understood of an SSML body.
type AzureSSML struct {
	Lang   string          // xml:lang of <speak>
	Voices []string        // name of each <voice>, in order
	Rate   string          // rate of the first <prosody>, "" if none
	Text   string          // the character data inside the voices, unescaped, markup removed
	Breaks []time.Duration // each <break>'s pause, capped at AzureMaxBreak
	parts  []ssmlPart      // text and pauses in order, for rendering
}

type ssmlPart struct {
	text  string
	pause time.Duration
}

// Duration is how long the server speaks the document: SpeechDuration of
// its text plus its breaks, at most MaxSpeech.
func (d AzureSSML) Duration() time.Duration {
	var t time.Duration
	for _, p := range d.parts {
		t += SpeechDuration(p.text) + p.pause
	}
	return min(t, MaxSpeech)
}

// Audio is the signal the server sends for the document at rate: the tone
// Speech for each run of text and silence for each break, at most MaxSpeech.
func (d AzureSSML) Audio(rate int) audio.PCM16 {
	limit := int(MaxSpeech * time.Duration(rate) / time.Second)
	var out audio.PCM16
	for _, p := range d.parts {
		if len(out) >= limit {
			break
		}
		out = append(out, Speech(SpeechDuration(p.text), rate)...)
		out = append(out, make(audio.PCM16, int(p.pause*time.Duration(rate)/time.Second))...)
	}
	return out[:min(len(out), limit)]
}

// ParseAzureSSML checks an SSML body the way the service does (well-formed
// XML, a <speak version="1.0" xml:lang="…"> root holding 1..50 <voice
// name="…"> elements, no text outside voices, known elements only, valid
// break times, no DTD) and returns what it says.
func ParseAzureSSML(raw []byte) (AzureSSML, error) {
	p := ssmlParser{dec: xml.NewDecoder(bytes.NewReader(raw))}
	p.dec.Strict = true
	if err := p.parse(); err != nil {
		return AzureSSML{}, fmt.Errorf("%w: %w", ErrSSML, err)
	}
	p.doc.Text = p.text.String()
	return p.doc, nil
}

type ssmlParser struct {
	dec   *xml.Decoder
	doc   AzureSSML
	text  strings.Builder
	stack []string // open element names
	root  bool     // the root element has been seen
}

func (p *ssmlParser) parse() error {
	for {
		tok, err := p.dec.Token()
		if err == io.EOF {
			if !p.root {
				return errors.New("no <speak> element")
			}
			return nil
		}
		if err != nil {
			return err
		}
		if err := p.token(tok); err != nil {
			return err
		}
	}
}

func (p *ssmlParser) token(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		return p.start(t)
	case xml.EndElement:
		p.stack = p.stack[:len(p.stack)-1] // the decoder has checked nesting
	case xml.CharData:
		return p.chars(string(t))
	case xml.Directive:
		return errors.New("DTDs and directives are not allowed")
	case xml.ProcInst:
		if t.Target != "xml" || p.root {
			return fmt.Errorf("unexpected processing instruction <?%s?>", t.Target)
		}
	}
	return nil
}

func (p *ssmlParser) start(t xml.StartElement) error {
	name := t.Name.Local
	parent := ""
	if len(p.stack) > 0 {
		parent = p.stack[len(p.stack)-1]
	}
	var err error
	switch {
	case parent == "" && p.root:
		err = errors.New("content after </speak>")
	case parent == "":
		err = p.speak(t)
	case parent == "speak" && name == "voice":
		err = p.voice(t)
	case parent == "speak":
		err = fmt.Errorf("<%s> directly inside <speak>: only <voice> may be", name)
	case parent == "break":
		err = errors.New("<break> must be empty")
	case !voiceChildren[name]:
		err = fmt.Errorf("unknown element <%s>", name)
	case name == "break":
		err = p.brk(t)
	case name == "prosody" && p.doc.Rate == "":
		p.doc.Rate = attr(t, "rate")
	}
	p.stack = append(p.stack, name)
	return err
}

func (p *ssmlParser) speak(t xml.StartElement) error {
	p.root = true
	switch {
	case t.Name.Local != "speak":
		return fmt.Errorf("root element is <%s>, not <speak>", t.Name.Local)
	case attr(t, "version") != "1.0":
		return errors.New(`<speak> needs version="1.0"`)
	}
	for _, a := range t.Attr {
		if a.Name.Local == "lang" && (a.Name.Space == "xml" || a.Name.Space == "http://www.w3.org/XML/1998/namespace") {
			p.doc.Lang = a.Value
		}
	}
	if p.doc.Lang == "" {
		return errors.New("<speak> needs xml:lang")
	}
	return nil
}

func (p *ssmlParser) voice(t xml.StartElement) error {
	name := attr(t, "name")
	switch {
	case name == "":
		return errors.New("<voice> needs a name")
	case len(p.doc.Voices) == AzureMaxVoices:
		return fmt.Errorf("more than %d <voice> elements", AzureMaxVoices)
	}
	p.doc.Voices = append(p.doc.Voices, name)
	return nil
}

var breakTime = regexp.MustCompile(`^\s*(\d{1,9}(?:\.\d+)?)\s*(ms|s)\s*$`)

func (p *ssmlParser) brk(t xml.StartElement) error {
	d, ok := breakStrengths["medium"], true
	if s := attr(t, "strength"); s != "" {
		d, ok = breakStrengths[s]
		if !ok {
			return fmt.Errorf("break strength %q", s)
		}
	}
	if tm := attr(t, "time"); tm != "" {
		m := breakTime.FindStringSubmatch(tm)
		if m == nil {
			return fmt.Errorf("break time %q", tm)
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		if m[2] == "s" {
			v *= 1000
		}
		d = time.Duration(min(v, float64(AzureMaxBreak/time.Millisecond))) * time.Millisecond
	}
	p.doc.Breaks = append(p.doc.Breaks, d)
	p.doc.parts = append(p.doc.parts, ssmlPart{pause: d})
	return nil
}

func (p *ssmlParser) chars(s string) error {
	inVoice := len(p.stack) >= 2
	switch {
	case inVoice && p.stack[len(p.stack)-1] == "break" && strings.TrimSpace(s) != "":
		return errors.New("<break> must be empty")
	case inVoice:
		p.text.WriteString(s)
		p.doc.parts = append(p.doc.parts, ssmlPart{text: s})
	case strings.TrimSpace(s) != "":
		return fmt.Errorf("text %q outside <voice>", shorten(s))
	}
	return nil
}

// attr returns the value of the unprefixed attribute name.
func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

func shorten(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 20 {
		return string(r[:20]) + "…"
	}
	return s
}
