package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"

	"github.com/yuecall/yuecall/audio"
)

// The memory tier keeps the decoded samples of recently used entries in
// their disk entry (entry.pcm), so a hit costs neither a file read nor a
// checksum nor a fresh slice. It is bounded by Config.MemBytes and shares
// the disk tier's use clock, so least recently used entries leave first.
// Living inside the disk index keeps the tiers coherent: whatever removes
// an entry from Cache.files (MaxBytes eviction, a corrupt or vanished file,
// forget) drops its samples too, and samples are only ever attached to an
// entry that is in Cache.files.
//
// Sharing: entry.pcm is read-only once attached. Every hit hands it to a
// memStream, which only copies out of it and reslices its own header; the
// Cache never writes into it again (a replacement attaches a new slice),
// and attach clips its capacity so no append can reach the backing array.

// fileName is an entry's file name, built without allocating so that a hit
// can look up Cache.files with string(key[:]) for free.
type fileName [2*sha256.Size + len(fileExt)]byte

// fileKey is name without the allocations: sha256 of the same bytes.
func (c *Cache) fileKey(lang string, rate int, text string) fileName {
	var stack [512]byte
	var digits [20]byte
	r := strconv.AppendInt(digits[:0], int64(rate), 10)
	b := appendPart(stack[:0], c.cfg.Key)
	b = appendPart(b, lang)
	b = strconv.AppendInt(b, int64(len(r)), 10)
	b = append(append(b, '|'), r...)
	b = appendPart(b, text)
	sum := sha256.Sum256(b)
	var k fileName
	hex.Encode(k[:], sum[:])
	copy(k[2*sha256.Size:], fileExt)
	return k
}

func appendPart(b []byte, part string) []byte {
	b = strconv.AppendInt(b, int64(len(part)), 10)
	return append(append(b, '|'), part...)
}

// memGet returns the resident samples of the file k and marks it used.
func (c *Cache) memGet(k *fileName) (audio.PCM16, int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.files[string(k[:])]
	if e == nil || e.pcm == nil {
		return nil, 0, false
	}
	c.clock++
	e.used = c.clock
	return e.pcm, e.rate, true
}

// attach keeps pcm (which nobody may write into afterwards) in memory as
// the samples of the file name, if it is still indexed and fits MemBytes,
// then drops the least recently used samples beyond MemBytes. c.mu is held.
func (c *Cache) attach(name string, pcm audio.PCM16, rate int) {
	e := c.files[name]
	size := 2 * int64(len(pcm))
	if e == nil || len(pcm) == 0 || size > c.cfg.MemBytes {
		return
	}
	if cap(pcm) > len(pcm)+len(pcm)/8 {
		pcm = slices.Clone(pcm) // do not pin a grown buffer's slack
	}
	c.detach(e)
	e.pcm, e.rate = slices.Clip(pcm), rate
	c.memBytes += size
	for c.memBytes > c.cfg.MemBytes {
		var oldest *entry
		for _, o := range c.files {
			if o.pcm != nil && o != e && (oldest == nil || o.used < oldest.used) {
				oldest = o
			}
		}
		if oldest == nil {
			break
		}
		c.detach(oldest)
	}
}

// detach drops e's samples from memory. c.mu is held.
func (c *Cache) detach(e *entry) {
	if e.pcm != nil {
		c.memBytes -= 2 * int64(len(e.pcm))
		e.pcm, e.rate = nil, 0
	}
}

// unindex removes the file name from the index, with its samples. c.mu is
// held.
func (c *Cache) unindex(name string) {
	if e := c.files[name]; e != nil {
		c.detach(e)
		c.bytes -= e.size
		delete(c.files, name)
	}
}
