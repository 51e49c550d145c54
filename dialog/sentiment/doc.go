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
// testdata/anger.tsv is a hand-labelled set the lexicon was tuned on
// (precision 0.99, recall 0.95 on text alone); anger_holdout*.tsv were
// written apart from it. Precision holds on them (1.0), recall does not:
// on anger phrased in ways the lexicon has never seen, recall was 0.07 to
// 0.20 on text alone. The detector is built to be rarely wrong when it
// alerts (false alerts on everyday conversation, HKCanCor: about 0.1% of
// utterances), not to catch every angry caller; grow the lexicon from
// real call transcripts.
//
// It imports normalise and the standard library only; the call layer
// converts audio.Prosody into Prosody.
package sentiment
