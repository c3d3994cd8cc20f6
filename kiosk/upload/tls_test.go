package upload

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// makeCA writes a CA and a server certificate for 127.0.0.1 signed by it; it returns the paths.
func makeCA(t *testing.T, dir, name string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name + " CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "township"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	write := func(file, typ string, der []byte) string {
		p := filepath.Join(dir, file)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write(name+"-ca.pem", "CERTIFICATE", caDER), write(name+"-cert.pem", "CERTIFICATE", leafDER),
		write(name+"-key.pem", "EC PRIVATE KEY", keyDER)
}

// The township binary serves HTTPS with its certificate; a kiosk that pins the township's CA
// enrols and delivers, and one that pins another CA is refused at the handshake.
func TestHTTPSWithPinnedCA(t *testing.T) {
	dir := t.TempDir()
	caFile, cert, key := makeCA(t, dir, "township")
	otherCA, _, _ := makeCA(t, dir, "other")
	addr := freeAddr(t)
	data := t.TempDir()
	cmd := exec.Command(townshipBin, "serve", "--data", data, "--listen", addr, "--tls-cert", cert, "--tls-key", key)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if !strings.HasPrefix(line, "listening https://") {
		t.Fatalf("township said %q", line)
	}
	codeOut, err := exec.Command(townshipBin, "code", "--village", "王上村", "--data", data, "--addr", "https://"+addr).CombinedOutput()
	if err == nil {
		t.Fatalf("admin CLI trusted an unknown certificate: %s", codeOut)
	}
	codeOut, err = exec.Command(townshipBin, "code", "--village", "王上村", "--data", data, "--addr", "https://"+addr, "--ca", caFile).CombinedOutput()
	if err != nil {
		t.Fatalf("admin CLI with --ca: %v %s", err, codeOut)
	}
	code := strings.Fields(string(codeOut))[0]

	pinned, err := HTTPClient(caFile, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	wrong, _ := HTTPClient(otherCA, 5*time.Second)
	if _, err := Enrol(context.Background(), wrong, "https://"+addr, "AAAA-BBBB-CCCC", "x", ""); err == nil ||
		!strings.Contains(err.Error(), "certificate") {
		t.Fatalf("wrong CA: %v", err)
	}
	cred, err := Enrol(context.Background(), pinned, "https://"+addr, code, "一号机", "")
	if err != nil {
		t.Fatal(err)
	}
	k := newKiosk(t, cred)
	k.loop.Client.HTTP = pinned
	k.submit(t, 12)
	k.drain(t, 10*time.Second)
	if _, err := HTTPClient(filepath.Join(dir, "missing.pem"), time.Second); err == nil {
		t.Fatal("a missing CA file was accepted")
	}
}
