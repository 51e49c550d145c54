package webrtc

import (
	"encoding/json"
	"fmt"
	"net"
	"reflect"
	"testing"
	"time"

	"github.com/pion/turn/v5"
	pion "github.com/pion/webrtc/v4"

	"github.com/yuecall/yuecall/audio"
)

// startTURN runs a pion TURN server on 127.0.0.1 with one user and
// returns its URL.
func startTURN(t *testing.T, user, pass string) string {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const realm = "yuecall.test"
	key := turn.GenerateAuthKey(user, realm, pass)
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm: realm,
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			return ra.Username, key, ra.Username == user
		},
		PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: conn,
			RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{RelayAddress: net.IPv4(127, 0, 0, 1), Address: "127.0.0.1"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return fmt.Sprintf("turn:%s?transport=udp", conn.LocalAddr())
}

// TestTURNRelay: the configured TURN server reaches the browser in the
// config message, and a browser that may only use relay candidates
// (ICE transport policy "relay") gets a working call through it.
func TestTURNRelay(t *testing.T) {
	servers := []ICEServer{{URLs: []string{startTURN(t, "caller", "s3cret")}, Username: "caller", Credential: "s3cret"}}
	h := startServer(t, func(c *Config) { c.ICE.Servers = servers }, nil)
	cl, _, err := dial(t, h.url, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := cl.expect("config", 2*time.Second)
	var got []ICEServer
	raw, _ := json.Marshal(cfg["ice_servers"])
	if err := json.Unmarshal(raw, &got); err != nil || !reflect.DeepEqual(got, servers) {
		t.Fatalf("config ice_servers %s, want %+v", raw, servers)
	}
	for _, s := range got {
		cl.iceServers = append(cl.iceServers, pion.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	cl.relayOnly = true
	cl.call(opusParams)
	cl.connected()
	c := h.nextCall(t)
	pair, err := cl.peer().SCTP().Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil || pair.Local.Typ != pion.ICECandidateTypeRelay {
		t.Fatalf("selected pair %v (%v), want a relay candidate", pair, err)
	}
	sink := &collector{rate: Rate}
	c.SetSink(sink)
	cl.sendPackets(opusTone(t, 25), 960)
	waitFor(t, 3*time.Second, "relayed audio", func() bool { return len(sink.samples()) >= Rate*4/10 })
	if seg := sink.samples()[Rate/10 : Rate*4/10]; !audio.FindTone(seg, Rate, 440) {
		t.Errorf("relayed tone: ratio %.3f", audio.ToneRatio(seg, Rate, 440))
	}
}
