package opus

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A minimal Ogg (RFC 3533) muxer and demuxer for Ogg Opus (RFC 7845),
// written here rather than taken from the codec library so that the
// interop tests do not trust the code under test to frame its own output.

// oggCRC is the Ogg CRC-32: polynomial 0x04c11db7, no reflection, zero init.
var oggCRC = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for range 8 {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

func crc(b []byte) uint32 {
	var c uint32
	for _, x := range b {
		c = c<<8 ^ oggCRC[byte(c>>24)^x]
	}
	return c
}

// oggWriter writes one logical stream, one packet per page.
type oggWriter struct {
	w      io.Writer
	serial uint32
	seq    uint32
}

func (o *oggWriter) page(pkt []byte, granule uint64, flags byte) error {
	var lacing []byte
	n := len(pkt)
	for ; n >= 255; n -= 255 {
		lacing = append(lacing, 255)
	}
	lacing = append(lacing, byte(n))
	if len(lacing) > 255 {
		return errors.New("ogg: packet too large for one page")
	}
	h := make([]byte, 27, 27+len(lacing)+len(pkt))
	copy(h, "OggS")
	h[5] = flags
	binary.LittleEndian.PutUint64(h[6:], granule)
	binary.LittleEndian.PutUint32(h[14:], o.serial)
	binary.LittleEndian.PutUint32(h[18:], o.seq)
	h[26] = byte(len(lacing))
	h = append(append(h, lacing...), pkt...)
	binary.LittleEndian.PutUint32(h[22:], crc(h))
	o.seq++
	_, err := o.w.Write(h)
	return err
}

// writeOggOpus writes a mono Ogg Opus stream of 20 ms packets. The
// packets hold preSkip samples (at 48 kHz) of encoder delay followed by
// length samples of audio; the last page's granule position trims the rest
// (RFC 7845 §4.4).
func writeOggOpus(w io.Writer, packets [][]byte, preSkip, inputRate, length int) error {
	o := &oggWriter{w: w, serial: 0x79756563}
	head := make([]byte, 19)
	copy(head, "OpusHead")
	head[8], head[9] = 1, 1 // version, channels
	binary.LittleEndian.PutUint16(head[10:], uint16(preSkip))
	binary.LittleEndian.PutUint32(head[12:], uint32(inputRate))
	if err := o.page(head, 0, 0x02); err != nil {
		return err
	}
	vendor := "yuecall-test"
	tags := append([]byte("OpusTags"), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(tags[8:], uint32(len(vendor)))
	tags = append(append(tags, vendor...), 0, 0, 0, 0)
	if err := o.page(tags, 0, 0); err != nil {
		return err
	}
	end := uint64(preSkip + length)
	for i, p := range packets {
		granule := uint64(960 * (i + 1))
		var flags byte
		if i == len(packets)-1 {
			flags = 0x04
			if end > granule {
				return errors.New("ogg: packets end before the audio")
			}
			granule = end
		}
		if err := o.page(p, granule, flags); err != nil {
			return err
		}
	}
	return nil
}

// oggOpus is a demuxed mono or stereo Ogg Opus stream.
type oggOpus struct {
	channels  int
	preSkip   int
	inputRate int
	packets   [][]byte
}

// readOggOpus demuxes the first logical stream of b, checking every CRC.
func readOggOpus(b []byte) (*oggOpus, error) {
	var all [][]byte
	var cur []byte
	for len(b) > 0 {
		if len(b) < 27 || string(b[:4]) != "OggS" {
			return nil, errors.New("ogg: bad capture pattern")
		}
		nseg := int(b[26])
		if len(b) < 27+nseg {
			return nil, errors.New("ogg: short page header")
		}
		lacing := b[27 : 27+nseg]
		size := 0
		for _, l := range lacing {
			size += int(l)
		}
		end := 27 + nseg + size
		if len(b) < end {
			return nil, errors.New("ogg: short page")
		}
		page := bytes.Clone(b[:end])
		want := binary.LittleEndian.Uint32(page[22:])
		clear(page[22:26])
		if crc(page) != want {
			return nil, fmt.Errorf("ogg: page %d: CRC mismatch", binary.LittleEndian.Uint32(page[18:]))
		}
		data := b[27+nseg : end]
		for _, l := range lacing {
			cur = append(cur, data[:l]...)
			data = data[l:]
			if l < 255 {
				all = append(all, cur)
				cur = nil
			}
		}
		b = b[end:]
	}
	if len(all) < 2 || !bytes.HasPrefix(all[0], []byte("OpusHead")) || len(all[0]) < 19 {
		return nil, errors.New("ogg: no OpusHead")
	}
	if !bytes.HasPrefix(all[1], []byte("OpusTags")) {
		return nil, errors.New("ogg: no OpusTags")
	}
	h := all[0]
	return &oggOpus{channels: int(h[9]), preSkip: int(binary.LittleEndian.Uint16(h[10:])),
		inputRate: int(binary.LittleEndian.Uint32(h[12:])), packets: all[2:]}, nil
}
