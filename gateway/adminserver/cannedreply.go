package adminserver

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strconv"

	"gatewayops/gateway"
)

// net/http answers a request it cannot parse (headers over MaxHeaderBytes:
// 431; a bare CR, a malformed header line or request line: 400; an unknown
// Transfer-Encoding: 501) itself, before any handler runs, by writing a
// plain-text reply straight to the connection. These writes have one fixed
// form, and no reply of ours has it: every handler answer carries
// X-Request-Id and is JSON. shapedListener replaces them, at the wire, by the
// API's {error, message, requestId} answer with a fresh X-Request-Id
// (decision 26).

// cannedHeaders follows the status line of every canned net/http reply.
const cannedHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// shapedListener wraps every accepted connection in a shapedConn.
type shapedListener struct{ net.Listener }

func (l shapedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return shapedConn{Conn: c}, nil
}

// shapedConn rewrites net/http's canned replies; every other write passes.
type shapedConn struct{ net.Conn }

func (c shapedConn) Write(b []byte) (int, error) {
	status, ok := cannedStatus(b)
	if !ok {
		return c.Conn.Write(b)
	}
	if _, err := c.Conn.Write(shapedReply(status, newRequestID())); err != nil {
		return 0, err
	}
	return len(b), nil
}

// cannedStatus recognises a canned net/http reply and returns its status.
func cannedStatus(b []byte) (int, bool) {
	const prefix = "HTTP/1.1 "
	if !bytes.HasPrefix(b, []byte(prefix)) || len(b) < len(prefix)+3 {
		return 0, false
	}
	head, _, found := bytes.Cut(b, []byte("\r\n\r\n"))
	if !found || !bytes.HasSuffix(append(head, "\r\n\r\n"...), []byte(cannedHeaders)) ||
		bytes.Contains(bytes.ToLower(head), []byte("x-request-id")) {
		return 0, false
	}
	status, err := strconv.Atoi(string(b[len(prefix) : len(prefix)+3]))
	if err != nil || status < 400 {
		return 0, false
	}
	return status, true
}

// shapedReply is the API's answer for a request net/http refused. The
// message is fixed: the refused request is never echoed (its headers may
// hold a key).
func shapedReply(status int, requestID string) []byte {
	e := errorf(status, gateway.CodeInvalidRequest,
		"the request is not valid HTTP/1.1 (malformed request line or header line, e.g. a bare CR); nothing was done")
	switch status {
	case http.StatusRequestHeaderFieldsTooLarge:
		e = errorf(status, gateway.CodeHeadersTooLarge,
			fmt.Sprintf("the request's headers exceed %d bytes; nothing was done", maxHeaderBytes))
	case http.StatusNotImplemented:
		e.message = "the request's Transfer-Encoding is not supported; nothing was done"
	}
	body := errorBody(e, requestID)
	head := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n%s: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
		status, http.StatusText(status), gateway.HeaderRequestID, requestID, len(body))
	return append([]byte(head), body...)
}
