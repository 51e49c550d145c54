// Package turn decides when a Cantonese caller has finished speaking, from
// the partial transcript: how long a silence ends the turn (Policy,
// EndSilence) and whether words said over the bot are only a backchannel
// (IsBackchannel) rather than a barge-in.
//
// A sentence-final particle (啦 喎 呀 囉 㗎 嘛 咩 …) or a complete question
// ends the turn after a shorter silence; a trailing conjunction or filler
// (同埋, 但係, 即係, 嗯, 呃 …) or a phone number still being read out waits
// longer. The rules were checked against real Cantonese text (HKCanCor,
// Common Voice zh-HK and yue): see the tests.
//
// It is pure logic: it imports normalise and the standard library only.
package turn
