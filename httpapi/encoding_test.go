package httpapi_test

import (
	"bytes"
	"net/http"
	"testing"
)

// TestOneEncoding: a trip reads byte for byte the same from the POST that
// declared it, a retry of that POST, a GET and a list, even with the
// characters encoding/json may or may not escape (<, >, &). A client that
// hashes or caches answers relies on it.
func TestOneEncoding(t *testing.T) {
	e := newEnv(t)
	decl := example(t, "enterprise.name", "Công ty <Xứ Lạng> & Đối tác", "driver.name", "Nguyễn Văn A & B")
	post := e.do(t, "POST", "/api/v1/trips", "enterprise", decl, "Idempotency-Key", "enc-1")
	if post.Status != http.StatusCreated {
		t.Fatalf("declare: %d %s", post.Status, post.Body)
	}
	id := decode[struct{ ID string }](t, post, http.StatusCreated).ID
	retry := e.do(t, "POST", "/api/v1/trips", "enterprise", decl, "Idempotency-Key", "enc-1")
	get := e.do(t, "GET", "/api/v1/trips/"+id, "enterprise", nil)
	if get.Status != http.StatusOK {
		t.Fatalf("get: %d %s", get.Status, get.Body)
	}
	if !bytes.Equal(post.Body, get.Body) {
		t.Errorf("POST and GET differ\nPOST: %s\nGET:  %s", post.Body, get.Body)
	}
	if !bytes.Equal(post.Body, retry.Body) {
		t.Errorf("POST and its retry differ\nPOST:  %s\nretry: %s", post.Body, retry.Body)
	}
	list := e.do(t, "GET", "/api/v1/trips", "enterprise", nil)
	if !bytes.Contains(list.Body, bytes.TrimSuffix(post.Body, []byte("\n"))) {
		t.Errorf("the list does not hold the POST's bytes\nPOST: %s\nlist: %s", post.Body, list.Body)
	}
}
