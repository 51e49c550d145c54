// Package spoken turns a written reply into the words a Hong Kong agent
// would say, just before synthesis: phone numbers, HKIDs, card and account
// numbers digit by digit in groups; amounts in 蚊/毫/仙; dates, times,
// percentages and plain numbers in colloquial Cantonese. Masked personal data
// (runs of '*' left by redact) is never spoken. Split cuts a reply into
// sentences short enough for the first audio to come quickly.
//
// Engines such as espeak-ng read digit strings as cardinals, skip '$' and
// mangle decimals, so the call speaks Text(reply) rather than the reply.
// English words and product names are left for the voice as written; a
// reply wholly in English keeps its numbers too, only identifiers being
// spaced digit by digit for the English voice.
//
// Text and Split are pure and safe for concurrent use. The package imports
// only the standard library.
package spoken
