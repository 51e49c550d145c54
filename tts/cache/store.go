package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/yuecall/yuecall/audio"
)

const (
	fileExt = ".wav"
	tempExt = ".tmp"
	// A stored file is a canonical 44-byte-header WAV (audio.WriteWAV)
	// followed by a "ycsm" chunk holding the sha256 of the sample bytes;
	// WAV readers skip the unknown chunk.
	wavHeader = 44
	sumChunk  = "ycsm"
	sumSize   = 8 + sha256.Size
)

// errCorrupt reports a cache file that must not be served.
var errCorrupt = errors.New("cache: corrupt file")

// entry is one file in Dir.
type entry struct {
	size int64
	used uint64 // Cache.clock at the last use
	// pcm, when not nil, is the memory tier's read-only copy of the
	// file's samples at rate (see mem.go); nothing writes into it.
	pcm  audio.PCM16
	rate int
}

// scan indexes the WAV files in Dir, oldest first, and deletes temporary
// files left by an interrupted store.
func (c *Cache) scan() error {
	des, err := os.ReadDir(c.cfg.Dir)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	type found struct {
		name string
		info fs.FileInfo
	}
	var list []found
	for _, de := range des {
		name := de.Name()
		switch {
		case strings.HasSuffix(name, tempExt):
			_ = os.Remove(c.path(name))
		case strings.HasSuffix(name, fileExt) && de.Type().IsRegular():
			if info, err := de.Info(); err == nil {
				list = append(list, found{name, info})
			}
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].info.ModTime().Before(list[j].info.ModTime()) })
	for _, f := range list {
		c.clock++
		c.files[f.name] = &entry{size: f.info.Size(), used: c.clock}
		c.bytes += f.info.Size()
	}
	return nil
}

// load reads and checks the file name; a corrupt one is deleted. A sound
// one is kept in the memory tier, so its checksum is verified once per
// stay in memory.
func (c *Cache) load(name string) (audio.PCM16, int, bool) {
	b, err := os.ReadFile(c.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		c.forget(name)
		return nil, 0, false
	}
	var pcm audio.PCM16
	var rate int
	if err == nil {
		pcm, rate, err = decode(b)
	}
	if err != nil {
		c.corrupt.Add(1)
		c.log.Warn("prompt cache: deleting unreadable file", "file", name, "err", err)
		_ = os.Remove(c.path(name))
		c.forget(name)
		return nil, 0, false
	}
	c.mu.Lock()
	if e := c.files[name]; e != nil {
		c.clock++
		e.used = c.clock
		c.attach(name, pcm, rate)
	}
	c.mu.Unlock()
	return pcm, rate, true
}

// forget drops the file name from both tiers (the caller deletes it).
func (c *Cache) forget(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unindex(name)
}

// store writes pcm as the file name through a temporary file and a rename
// (so a reader never sees a partial file), then evicts older files beyond
// MaxBytes. pcm is also kept in the memory tier, so the caller must not
// write into it afterwards.
func (c *Cache) store(name string, pcm audio.PCM16, rate int) error {
	b, err := encode(pcm, rate)
	if err != nil {
		return err
	}
	if int64(len(b)) > c.cfg.MaxBytes {
		return fmt.Errorf("cache: %d bytes of audio exceed max_bytes %d", len(b), c.cfg.MaxBytes)
	}
	if err := c.writeAtomic(name, b); err != nil {
		return err
	}
	c.mu.Lock()
	c.unindex(name)
	c.clock++
	c.files[name] = &entry{size: int64(len(b)), used: c.clock}
	c.bytes += int64(len(b))
	c.attach(name, pcm, rate)
	c.mu.Unlock()
	c.evict(name)
	return nil
}

func (c *Cache) writeAtomic(name string, b []byte) error {
	f, err := os.CreateTemp(c.cfg.Dir, strings.TrimSuffix(name, fileExt)+"-*"+tempExt)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	// No fsync: after a crash a torn file fails its checksum and is
	// synthesised again, and the store stays off the caller's critical path.
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), c.path(name))
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}

// evict deletes the least recently used files, other than keep, until the
// cache fits MaxBytes.
func (c *Cache) evict(keep string) {
	var victims []string
	c.mu.Lock()
	for c.bytes > c.cfg.MaxBytes {
		oldest := ""
		for name, e := range c.files {
			if name != keep && (oldest == "" || e.used < c.files[oldest].used) {
				oldest = name
			}
		}
		if oldest == "" {
			break
		}
		c.unindex(oldest) // its memory copy goes too
		victims = append(victims, oldest)
	}
	c.mu.Unlock()
	for _, name := range victims {
		c.evicted.Add(1)
		_ = os.Remove(c.path(name))
	}
}

// encode returns the stored form of pcm at rate.
func encode(pcm audio.PCM16, rate int) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(wavHeader + 2*len(pcm) + sumSize)
	if err := audio.WriteWAV(&buf, pcm, rate); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	sum := sha256.Sum256(buf.Bytes()[wavHeader:])
	buf.WriteString(sumChunk)
	_ = binary.Write(&buf, binary.LittleEndian, uint32(sha256.Size))
	buf.Write(sum[:])
	b := buf.Bytes()
	binary.LittleEndian.PutUint32(b[4:8], uint32(len(b)-8))
	return b, nil
}

// decode checks a stored file (layout, sizes, format and checksum) and
// returns its samples and rate.
func decode(b []byte) (audio.PCM16, int, error) {
	le := binary.LittleEndian
	if len(b) < wavHeader+sumSize {
		return nil, 0, fmt.Errorf("%w: %d bytes", errCorrupt, len(b))
	}
	dataLen := len(b) - wavHeader - sumSize
	switch {
	case string(b[0:4]) != "RIFF" || string(b[8:16]) != "WAVEfmt " || string(b[36:40]) != "data":
		return nil, 0, fmt.Errorf("%w: not a cache WAV file", errCorrupt)
	case le.Uint32(b[4:8]) != uint32(len(b)-8) || le.Uint32(b[40:44]) != uint32(dataLen):
		return nil, 0, fmt.Errorf("%w: sizes do not match a %d-byte file", errCorrupt, len(b))
	case le.Uint32(b[16:20]) != 16 || le.Uint16(b[20:22]) != 1 || le.Uint16(b[22:24]) != 1 ||
		le.Uint16(b[32:34]) != 2 || le.Uint16(b[34:36]) != 16 || dataLen%2 != 0:
		return nil, 0, fmt.Errorf("%w: not 16-bit mono PCM", errCorrupt)
	}
	rate := int(le.Uint32(b[24:28]))
	if rate <= 0 || rate > audio.MaxRate || le.Uint32(b[28:32]) != uint32(2*rate) {
		return nil, 0, fmt.Errorf("%w: sample rate %d", errCorrupt, rate)
	}
	data, tail := b[wavHeader:wavHeader+dataLen], b[wavHeader+dataLen:]
	sum := sha256.Sum256(data)
	if string(tail[:4]) != sumChunk || le.Uint32(tail[4:8]) != sha256.Size || !bytes.Equal(tail[8:], sum[:]) {
		return nil, 0, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	pcm := make(audio.PCM16, dataLen/2)
	for i := range pcm {
		pcm[i] = int16(le.Uint16(data[2*i:]))
	}
	return pcm, rate, nil
}
