package desk

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/yuecall/yuecall/events"
)

// Audit limits.
const (
	maxAuditView   = 1000   // rows in the JSON view (the latest)
	maxAuditExport = 200000 // rows in one CSV export
)

// ensureAuditStream finds the stream that keeps <prefix>.audit.> (the
// events stream over <prefix>.> does when serve made it first) or creates
// Config.AuditStream over just those subjects, on file storage. JetStream
// refuses overlapping streams: once YUECALL_AUDIT exists, a stream over
// <prefix>.> cannot be created, so create the events stream first.
func (d *Desk) ensureAuditStream(ctx context.Context) error {
	subj := d.prefix + "audit.>"
	name, err := d.js.StreamNameBySubject(ctx, subj)
	if err == nil && name != "" {
		d.auditStream = name
		if name != d.cfg.AuditStream {
			d.log.Warn("desk: audit records are kept in the events stream, with its retention", "stream", name)
		}
		return nil
	}
	if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("desk: audit stream lookup: %w", err)
	}
	_, err = d.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: d.cfg.AuditStream, Subjects: []string{subj},
		Storage: jetstream.FileStorage, MaxAge: d.cfg.AuditMaxAge, Discard: jetstream.DiscardOld})
	if err != nil {
		return fmt.Errorf("desk: audit stream %s: %w", d.cfg.AuditStream, err)
	}
	d.auditStream = d.cfg.AuditStream
	return nil
}

// audit records a human action durably: a JetStream publish that waits for
// the stream's acknowledgement (logged, not fatal, when it fails).
func (d *Desk) audit(ctx context.Context, u User, action, callID, detail, remote string) {
	a := events.Audit{User: u.Name, Role: u.Role, Action: action, CallID: callID, Detail: mask(detail), Remote: remote}
	env, err := events.NewEnvelope(callID, a, d.now())
	if err != nil {
		return
	}
	b, _ := json.Marshal(env)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	if _, err := d.js.Publish(ctx, d.cfg.Subjects.Audit(action), b); err != nil {
		d.log.Error("desk: audit record not stored", "action", action, "user", u.Name, "err", err)
	}
}

// AuditRow is one audit record as the log view and the CSV show it.
type AuditRow struct {
	Type   string `json:"type"` // audit
	Time   string `json:"time"`
	User   string `json:"user"`
	Role   string `json:"role"`
	Action string `json:"action"`
	CallID string `json:"call_id,omitempty"`
	Detail string `json:"detail,omitempty"`
	Remote string `json:"remote,omitempty"`
}

func auditRow(t string, a events.Audit) AuditRow {
	return AuditRow{Type: "audit", Time: t, User: a.User, Role: a.Role, Action: a.Action, CallID: a.CallID,
		Detail: mask(a.Detail), Remote: a.Remote}
}

// readAudit replays the audit records stored between from and to, oldest
// first, at most max (the latest max when there are more).
func (d *Desk) readAudit(ctx context.Context, from, to time.Time, max int) ([]AuditRow, error) {
	var rows []AuditRow
	err := d.replay(ctx, d.auditStream, []string{d.prefix + "audit.>"}, from, to, func(env events.Envelope) {
		var a events.Audit
		if json.Unmarshal(env.Data, &a) != nil || env.Type != events.TypeAudit {
			return
		}
		if len(rows) == max {
			rows = append(rows[:0], rows[1:]...)
		}
		rows = append(rows, auditRow(env.Time, a))
	})
	return rows, err
}

// replay delivers every message of stream on subjects stored in [from, to)
// through an ordered consumer that starts at from.
func (d *Desk) replay(ctx context.Context, stream string, subjects []string, from, to time.Time, f func(events.Envelope)) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cons, err := d.js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{FilterSubjects: subjects,
		DeliverPolicy: jetstream.DeliverByStartTimePolicy, OptStartTime: &from})
	if err != nil {
		return fmt.Errorf("desk: replay %s: %w", stream, err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return fmt.Errorf("desk: replay %s: %w", stream, err)
	}
	if info.NumPending == 0 {
		return nil
	}
	for {
		batch, err := cons.Fetch(500, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return fmt.Errorf("desk: replay %s: %w", stream, err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			meta, err := m.Metadata()
			if err != nil {
				continue
			}
			if !meta.Timestamp.Before(to) {
				return nil
			}
			var env events.Envelope
			if json.Unmarshal(m.Data(), &env) == nil {
				f(env)
			}
			if meta.NumPending == 0 {
				return nil
			}
		}
		if err := batch.Error(); err != nil {
			return fmt.Errorf("desk: replay %s: %w", stream, err)
		}
		if n == 0 || ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

func (d *Desk) auditJSON(w http.ResponseWriter, r *http.Request) {
	from, to, err := parseRange(r.URL.Query(), d.now())
	if err != nil {
		jsonError(w, http.StatusBadRequest, "bad_range", "日期範圍錯誤")
		return
	}
	rows, err := d.readAudit(r.Context(), from, to, maxAuditView)
	if err != nil {
		d.log.Error("desk: audit read", "err", err)
		jsonError(w, http.StatusServiceUnavailable, "stream", "讀唔到審計紀錄")
		return
	}
	writeJSON(w, http.StatusOK, rows)
}

// auditCSV exports the audit log of a range as CSV (UTF-8 with BOM, so
// spreadsheet programs show Chinese), every cell escaped against formula
// injection. The export is itself audited.
func (d *Desk) auditCSV(w http.ResponseWriter, r *http.Request) {
	u, _ := UserFrom(r.Context())
	from, to, err := parseRange(r.URL.Query(), d.now())
	if err != nil {
		jsonError(w, http.StatusBadRequest, "bad_range", "日期範圍錯誤")
		return
	}
	rows, err := d.readAudit(r.Context(), from, to, maxAuditExport)
	if err != nil {
		jsonError(w, http.StatusServiceUnavailable, "stream", "讀唔到審計紀錄")
		return
	}
	d.audit(r.Context(), u, "export", "", fmt.Sprintf("audit %s..%s, %d rows", from.Format(time.RFC3339),
		to.Format(time.RFC3339), len(rows)), remoteIP(r))
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="yuecall-audit-`+from.Format("20060102")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_ = writeAuditCSV(w, rows)
}

func writeAuditCSV(w interface{ Write([]byte) (int, error) }, rows []AuditRow) error {
	if _, err := w.Write([]byte("\ufeff")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"time", "user", "role", "action", "call_id", "detail", "remote"})
	for _, r := range rows {
		rec := []string{r.Time, r.User, r.Role, r.Action, r.CallID, r.Detail, r.Remote}
		for i := range rec {
			rec[i] = csvCell(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvCell defuses spreadsheet formulas (OWASP CSV injection): a cell that
// starts with = + - @, tab or carriage return gets a leading apostrophe.
func csvCell(s string) string {
	if s == "" {
		return s
	}
	if strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
