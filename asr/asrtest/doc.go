// Package asrtest holds protocol-faithful test servers for the speech
// recognisers yuecall talks to, for unit tests of the providers and for
// yuecall's end-to-end tests. SherpaServer speaks the sherpa-onnx streaming
// websocket protocol (both the C++ server and python-api-examples/
// streaming_server.py) and returns scripted transcripts, recording what the
// client sent so tests can check the audio was real speech at the right rate.
//
// It imports the standard library and gorilla/websocket only; it never
// imports media, tts, dialog, ivr or call.
package asrtest
