// Package sentiment tells when a caller is getting angry, turn by turn, for
// the call.sentiment.v1 event and the supervisors' alert.anger.v1.
//
// TextScore reads the words of one turn against a Hong Kong Cantonese
// lexicon (lexicon.go): profanity (屌, 仆街, on9), insults (垃圾, 廢柴),
// complaint and exasperation (有冇搞錯, 搞乜鬼, 等咗成個鐘, 講咗幾多次),
// escalation (叫你哋經理出嚟, 投訴你, 消委會, 金管局) and their code-mixed
// English (wtf, useless, ridiculous, complain). Cues combine as
// independent evidence; intensifiers (真係, 究竟, !!) and the same cue
// repeated raise the score; a negator just before a cue cancels it
// (唔係投訴); politeness (唔該, 多謝) lowers a turn without profanity; and
// veto phrases hide everyday uses (倒垃圾, 好鬼凍, 投訴熱線). Text may be
// Traditional or Simplified (folded with normalise.ToHK), with or without
// punctuation.
//
// A Tracker belongs to one call. It learns the caller's own prosody
// baseline (medians of the first calm, voiced turns), scores each turn's
// loudness, pitch, pitch spread, speech rate and shouting against it, and
// fuses that with the text: the words dominate, prosody can only raise a
// turn whose words are already negative, and a loud but calm speaker never
// alerts. Alerts have hysteresis (Config: Threshold, Release, RearmTurns,
// Cooldown) so one angry call raises one alert, not one per turn.
//
// testdata/anger.tsv is a hand-labelled set the tests measure precision
// and recall on; the tests also measure false alerts on everyday
// conversation (HKCanCor, /work/shared/data).
//
// It imports normalise and the standard library only; the call layer
// converts audio.Prosody into Prosody.
package sentiment
