// Package wsdial dials websockets so that a cancelled context stops the
// handshake at once (gorilla/websocket honours only the deadline), for the
// speech providers in asr and tts.
//
// It imports gorilla/websocket and the standard library only.
package wsdial
