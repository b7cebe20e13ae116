package adminserver_test

import (
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
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gatewayops/gateway"
	"gatewayops/gateway/adminserver"
	"gatewayops/gateway/redisproc"
)

// selfSigned writes a certificate for 127.0.0.1 and its key into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gatewayops test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestServeTLSAndGracefulShutdown(t *testing.T) {
	_, rdb := redisproc.ForTest(t)
	keys, err := adminserver.ParseKeys(testKeyName + ":" + testKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, key := selfSigned(t, t.TempDir())
	srv, err := adminserver.New(adminserver.Config{
		Store: gateway.NewStore(rdb, gateway.StoreOptions{}), Redis: rdb, Keys: keys,
		Environment: "staging", TLSCertFile: cert, TLSKeyFile: key,
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()

	base := "https://" + ln.Addr().String()
	c := gateway.NewClient(base, gateway.ClientOptions{APIKey: testKey, InsecureSkipVerify: true})
	st, err := c.Status(context.Background())
	if err != nil || !st.Redis.OK {
		t.Fatalf("status over TLS: %+v %v", st, err)
	}
	// Without skipping verification the self-signed certificate is refused.
	strict := gateway.NewClient(base, gateway.ClientOptions{APIKey: testKey, MaxRetries: -1})
	if _, err := strict.Status(context.Background()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("unverified certificate accepted: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}
	if _, err := c.Status(context.Background()); err == nil {
		t.Error("server still answers after shutdown")
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	_, rdb := redisproc.ForTest(t)
	keys, _ := adminserver.ParseKeys(testKeyName + ":" + testKey)
	store := gateway.NewStore(rdb, gateway.StoreOptions{})
	cases := map[string]adminserver.Config{
		"Store":       {Redis: rdb, Keys: keys, Environment: "x"},
		"Redis":       {Store: store, Keys: keys, Environment: "x"},
		"API keys":    {Store: store, Redis: rdb, Environment: "x"},
		"Environment": {Store: store, Redis: rdb, Keys: keys},
		"TLS":         {Store: store, Redis: rdb, Keys: keys, Environment: "x", TLSCertFile: "c.pem"},
		"RateLimit":   {Store: store, Redis: rdb, Keys: keys, Environment: "x", RateLimitPerMinute: -1},
	}
	for want, cfg := range cases {
		if _, err := adminserver.New(cfg); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config missing %s: err %v", want, err)
		}
	}
}
