package pgcluster_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/cuakhau/cuakhau/internal/pgcluster"
)

// TestStart checks the cluster that `cuakhau bench` and the tests start: a
// database made in it answers, a name that is not an identifier is refused,
// and nothing answers after Stop.
func TestStart(t *testing.T) {
	c, err := pgcluster.Start()
	if err != nil {
		t.Fatal(err)
	}
	if !c.Private() {
		t.Error("Start's cluster does not call itself private")
	}
	ctx := context.Background()
	dsn, err := c.CreateDB(ctx, "bench")
	if err != nil {
		c.Stop()
		t.Fatal(err)
	}
	if _, err := c.CreateDB(ctx, "no; DROP"); err == nil {
		t.Error("CreateDB took a name that is not an identifier")
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PingContext(ctx); err != nil {
		t.Errorf("ping %s: %v", dsn, err)
	}
	db.Close()
	if err := c.DropDB(ctx, "bench"); err != nil {
		t.Errorf("DropDB: %v", err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	db, err = sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err == nil {
		t.Error("the cluster still answers after Stop")
	}
}

// TestConnect checks that an existing server is taken only by a postgres URL.
func TestConnect(t *testing.T) {
	if _, err := pgcluster.Connect("mysql://x"); err == nil {
		t.Error("Connect took a URL that is not postgres://")
	}
}
