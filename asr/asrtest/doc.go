// Package asrtest holds protocol-faithful test servers for the speech
// recognisers yuecall talks to, for unit tests of the providers and for
// yuecall's end-to-end tests. Each speaks its service's documented wire
// protocol (../shared/reference/providers.md), rejects wrong clients the way
// the service does, returns scripted transcripts and records what the client
// sent so tests can check the audio was real speech at the right rate:
//
//   - SherpaServer: sherpa-onnx streaming websocket, both the C++ server and
//     python-api-examples/streaming_server.py, with fault injection (cut,
//     stall, refuse) for the reconnect tests;
//   - FunASRServer: FunASR runtime websocket (2pass/online/offline, TLS,
//     SenseVoice tags, early audio dropped);
//   - DashScopeServer: DashScope realtime recognition (run-task …
//     task-finished) and the hotword customization API;
//   - OpenAIServer: POST /v1/audio/transcriptions (multipart);
//   - AzureServer: Azure Speech REST short-audio recognition and issueToken.
//
// It imports the standard library, gorilla/websocket, uuid and audio (WAV
// decoding); it never imports media, tts, dialog, ivr or call.
package asrtest
