package desk

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/yuecall/yuecall/events"
)

const maxBody = 16 << 10

// apiError is every API's error body.
type apiError struct {
	Error   string `json:"error"`
	Message string `json:"message"` // Traditional Chinese, fit to show
}

func jsonError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, apiError{Error: code, Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(v); err != nil {
		jsonError(w, http.StatusBadRequest, "bad_request", "請求格式錯誤")
		return false
	}
	return true
}

type loginReq struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

type meResp struct {
	Name string `json:"name"`
	Role string `json:"role"`
	CSRF string `json:"csrf"`
	Home string `json:"home"`
}

func home(role string) string {
	switch role {
	case RoleSupervisor:
		return "/supervisor"
	case RoleCompliance:
		return "/compliance"
	}
	return "/desk"
}

// login checks the password (rate limited per name and IP), starts a
// session and sets its cookie.
func (d *Desk) login(w http.ResponseWriter, r *http.Request) {
	if !d.originOK(r) {
		jsonError(w, http.StatusForbidden, "origin", "來源唔啱")
		return
	}
	var req loginReq
	if !readJSON(w, r, &req) {
		return
	}
	if len(req.Name) > 64 || len(req.Password) > MaxPasswordLen {
		jsonError(w, http.StatusUnauthorized, "bad_credentials", "用戶名稱或密碼錯誤")
		return
	}
	key := req.Name + "|" + remoteIP(r)
	if !d.limit.allow(key) {
		jsonError(w, http.StatusTooManyRequests, "rate_limited", "登入失敗太多次，請十五分鐘後再試")
		return
	}
	u, err := d.users.Verify(req.Name, req.Password)
	if err != nil {
		d.limit.fail(key)
		d.log.Warn("desk: sign-in failed", "user", req.Name, "remote", remoteIP(r))
		jsonError(w, http.StatusUnauthorized, "bad_credentials", "用戶名稱或密碼錯誤")
		return
	}
	d.limit.reset(key)
	ss := d.sess.create(u)
	d.setCookie(w, r, ss.id, int(d.cfg.MaxAge.Seconds()))
	d.audit(r.Context(), u, "sign_in", "", "", remoteIP(r))
	writeJSON(w, http.StatusOK, meResp{Name: u.Name, Role: u.Role, CSRF: ss.csrf, Home: home(u.Role)})
}

func (d *Desk) logout(w http.ResponseWriter, r *http.Request) {
	ss, _ := sessionFrom(r.Context())
	d.sess.remove(ss.id)
	d.setCookie(w, r, "", -1)
	d.audit(r.Context(), ss.user, "sign_out", "", "", remoteIP(r))
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (d *Desk) me(w http.ResponseWriter, r *http.Request) {
	ss, _ := sessionFrom(r.Context())
	writeJSON(w, http.StatusOK, meResp{Name: ss.user.Name, Role: ss.user.Role, CSRF: ss.csrf, Home: home(ss.user.Role)})
}

type callReq struct {
	CallID string `json:"call_id"`
	Mode   string `json:"mode,omitempty"` // join: barge | whisper
}

func validCallID(id string) bool {
	return id != "" && len(id) <= 128 && !strings.ContainsAny(id, ".*> \t\r\n")
}

// errNotReply marks a message on the reply inbox that is not a
// ControlReply (a JetStream PubAck when a stream holds the control subject).
var errNotReply = errors.New("desk: not a control reply")

// request sends a Control to a call and waits for its ControlReply. It
// uses its own inbox and skips other answers: when a JetStream stream
// covers <prefix>.> the stream acknowledges the request too, often first.
func (d *Desk) request(ctx context.Context, c events.Control) (events.ControlReply, error) {
	env, err := events.NewEnvelope(c.CallID, c, d.now())
	if err != nil {
		return events.ControlReply{}, err
	}
	b, _ := json.Marshal(env)
	ctx, cancel := context.WithTimeout(ctx, d.cfg.RequestTimeout)
	defer cancel()
	inbox := d.nc.NewInbox()
	sub, err := d.nc.SubscribeSync(inbox)
	if err != nil {
		return events.ControlReply{}, err
	}
	defer sub.Unsubscribe()
	if err := d.nc.PublishRequest(d.cfg.Subjects.Control(c.CallID), inbox, b); err != nil {
		return events.ControlReply{}, err
	}
	for {
		msg, err := sub.NextMsgWithContext(ctx)
		if err != nil {
			return events.ControlReply{}, err
		}
		if len(msg.Data) == 0 && msg.Header.Get("Status") == "503" {
			return events.ControlReply{}, nats.ErrNoResponders
		}
		if rep, err := parseReply(msg.Data); err == nil {
			return rep, nil
		}
	}
}

// parseReply accepts a ControlReply in an envelope (the contract) or bare;
// anything else (a PubAck) is errNotReply.
func parseReply(data []byte) (events.ControlReply, error) {
	var probe struct {
		Type   string          `json:"type"`
		Data   json.RawMessage `json:"data"`
		Stream *string         `json:"stream"`
		OK     *bool           `json:"ok"`
	}
	var rep events.ControlReply
	if err := json.Unmarshal(data, &probe); err != nil {
		return rep, errNotReply
	}
	switch {
	case probe.Type == events.TypeControlReply:
		if err := json.Unmarshal(probe.Data, &rep); err != nil {
			return rep, errNotReply
		}
		return rep, nil
	case probe.Type == "" && probe.Stream == nil && probe.OK != nil:
		if err := json.Unmarshal(data, &rep); err != nil {
			return rep, errNotReply
		}
		return rep, nil
	}
	return rep, errNotReply
}

// accept asks the call to take this agent; the first agent the call grants
// wins. An agent already on a call is refused (busy): only idle agents
// take hand-offs (all agents see the queue). On OK the page opens its WebRTC peer on the reply's JoinPath.
func (d *Desk) accept(w http.ResponseWriter, r *http.Request) {
	u, _ := UserFrom(r.Context())
	var req callReq
	if !readJSON(w, r, &req) {
		return
	}
	if !validCallID(req.CallID) {
		jsonError(w, http.StatusBadRequest, "bad_call", "通話編號錯誤")
		return
	}
	if calls := d.st.callsOf(u.Name); len(calls) > 0 && u.Role == RoleAgent {
		jsonError(w, http.StatusConflict, "busy", "你仲有通話未完，請先交返俾 AI 或者結束")
		return
	}
	rep, err := d.request(r.Context(), events.Control{CallID: req.CallID, Action: events.ControlAccept, User: u.Name, Role: u.Role})
	if err != nil {
		d.log.Warn("desk: accept request failed", "call", req.CallID, "err", err)
		status, code, msg := http.StatusGatewayTimeout, "timeout", "通話冇回應，請再試"
		if errors.Is(err, nats.ErrNoResponders) {
			status, code, msg = http.StatusNotFound, "no_such_call", "通話已經結束"
			d.dropHandoff(req.CallID, "ended")
		}
		jsonError(w, status, code, msg)
		return
	}
	if !rep.OK {
		d.dropHandoff(req.CallID, rep.Error)
		msg := rep.Message
		if msg == "" {
			msg = "接唔到呢個通話"
		}
		writeJSON(w, http.StatusConflict, apiError{Error: rep.Error, Message: msg})
		return
	}
	d.st.setAgent(req.CallID, u.Name, true)
	d.dropHandoff(req.CallID, "taken")
	d.boardUpdate(req.CallID, true, func(r *boardRow) { r.State, r.Agent = "agent", u.Name })
	d.audit(r.Context(), u, events.ControlAccept, req.CallID, "", remoteIP(r))
	writeJSON(w, http.StatusOK, rep)
}

// dropHandoff removes a hand-off from this node's queue and tells agents.
func (d *Desk) dropHandoff(callID, reason string) {
	if d.st.takeHandoff(callID) {
		d.toView(viewAgent, map[string]any{"type": "handoff_gone", "call_id": callID, "reason": reason}, true)
	}
}

// summary asks the call for its summary now (the agent's /summary); an
// agent may ask only about a call they are on.
func (d *Desk) summary(w http.ResponseWriter, r *http.Request) {
	u, _ := UserFrom(r.Context())
	id := r.URL.Query().Get("call_id")
	if !d.mayAct(w, u, id) {
		return
	}
	rep, err := d.request(r.Context(), events.Control{CallID: id, Action: events.ControlSummary, User: u.Name, Role: u.Role})
	if err != nil || !rep.OK || rep.Summary == nil {
		jsonError(w, http.StatusGatewayTimeout, "no_summary", "攞唔到摘要，請再試")
		return
	}
	sm := *rep.Summary
	sm.Text = mask(sm.Text)
	for k, v := range sm.Slots {
		sm.Slots[k] = mask(v)
	}
	writeJSON(w, http.StatusOK, sm)
}

// mayAct answers 400 or 403 unless callID is well formed and u is on that
// call (a supervisor may act on any call).
func (d *Desk) mayAct(w http.ResponseWriter, u User, callID string) bool {
	if !validCallID(callID) {
		jsonError(w, http.StatusBadRequest, "bad_call", "通話編號錯誤")
		return false
	}
	if u.Role != RoleSupervisor && !d.st.isOn(callID, u.Name) {
		jsonError(w, http.StatusForbidden, "not_on_call", "你唔喺呢個通話")
		return false
	}
	return true
}

// controlHandler publishes hand_back or end for a call the agent is on
// (a supervisor may act on any call).
func (d *Desk) controlHandler(action string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := UserFrom(r.Context())
		var req callReq
		if !readJSON(w, r, &req) {
			return
		}
		if !d.mayAct(w, u, req.CallID) {
			return
		}
		if err := d.publish(req.CallID, events.Control{CallID: req.CallID, Action: action, User: u.Name, Role: u.Role}); err != nil {
			jsonError(w, http.StatusServiceUnavailable, "nats", "系統暫時唔用得，請再試")
			return
		}
		d.st.setAgent(req.CallID, u.Name, false)
		d.audit(r.Context(), u, action, req.CallID, "", remoteIP(r))
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
}

// publish sends a payload of a call in its envelope.
func (d *Desk) publish(callID string, p events.Payload) error {
	env, err := events.NewEnvelope(callID, p, d.now())
	if err != nil {
		return err
	}
	b, _ := json.Marshal(env)
	return d.nc.Publish(d.cfg.Subjects.SubjectFor(callID, p), b)
}

func (d *Desk) board(w http.ResponseWriter, r *http.Request) {
	d.st.mu.Lock()
	rows := make([]boardRow, 0, len(d.st.board))
	for _, b := range d.st.board {
		rows = append(rows, d.st.rowCopyLocked(b))
	}
	alerts := append([]alertMsg(nil), d.st.alerts...)
	d.st.mu.Unlock()
	sort.Slice(rows, func(i, j int) bool { return rows[i].CallID < rows[j].CallID })
	writeJSON(w, http.StatusOK, map[string]any{"calls": rows, "alerts": alerts})
}

// join lets a supervisor barge in (caller and agent hear them) or whisper
// (only the agent does): a Control request to the call; the page then
// opens WebRTC on join_path (the call's, or JoinPath?call=…&mode=…).
func (d *Desk) join(w http.ResponseWriter, r *http.Request) {
	u, _ := UserFrom(r.Context())
	var req callReq
	if !readJSON(w, r, &req) {
		return
	}
	if !validCallID(req.CallID) || (req.Mode != events.ControlBarge && req.Mode != events.ControlWhisper) {
		jsonError(w, http.StatusBadRequest, "bad_request", "請求格式錯誤")
		return
	}
	rep, err := d.request(r.Context(), events.Control{CallID: req.CallID, Action: req.Mode, User: u.Name, Role: u.Role})
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		jsonError(w, http.StatusNotFound, "no_such_call", "通話已經結束")
		return
	case err != nil: // published, but the call did not answer: join anyway
		rep = events.ControlReply{CallID: req.CallID, OK: true}
	case !rep.OK:
		writeJSON(w, http.StatusConflict, apiError{Error: rep.Error, Message: rep.Message})
		return
	}
	if rep.JoinPath == "" {
		rep.JoinPath = d.cfg.JoinPath + "?call=" + url.QueryEscape(req.CallID)
	}
	if !strings.Contains(rep.JoinPath, "mode=") {
		rep.JoinPath += "&mode=" + req.Mode
	}
	d.audit(r.Context(), u, req.Mode, req.CallID, "", remoteIP(r))
	writeJSON(w, http.StatusOK, rep)
}

func (d *Desk) reviews(w http.ResponseWriter, r *http.Request) {
	d.st.mu.Lock()
	out := make([]reviewMsg, 0, len(d.st.reviews))
	for _, rv := range d.st.reviews {
		out = append(out, d.st.reviewCopyLocked(rv))
	}
	d.st.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].LeftMs < out[j].LeftMs })
	writeJSON(w, http.StatusOK, out)
}

type decisionReq struct {
	ReviewID string `json:"review_id"`
	Decision string `json:"decision"`
	Text     string `json:"text,omitempty"`
}

// decide sends a compliance officer's verdict to the waiting call.
func (d *Desk) decide(w http.ResponseWriter, r *http.Request) {
	u, _ := UserFrom(r.Context())
	var req decisionReq
	if !readJSON(w, r, &req) {
		return
	}
	rv, ok, timedOut := d.st.review(req.ReviewID)
	switch {
	case !ok:
		jsonError(w, http.StatusNotFound, "no_such_review", "冇呢個審批（可能已經處理咗）")
		return
	case timedOut:
		jsonError(w, http.StatusGone, "timeout", "已經逾時，通話已轉交職員")
		return
	}
	dec := events.ReviewDecision{CallID: rv.CallID, ReviewID: rv.ReviewID, Decision: req.Decision, Reviewer: u.Name}
	switch req.Decision {
	case events.DecisionApprove:
		dec.Text = rv.Draft
	case events.DecisionEdit:
		dec.Text = strings.TrimSpace(req.Text)
		if dec.Text == "" || len(dec.Text) > 4000 {
			jsonError(w, http.StatusBadRequest, "bad_text", "修改後嘅內容唔可以留空")
			return
		}
	case events.DecisionReject:
	default:
		jsonError(w, http.StatusBadRequest, "bad_decision", "決定必須係批准、修改或拒絕")
		return
	}
	if err := d.publish(rv.CallID, dec); err != nil {
		jsonError(w, http.StatusServiceUnavailable, "nats", "系統暫時唔用得，請再試")
		return
	}
	if d.st.removeReview(rv.ReviewID) {
		d.toView(viewCompliance, map[string]any{"type": "review_gone", "review_id": rv.ReviewID, "decision": req.Decision}, true)
	}
	detail := "review " + rv.ReviewID
	if req.Decision == events.DecisionEdit {
		detail += ": " + mask(dec.Text)
	}
	d.audit(r.Context(), u, req.Decision, rv.CallID, detail, remoteIP(r))
	writeJSON(w, http.StatusOK, dec)
}

// parseRange reads from/to (RFC 3339 or YYYY-MM-DD, Hong Kong time); the
// default is today in Hong Kong.
func parseRange(q url.Values, now time.Time) (time.Time, time.Time, error) {
	loc := hongKong()
	day := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	from, to := day, now
	parse := func(s string, end bool) (time.Time, error) {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, nil
		}
		t, err := time.ParseInLocation("2006-01-02", s, loc)
		if err == nil && end {
			t = t.AddDate(0, 0, 1)
		}
		return t, err
	}
	var err error
	if s := q.Get("from"); s != "" {
		if from, err = parse(s, false); err != nil {
			return from, to, err
		}
	}
	if s := q.Get("to"); s != "" {
		if to, err = parse(s, true); err != nil {
			return from, to, err
		}
	}
	if !to.After(from) || to.Sub(from) > 400*24*time.Hour {
		return from, to, errors.New("desk: bad range")
	}
	return from, to, nil
}

func hongKong() *time.Location {
	if loc, err := time.LoadLocation("Asia/Hong_Kong"); err == nil {
		return loc
	}
	return time.FixedZone("HKT", 8*3600)
}
