package audio

// ITU-T G.711 (11/88) companding: µ-law (section 3, North America/Japan) and
// A-law (section 2, Europe/Hong Kong). The codes follow the standard's
// character signals after the even-bit inversion (A-law) and full inversion
// (µ-law), so they go on the wire as they are.
//
// Encoding is one lookup in a table indexed by the top 14 (µ-law) or 13
// (A-law) bits of the sample, which is the resolution G.711 itself works at;
// decoding is one lookup in a 256-entry table. The tables are built once at
// package initialisation from the reference algorithms (ITU-T G.191 STL
// g711.c, which agrees with the widely copied Sun g711.c except that it
// treats negative µ-law samples by one's complement).

// ulawBias (132) is added to the magnitude so each segment starts at a power of two.
const ulawBias = 0x84

var (
	ulawDecodeTable [256]int16
	alawDecodeTable [256]int16
	ulawEncodeTable [1 << 14]byte // indexed by uint16(s) >> 2
	alawEncodeTable [1 << 13]byte // indexed by uint16(s) >> 3
)

func init() {
	for i := range 256 {
		ulawDecodeTable[i] = ulawDecodeRef(byte(i))
		alawDecodeTable[i] = alawDecodeRef(byte(i))
	}
	for i := range len(ulawEncodeTable) {
		ulawEncodeTable[i] = ulawEncodeRef(int16(uint16(i) << 2))
	}
	for i := range len(alawEncodeTable) {
		alawEncodeTable[i] = alawEncodeRef(int16(uint16(i) << 3))
	}
}

// ULawEncode compresses one linear sample to a G.711 µ-law code.
func ULawEncode(s int16) byte { return ulawEncodeTable[uint16(s)>>2] }

// ULawDecode expands one G.711 µ-law code to a linear sample. Both zero codes
// (0xFF and 0x7F) decode to 0; the extremes are ±32124.
func ULawDecode(b byte) int16 { return ulawDecodeTable[b] }

// ALawEncode compresses one linear sample to a G.711 A-law code.
func ALawEncode(s int16) byte { return alawEncodeTable[uint16(s)>>3] }

// ALawDecode expands one G.711 A-law code to a linear sample (±8 … ±32256).
func ALawDecode(b byte) int16 { return alawDecodeTable[b] }

// EncodeULaw appends the µ-law codes of src to dst and returns the extended
// slice. It does not allocate when dst has room for len(src) more bytes.
func EncodeULaw(dst []byte, src PCM16) []byte {
	n := len(dst)
	dst = growBytes(dst, len(src))
	out := dst[n : n+len(src)]
	for i, s := range src {
		out[i] = ulawEncodeTable[uint16(s)>>2]
	}
	return dst
}

// DecodeULaw appends the linear samples of the µ-law codes in src to dst and
// returns the extended slice. It does not allocate when dst has room.
func DecodeULaw(dst PCM16, src []byte) PCM16 {
	n := len(dst)
	dst = growPCM(dst, len(src))
	out := dst[n : n+len(src)]
	for i, b := range src {
		out[i] = ulawDecodeTable[b]
	}
	return dst
}

// EncodeALaw appends the A-law codes of src to dst and returns the extended
// slice. It does not allocate when dst has room for len(src) more bytes.
func EncodeALaw(dst []byte, src PCM16) []byte {
	n := len(dst)
	dst = growBytes(dst, len(src))
	out := dst[n : n+len(src)]
	for i, s := range src {
		out[i] = alawEncodeTable[uint16(s)>>3]
	}
	return dst
}

// DecodeALaw appends the linear samples of the A-law codes in src to dst and
// returns the extended slice. It does not allocate when dst has room.
func DecodeALaw(dst PCM16, src []byte) PCM16 {
	n := len(dst)
	dst = growPCM(dst, len(src))
	out := dst[n : n+len(src)]
	for i, b := range src {
		out[i] = alawDecodeTable[b]
	}
	return dst
}

// growBytes extends b by n elements, reallocating only when capacity is short.
func growBytes(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b[:len(b)+n]
	}
	nb := make([]byte, len(b)+n, 2*len(b)+n)
	copy(nb, b)
	return nb
}

// growPCM extends s by n samples, reallocating only when capacity is short.
func growPCM(s PCM16, n int) PCM16 {
	if cap(s)-len(s) >= n {
		return s[:len(s)+n]
	}
	ns := make(PCM16, len(s)+n, 2*len(s)+n)
	copy(ns, s)
	return ns
}

// ulawEncodeRef is the G.711 µ-law encoder on 14-bit magnitudes, as in the
// ITU-T G.191 reference software: negative samples use the one's complement
// magnitude, so s and -s-1 get mirror-image codes and -1 encodes as -0.
func ulawEncodeRef(s int16) byte {
	v, mask := int(s)>>2, byte(0xFF)
	if s < 0 {
		v, mask = int(^s)>>2, 0x7F
	}
	v = min(v+ulawBias>>2, 0x1FFF)
	seg := segment(v, 0x3F) // segment ends 0x3F, 0x7F, …, 0x1FFF
	code := byte(seg<<4) | byte((v>>(seg+1))&0x0F)
	return code ^ mask
}

// ulawDecodeRef is the G.711 µ-law decoder.
func ulawDecodeRef(b byte) int16 {
	u := ^b
	t := (int(u&0x0F) << 3) + ulawBias
	t <<= (u & 0x70) >> 4
	if u&0x80 != 0 {
		return int16(ulawBias - t)
	}
	return int16(t - ulawBias)
}

// alawEncodeRef is the G.711 A-law encoder on 13-bit values; -v-1 is the
// one's complement magnitude, as in G.191.
func alawEncodeRef(s int16) byte {
	v := int(s) >> 3
	mask := byte(0xD5) // sign bit set plus even-bit inversion
	if v < 0 {
		mask = 0x55
		v = -v - 1
	}
	seg := segment(v, 0x1F) // segment ends 0x1F, 0x3F, …, 0xFFF
	if seg >= 8 {
		return 0x7F ^ mask
	}
	code := byte(seg << 4)
	if seg < 2 {
		code |= byte((v >> 1) & 0x0F)
	} else {
		code |= byte((v >> seg) & 0x0F)
	}
	return code ^ mask
}

// alawDecodeRef is the G.711 A-law decoder.
func alawDecodeRef(b byte) int16 {
	a := b ^ 0x55
	t := int(a&0x0F) << 4
	seg := int(a&0x70) >> 4
	switch seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t += 0x108
		t <<= seg - 1
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}

// segment returns the index of the first of the eight doubling segment ends,
// starting at first, that v does not exceed; 8 means above the last.
func segment(v, first int) int {
	end := first
	for seg := range 8 {
		if v <= end {
			return seg
		}
		end = end<<1 | 1
	}
	return 8
}
