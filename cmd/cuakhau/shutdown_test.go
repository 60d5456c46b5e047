package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cuakhau/cuakhau"
)

// TestGracefulShutdown closes the server while 16 clients are declaring
// trips. Requests already taken must finish with their real answer — never a
// 5xx because the store closed under them — and every trip acknowledged
// must be in the store when it is opened again.
func TestGracefulShutdown(t *testing.T) {
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "s.db")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := openServer(ctx, serverConfig{Addr: "127.0.0.1:0", DSN: dsn, Migrate: true, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := s.DB.CreateToken(ctx, cuakhau.Token{Name: "t", Role: cuakhau.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve() }()

	base := "http://" + s.Addr
	var (
		mu      sync.Mutex
		acked   []string
		bad     []string
		started atomic.Int64
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 10 * time.Second}
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf(declarationJSON, c, n%100)
				req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/trips", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+secret)
				started.Add(1)
				resp, err := client.Do(req)
				if err != nil {
					return // the listener is closed: the request was never taken
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				switch {
				case resp.StatusCode == http.StatusCreated:
					var id string
					if i := strings.Index(string(b), `"id":"`); i >= 0 {
						id = string(b[i+6 : i+6+36])
					}
					acked = append(acked, id)
				default:
					bad = append(bad, fmt.Sprintf("%d %s", resp.StatusCode, b))
				}
				mu.Unlock()
			}
		}()
	}
	for started.Load() < 200 {
		time.Sleep(5 * time.Millisecond)
	}
	shut, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := s.Close(shut); err != nil {
		t.Fatalf("Close: %v", err)
	}
	close(stop)
	wg.Wait()
	if err := <-served; err != nil {
		t.Fatalf("Serve after Close: %v", err)
	}
	if len(bad) > 0 {
		t.Errorf("%d requests answered with an error during shutdown, first: %s", len(bad), bad[0])
	}
	if len(acked) < 50 {
		t.Fatalf("only %d trips acknowledged; the test needs load", len(acked))
	}
	db, err := openDB(ctx, dsn, cuakhau.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	admin := cuakhau.Principal{Role: cuakhau.RoleAdmin}
	for _, id := range acked {
		if _, err := db.Trip(ctx, admin, id); err != nil {
			t.Errorf("trip %s was acknowledged but is not stored: %v", id, err)
		}
	}
}
