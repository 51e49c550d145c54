// Package wsstream is the body the websocket speech recognisers share
// (sherpa-onnx, FunASR, DashScope): a drop-not-block send queue whose
// frames are coalesced into binary messages, an end-of-audio message after
// CloseSend, the results channel with its overflow policy, the first error
// that ends the stream, and Close. Each provider supplies how samples are
// encoded, its end message, and a Handler that turns server frames into asr.Results.
//
// It imports asr, audio and gorilla/websocket only.
package wsstream
