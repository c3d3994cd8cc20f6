package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"hallkiosk/kiosk/config"
	"hallkiosk/township/api"
)

// The township's time decides whether metadata has expired, so it is taken only from the
// township: over HTTPS, only a certificate of the CA in ca_file is believed. A server with any other
// certificate does not set the clock.
func TestTownshipTimeOnlyFromItsCA(t *testing.T) {
	future := time.Now().Add(400 * 24 * time.Hour).UTC()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(api.Info{Service: "hallkiosk township", Time: future})
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pinned := &device{cfg: Config{Township: srv.URL, CAFile: ca}, log: log}
	if got := pinned.clock(context.Background())(); got.Sub(future).Abs() > time.Minute {
		t.Errorf("with the township's CA the reference time is %s, want %s", got, future)
	}
	other := &device{cfg: Config{Township: srv.URL}, log: log} // system roots: the test CA is not among them
	if got := other.clock(context.Background())(); got.Sub(time.Now()).Abs() > time.Minute {
		t.Errorf("a certificate not of the pinned CA set the reference time to %s", got)
	}
}

// The updater backs up and restores the store the kiosk uses: its default store is the kiosk's
// default, and the update.toml the package installs says what the defaults say.
func TestDefaultsAgreeWithTheKioskAndThePackage(t *testing.T) {
	if got, want := defaults().Store, config.Default().Store.Path; got != want {
		t.Errorf("updater's store %s, the kiosk's %s", got, want)
	}
	shipped, err := loadConfig("../../../build/deb/etc/update.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(shipped, defaults()) {
		t.Errorf("the packaged update.toml\n%+v\ndiffers from the defaults\n%+v", shipped, defaults())
	}
}
