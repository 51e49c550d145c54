package llm

import (
	"encoding/json"
	"slices"
	"strings"

	openai "github.com/sashabaranov/go-openai"

	"github.com/yuecall/yuecall/dialog"
)

// guardPrompt follows the pack's instructions in every system message. The
// output guard enforces the money and personal-data rules whatever the
// model does; the prompt makes it rarely necessary.
const guardPrompt = `【必須遵守】
1. 只可以根據下面「參考資料」同工具結果回答；資料冇講嘅嘢唔好估，亦唔好作。唔肯定就話「我幫你轉介同事跟進」。
2. 用香港粵語口語、繁體中文回答，好似喺電話度講嘢咁：句子要短，每句一個意思，唔好用列點、標題、表情符號或者 Markdown。
3. 引用參考資料時，喺句尾加佢嘅編號，例如 [fees]；呢啲編號唔會讀出嚟。
4. 你冇權限做任何交易：永遠唔好話已經或者將會幫客人轉賬、過數、付款、還款、重設密碼、提取或批核貸款；客人要做呢啲，就話會由同事跟進。
5. 永遠唔好問客人要、亦唔好讀出完整嘅信用卡號碼、身份證號碼或者戶口號碼。
Rules (English): answer only from the passages and tool results; colloquial Hong Kong Cantonese in Traditional Chinese; short spoken sentences, no markdown or emoji; cite passage ids as [id]; never perform, confirm or promise a transfer, payment, password reset or loan drawdown; never ask for or repeat full card, HKID or account numbers; if unsure, say a colleague will help.`

// systemPrompt joins the pack's instructions, the guard and the passages.
func systemPrompt(req dialog.GenerateRequest) string {
	var b strings.Builder
	if s := strings.TrimSpace(req.Instructions); s != "" {
		b.WriteString(s)
		b.WriteString("\n\n")
	}
	b.WriteString(guardPrompt)
	if req.Intent != "" || len(req.Slots) > 0 {
		b.WriteString("\n\n【來電資料】")
		if req.Intent != "" {
			b.WriteString("\n意圖：")
			b.WriteString(req.Intent)
		}
		keys := make([]string, 0, len(req.Slots))
		for k := range req.Slots {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			b.WriteString("\n" + k + "：" + req.Slots[k])
		}
	}
	b.WriteString("\n\n【參考資料】")
	if len(req.Passages) == 0 {
		b.WriteString("\n（冇）")
	}
	for _, p := range req.Passages {
		b.WriteString("\n[" + p.ID + "] " + p.Title + "\n" + strings.TrimSpace(p.Text) + "\n")
	}
	return b.String()
}

// messages builds the conversation for the first round: system, history
// (caller turns as user, bot turns as heard as assistant) and this turn.
func messages(req dialog.GenerateRequest) []openai.ChatCompletionMessage {
	msgs := make([]openai.ChatCompletionMessage, 0, len(req.History)+2)
	msgs = append(msgs, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleSystem, Content: systemPrompt(req)})
	hist := req.History
	// The dialog may already have recorded this turn in its history.
	if n := len(hist); n > 0 && hist[n-1].Speaker == dialog.Caller && hist[n-1].Text == req.Text {
		hist = hist[:n-1]
	}
	for _, t := range hist {
		text := strings.TrimSpace(t.Text)
		if text == "" {
			continue
		}
		role := openai.ChatMessageRoleUser
		if t.Speaker == dialog.Bot {
			role = openai.ChatMessageRoleAssistant
			if t.Interrupted {
				text += "……（客人打斷咗）"
			}
		}
		msgs = append(msgs, openai.ChatCompletionMessage{Role: role, Content: text})
	}
	return append(msgs, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: req.Text})
}

// emptySchema is offered for a tool that declares no parameters.
var emptySchema = json.RawMessage(`{"type":"object","properties":{}}`)

// tools converts the pack's tools into function tools.
func tools(ts []dialog.Tool) []openai.Tool {
	out := make([]openai.Tool, 0, len(ts))
	for _, t := range ts {
		params := t.Parameters
		if len(params) == 0 || !json.Valid(params) {
			params = emptySchema
		}
		out = append(out, openai.Tool{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{
			Name: t.Name, Description: t.Description, Parameters: params,
		}})
	}
	return out
}

// checkArgs reports why args cannot be given to tool t: not a JSON object,
// or a property the schema requires is missing.
func checkArgs(t dialog.Tool, args string) (json.RawMessage, string) {
	if strings.TrimSpace(args) == "" {
		args = "{}"
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(args), &obj); err != nil || obj == nil {
		return nil, "arguments are not a JSON object"
	}
	var schema struct {
		Required []string `json:"required"`
	}
	_ = json.Unmarshal(t.Parameters, &schema) // no schema: nothing required
	var missing []string
	for _, k := range schema.Required {
		if v, ok := obj[k]; !ok || string(v) == "null" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, "missing required arguments: " + strings.Join(missing, ", ")
	}
	return json.RawMessage(args), ""
}

// errorResult is the tool message content for a failed call.
func errorResult(msg string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"error": msg})
	return b
}
