// Package dashscope is the task protocol that Alibaba Cloud DashScope's
// websocket services share (realtime recognition in asr/dashscope,
// CosyVoice synthesis in tts/cosyvoice): client events with a header
// (run-task, continue-task, finish-task), server events with a header
// (task-started, result-generated, task-finished, task-failed), the wait
// for task-started, and keeping the API key out of errors.
//
// It imports gorilla/websocket and the standard library only.
package dashscope
