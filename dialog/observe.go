package dialog

// Overheard records a caller turn that a human, not the engine, answers (an
// agent has the call): it joins the history and drives Suggestions and
// Summary; the engine says nothing.
func (c *Conversation) Overheard(text string) {
	c.add(Turn{Speaker: Caller, Text: text})
	c.st.lastCaller = text
}
