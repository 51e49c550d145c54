package wsdial

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// Dial is d.DialContext that a cancelled ctx also stops: gorilla/websocket
// honours only ctx's deadline during the handshake, so a call that ended or
// a fallback that took over would otherwise wait for the connect timeout.
func Dial(ctx context.Context, d websocket.Dialer, url string, h http.Header) (*websocket.Conn, *http.Response, error) {
	var stop func() bool
	base := d.NetDialContext
	if base == nil {
		base = (&net.Dialer{}).DialContext
	}
	d.NetDialContext = func(dctx context.Context, network, addr string) (net.Conn, error) {
		c, err := base(dctx, network, addr)
		if err == nil { // ctx, not dctx: the dialer cancels its own context after the handshake
			stop = context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
		}
		return c, err
	}
	conn, resp, err := d.DialContext(ctx, url, h)
	if stop != nil && !stop() && err == nil {
		conn.Close()
		err = ctx.Err()
	}
	return conn, resp, err
}
