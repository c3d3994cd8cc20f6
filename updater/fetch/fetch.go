// Package fetch is the device's side of signed updates: it reads a TUF repository from a USB stick
// or the township, checks every signature, version and expiry against what this device already
// trusts, and hands over a release bundle only when its length and hashes match the signed ones.
package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/fetcher"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"

	"hallkiosk/updater/release"
)

// StickFolder is where a repository sits on a USB stick; a stick holding the repository at its top
// works too.
const StickFolder = "hallkiosk-updates"

// Source is where a repository is read from: a folder (a mounted stick) or a township URL.
type Source struct {
	Dir  string
	URL  string       // the township's repository, ".../v1/updates/"
	HTTP *http.Client // for URL; nil means a client with a 60 s timeout
}

// ParseSource reads the CLI's --from: "usb:/media/stick", a folder path, or an http(s) URL.
func ParseSource(s string) (Source, error) {
	switch {
	case strings.HasPrefix(s, "usb:"):
		return Source{Dir: strings.TrimPrefix(s, "usb:")}, nil
	case strings.HasPrefix(s, "http://"), strings.HasPrefix(s, "https://"):
		if _, err := url.Parse(s); err != nil {
			return Source{}, fmt.Errorf("source %q: %w", s, err)
		}
		return Source{URL: s}, nil
	case s != "":
		return Source{Dir: s}, nil
	}
	return Source{}, errors.New("no source: give usb:/media/... or the township's URL")
}

func (s Source) String() string {
	if s.Dir != "" {
		return "usb:" + s.Dir
	}
	return s.URL
}

// remote gives the metadata URL and the HTTP client that reads it. A folder is read through
// http.NewFileTransport in a client of its own (never http.DefaultClient, which the rest of the
// process shares), so a missing N.root.json is a 404 that ends the root chain as TUF expects.
func (s Source) remote() (string, *http.Client, error) {
	if s.Dir != "" {
		base := s.Dir
		if fi, err := os.Stat(filepath.Join(s.Dir, StickFolder)); err == nil && fi.IsDir() {
			base = filepath.Join(s.Dir, StickFolder)
		}
		if _, err := os.Stat(base); err != nil {
			return "", nil, fmt.Errorf("read %s: %w", s.Dir, err)
		}
		return "file:///", &http.Client{Transport: http.NewFileTransport(http.Dir(base))}, nil
	}
	hc := s.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	return s.URL, hc, nil
}

// Client checks repositories for one device.
type Client struct {
	// Root is the root metadata the device was installed with: the first trust.
	Root []byte
	// Cache keeps the newest metadata this device has trusted (so older metadata, replayed from an
	// old stick, is refused) and downloaded bundles.
	Cache string
	// Now is the reference time for expiry: the township's time when it is reachable.
	Now func() time.Time
}

// Check is one verified look at a repository.
type Check struct {
	Source   Source
	Releases []release.Info
	up       *updater.Updater
	targets  map[string]*metadata.TargetFiles
	cache    string
}

// trustedRoot is the newest root this device has verified, else the one it shipped with.
func (c *Client) trustedRoot() []byte {
	raw, err := os.ReadFile(filepath.Join(c.Cache, "metadata", "root.json"))
	if err == nil {
		if _, perr := metadata.Root().FromBytes(raw); perr == nil {
			return raw
		}
	}
	return c.Root
}

// Look refreshes the repository's metadata from src and lists the releases it offers.
func (c *Client) Look(src Source) (*Check, error) {
	if len(c.Root) == 0 {
		return nil, errors.New("no trusted root: the package installs one (hallkiosk-update --root)")
	}
	base, hc, err := src.remote()
	if err != nil {
		return nil, err
	}
	cfg, err := config.New(base, c.trustedRoot())
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", src, err)
	}
	cfg.LocalMetadataDir = filepath.Join(c.Cache, "metadata")
	cfg.LocalTargetsDir = filepath.Join(c.Cache, "targets")
	f := fetcher.NewDefaultFetcher()
	f.SetHTTPClient(hc)
	cfg.Fetcher = f
	up, err := updater.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", src, Explain(err))
	}
	if c.Now != nil {
		up.UnsafeSetRefTime(c.Now().UTC())
	}
	if err := up.Refresh(); err != nil {
		return nil, fmt.Errorf("check %s: %w", src, Explain(err))
	}
	// go-tuf writes its trusted metadata without fsync; that metadata is what refuses a replayed
	// old stick, so it is made durable before anything is installed on its word.
	if err := syncFolder(cfg.LocalMetadataDir); err != nil {
		return nil, fmt.Errorf("check %s: keep the trusted metadata: %w", src, err)
	}
	ch := &Check{Source: src, up: up, targets: up.GetTopLevelTargets(), cache: cfg.LocalTargetsDir}
	for name, tf := range ch.targets {
		if tf.Custom == nil {
			continue
		}
		info, err := release.ParseInfo(*tf.Custom)
		if err != nil {
			return nil, fmt.Errorf("check %s: target %s: %w", src, name, err)
		}
		if info.Target() != name {
			return nil, fmt.Errorf("check %s: target %s claims version %s", src, name, info.Version)
		}
		ch.Releases = append(ch.Releases, info)
	}
	sort.Slice(ch.Releases, func(i, j int) bool { return release.Compare(ch.Releases[i].Version, ch.Releases[j].Version) < 0 })
	return ch, nil
}

// Bundle gives the verified bundle of a release: from the cache when a verified copy is there,
// else downloaded and checked against its signed length and hashes.
func (ch *Check) Bundle(info release.Info) ([]byte, error) {
	tf, ok := ch.targets[info.Target()]
	if !ok {
		return nil, fmt.Errorf("release %s is not in %s", info.Version, ch.Source)
	}
	path := filepath.Join(ch.cache, info.Target())
	if _, data, err := ch.up.FindCachedTarget(tf, path); err == nil && data != nil {
		return data, nil
	}
	_, data, err := ch.up.DownloadTarget(tf, path, "")
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("download %s from %s: %w", info.Target(), ch.Source, Explain(err))
	}
	return data, nil
}

// Problem kinds a technician can act on; Explain wraps go-tuf's errors in them.
var (
	ErrExpired   = errors.New("the update's signatures have expired (refresh the repository: hallkiosk-update refresh; or check this device's clock)")
	ErrSignature = errors.New("the update is not signed by keys this device trusts")
	ErrReplay    = errors.New("the update's metadata is older than what this device has already seen (an old stick or a replay)")
	ErrDamaged   = errors.New("a file does not match its signed length or hash (damaged or incomplete copy)")
	ErrMissing   = errors.New("the repository is incomplete (a file is missing)")
)

// Explain adds the technician's words to a go-tuf error; the original stays wrapped.
func Explain(err error) error {
	var http404 *metadata.ErrDownloadHTTP
	switch {
	case errors.Is(err, &metadata.ErrExpiredMetadata{}):
		return fmt.Errorf("%w: %w", ErrExpired, err)
	case errors.Is(err, &metadata.ErrUnsignedMetadata{}):
		return fmt.Errorf("%w: %w", ErrSignature, err)
	case errors.Is(err, &metadata.ErrBadVersionNumber{}), errors.Is(err, &metadata.ErrEqualVersionNumber{}):
		return fmt.Errorf("%w: %w", ErrReplay, err)
	case errors.Is(err, &metadata.ErrLengthOrHashMismatch{}), errors.Is(err, &metadata.ErrDownloadLengthMismatch{}):
		return fmt.Errorf("%w: %w", ErrDamaged, err)
	case errors.As(err, &http404) && http404.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%w: %w", ErrMissing, err)
	}
	return err
}

// syncFolder fsyncs every file in dir, then dir itself.
func syncFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
