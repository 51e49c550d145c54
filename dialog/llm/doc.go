// Package llm is the dialog's optional LLM: a dialog.Generator that talks
// to any OpenAI-compatible chat completions endpoint (Qwen through
// DashScope's compatible mode, OpenAI, vLLM, Ollama) with
// github.com/sashabaranov/go-openai.
//
// One Generate call is one caller turn. The request is a system message
// (the pack's instructions, a fixed guard block in Cantonese and English,
// the caller's intent and masked slots, and the knowledge passages with
// their ids), the history as heard and the caller's text. The reply is
// streamed: a Splitter cuts it into spoken sentences at 。！？!?；; and line
// breaks, and at commas once a clause is long, and each sentence is emitted
// as soon as it is complete. Before it is emitted a sentence is cleaned
// (markdown, emoji, [id] cite tags, which become the result's Sources) and
// guarded (Guard): personal data is masked with redact.Text, and a
// sentence that claims or promises a transfer, payment, password reset or
// loan drawdown is replaced by SafeSentence, logged and counted
// (Client.Stats). The model can never perform a transaction: the dialog
// offers it no transaction tools, and this guard stops it from saying it
// did.
//
// Tools of the request are offered as function tools; streamed tool calls
// (deltas gathered by index) have their arguments checked (a JSON object
// with the schema's required keys) and are run through RunTool, their
// results (or a JSON error) go back to the model, for up to MaxToolRounds
// rounds.
//
// Time: no sentence within FirstSentenceTimeout returns ErrTimeout so the
// dialog speaks its offline answer; TotalTimeout bounds the turn; the
// caller's context closes the HTTP stream at once (barge-in). Errors wrap
// the package's sentinels (ErrAuth, ErrRateLimit, ErrServer, ErrStream, …);
// the API key is never logged nor put in an error.
//
// Sub-package llmtest is a chat completions server for tests.
//
// llm imports dialog (for the Generator contract) and redact, and no other
// yuecall package.
package llm
