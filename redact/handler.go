package redact

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
)

// Handler is a slog.Handler that masks personal data with Text before the
// handler it wraps sees a record, so that a logger built on it cannot print
// an HKID, a card, account or phone number or an e-mail address.
//
// It masks the message and every attribute value, in groups too and in
// attributes added with WithAttrs; LogValuers are resolved first. String
// values are masked in place. Numbers, errors, Stringers and any other
// value are formatted (errors with Error, others with %+v) and, when Text
// changes that text, replaced by the masked string; otherwise they pass
// unchanged so handlers keep their types. Keys, group names, times,
// durations and booleans are not masked.
type Handler struct {
	next slog.Handler
}

var _ slog.Handler = (*Handler)(nil)

// NewHandler returns a Handler that masks records and hands them to next.
func NewHandler(next slog.Handler) slog.Handler {
	return &Handler{next: next}
}

// Enabled reports whether the wrapped handler handles records at level l.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle masks the record's message and attributes and passes a masked copy
// on; r itself is not modified.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Text(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(maskAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs masks attrs and returns a Handler over next.WithAttrs.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{next: h.next.WithAttrs(maskAttrs(attrs))}
}

// WithGroup returns a Handler over next.WithGroup(name).
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name)}
}

func maskAttrs(attrs []slog.Attr) []slog.Attr {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = maskAttr(a)
	}
	return out
}

func maskAttr(a slog.Attr) slog.Attr {
	a.Value = maskValue(a.Value)
	return a
}

// maskValue returns v with personal data masked (see Handler).
func maskValue(v slog.Value) slog.Value {
	v = v.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.StringValue(Text(v.String()))
	case slog.KindGroup:
		return slog.GroupValue(maskAttrs(v.Group())...)
	case slog.KindInt64:
		return maskFormatted(v, strconv.FormatInt(v.Int64(), 10))
	case slog.KindUint64:
		return maskFormatted(v, strconv.FormatUint(v.Uint64(), 10))
	case slog.KindFloat64:
		return maskFormatted(v, strconv.FormatFloat(v.Float64(), 'f', -1, 64))
	case slog.KindAny:
		return maskAny(v)
	}
	return v
}

// maskAny formats an arbitrary value the way a handler would show it and
// masks that. fmt recovers from panicking Error and String methods.
func maskAny(v slog.Value) slog.Value {
	switch x := v.Any().(type) {
	case nil:
		return v
	case []byte:
		return maskFormatted(v, string(x))
	case error, fmt.Stringer:
		return maskFormatted(v, fmt.Sprint(x))
	default:
		return maskFormatted(v, fmt.Sprintf("%+v", x))
	}
}

// maskFormatted returns the masked text of s when Text changes it, else v.
func maskFormatted(v slog.Value, s string) slog.Value {
	if m := Text(s); m != s {
		return slog.StringValue(m)
	}
	return v
}
