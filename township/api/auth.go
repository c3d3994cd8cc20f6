package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

// Headers of a signed request. The scheme is HMAC-SHA256 with the device secret over
//
//	"HK1\n" + method + "\n" + path?query + "\n" + unix seconds + "\n" + nonce + "\n" + hex(sha256(body))
//
// HMAC rather than mutual TLS: the credential is one small file a technician can enrol over a bad
// link, it works the same over HTTP on 127.0.0.1 and over HTTPS with a pinned CA, and revoking a
// device is one flag on the township, not a certificate revocation list.
const (
	HeaderDevice        = "X-HK-Device"
	HeaderTime          = "X-HK-Time"
	HeaderNonce         = "X-HK-Nonce"
	HeaderContentSHA256 = "X-HK-Content-SHA256"
	HeaderSignature     = "X-HK-Signature"
)

// ValidNonce: a nonce is 1-64 letters, digits, '-' or '_', new for every request of a device
// (the kiosk sends 16 random bytes in hex).
func ValidNonce(n string) bool { return token(n, 64) }

// BodyDigest is the hex SHA-256 of a request body.
func BodyDigest(body []byte) string {
	s := sha256.Sum256(body)
	return hex.EncodeToString(s[:])
}

// Signature computes the request signature.
func Signature(secret []byte, method, pathQuery string, unix int64, nonce, bodyDigest string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("HK1\n" + method + "\n" + pathQuery + "\n" + strconv.FormatInt(unix, 10) + "\n" + nonce + "\n" + bodyDigest))
	return hex.EncodeToString(m.Sum(nil))
}

// NewNonce is a fresh nonce for one request: 16 random bytes in hex.
func NewNonce() string {
	var n [16]byte
	_, _ = rand.Read(n[:])
	return hex.EncodeToString(n[:])
}

// SignatureOK reports whether req carries the right body digest and signature for body under
// secret, with the time and nonce its headers gave.
func SignatureOK(req *http.Request, secret, body []byte, unix int64, nonce string) bool {
	digest := BodyDigest(body)
	want := Signature(secret, req.Method, req.URL.RequestURI(), unix, nonce, digest)
	return req.Header.Get(HeaderContentSHA256) == digest && hmac.Equal([]byte(want), []byte(req.Header.Get(HeaderSignature)))
}

// Nonces remembers the nonces a server has seen, each for Window (twice the allowed clock skew:
// beyond that the time check refuses a replay anyway). The zero value is not usable; see NewNonces.
type Nonces struct {
	window time.Duration
	mu     sync.Mutex
	seen   map[string]time.Time
}

// NewNonces makes a cache that forgets a nonce window after its request time.
func NewNonces(window time.Duration) *Nonces {
	return &Nonces{window: window, seen: map[string]time.Time{}}
}

// Seen reports whether key ("device/nonce") was added before.
func (n *Nonces) Seen(key string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	_, ok := n.seen[key]
	return ok
}

// Add records key at the request time at; it reports false when key was there already (the same
// nonce twice at once). Past 10,000 entries, those older than the window are dropped.
func (n *Nonces) Add(key string, at, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.seen[key]; ok {
		return false
	}
	if len(n.seen) > 10000 {
		for k, t := range n.seen {
			if now.Sub(t) > n.window {
				delete(n.seen, k)
			}
		}
	}
	n.seen[key] = at
	return true
}

// Sign sets the auth headers on req for body (which the caller also sends as req.Body).
func Sign(req *http.Request, deviceID string, secret, body []byte, now time.Time, nonce string) {
	digest := BodyDigest(body)
	unix := now.Unix()
	req.Header.Set(HeaderDevice, deviceID)
	req.Header.Set(HeaderTime, strconv.FormatInt(unix, 10))
	req.Header.Set(HeaderNonce, nonce)
	req.Header.Set(HeaderContentSHA256, digest)
	req.Header.Set(HeaderSignature, Signature(secret, req.Method, req.URL.RequestURI(), unix, nonce, digest))
}

// PinnedTLS trusts only the CA in caFile (PEM) for the township's certificate, not the system's
// roots: the kiosk and the admin CLI both talk to the township this way.
func PinnedTLS(caFile string) (*tls.Config, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("township CA %s: %w", caFile, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("township CA %s: no PEM certificate in it", caFile)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}
