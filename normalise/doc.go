// Package normalise turns recogniser output and generated replies into the
// written form Hong Kong callers and agents expect, and reads the numbers in
// it.
//
// Text is the written form: Hong Kong Traditional Chinese (ToHK, OpenCC
// s2hk with a Hong Kong calibration), full-width CJK punctuation, no spaces
// between CJK and other text, ASCII digits and letters (Punctuate).
//
// Values finds numbers as Hong Kong callers say them and recognisers write
// them, as structured values: numerals with elided units (三千五 = 3500,
// 兩萬三, 百五, 廿五), mixes (3千5, 1.5萬), money (蚊 元 塊 毫 仙, 三個半,
// slang 五球 兩皮 一撇 嚿水, HK$ and 美金), percentages (百分之三, 2.5%,
// 二點五厘, 七成), digit strings said one by one, Hong Kong phone numbers
// (九一二三四五六七, +852) and HKIDs with their check digit. ParseNumber
// reads one such span.
//
// It owns the embedded OpenCC dictionaries in opencc/ (Apache-2.0, see
// opencc/ATTRIBUTION.md) and the small yuecall tables in hk_tables.go.
//
// It is a shared leaf: it imports the standard library only, and asr, tts,
// dialog and call may import it.
package normalise
