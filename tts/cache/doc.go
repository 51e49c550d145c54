// Package cache keeps synthesised audio of fixed prompts (IVR menus,
// greetings, disclaimers) on disk, so a call hears them without waiting for
// the provider and the provider is not paid for them again.
//
// Only texts registered with Add or Warm are cached; every other text goes
// to the wrapped synthesiser untouched. Entries are WAV files (native rate,
// 16-bit mono) named by sha256(provider and voice key | language | rate |
// text), written through a temporary file and a rename, and carrying a
// sha256 of their samples so a corrupt or truncated file is detected,
// deleted and synthesised again, never served. The directory is bounded by
// Config.MaxBytes, least recently used entries going first. In front of
// the files, a memory tier bounded by Config.MemBytes keeps the decoded
// samples of the most recently used entries, shared read-only by every
// stream that plays them, so a hit reads no file and allocates only its
// stream; an entry leaves memory whenever its file leaves the index.
//
// It imports audio and tts only.
package cache
