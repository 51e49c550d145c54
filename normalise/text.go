package normalise

// Text is the whole pipeline for a recogniser hypothesis or a generated reply:
// Punctuate (tags, width folding, full-width punctuation, spaces, trim) and
// then ToHK. Punctuate runs first so that spaces a recogniser put between
// characters ("户 口 结 余") do not hide phrases from the conversion. Text is
// idempotent for valid UTF-8: Text(Text(s)) == Text(s).
func Text(s string) string {
	return ToHK(Punctuate(s))
}
