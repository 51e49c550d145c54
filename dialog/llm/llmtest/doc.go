// Package llmtest is an OpenAI-compatible chat completions server on
// 127.0.0.1 for tests: POST /v1/chat/completions (non-streamed and
// stream:true server-sent events of chat.completion.chunk objects ending
// with data: [DONE]) and GET /v1/models.
//
// It behaves like the real API where a client could tell: Bearer
// authentication with OpenAI's 401 body, request validation (model,
// message roles, tool messages answering each tool_call_id, function tool
// schemas) with OpenAI's 400/404 error bodies, tool calls streamed with an
// index, their id and name first and the arguments split across chunks,
// and tool_choice "none" honoured. Replies come from a script: rules match
// the last user message or tool result (UserSays, ToolResult, Any) and
// give a Reply, which can also inject faults: initial and per-chunk
// delays, a cut connection, a malformed chunk, an error event mid-stream,
// or an HTTP error such as 429 or 500. Every request is recorded.
//
// It imports only the standard library.
package llmtest
