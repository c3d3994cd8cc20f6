package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strconv"
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
