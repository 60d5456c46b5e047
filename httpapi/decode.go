package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cuakhau/cuakhau"
)

// MaxBodyBytes is the largest request body the API reads. A declaration is a
// few kilobytes; the limit only stops a client from filling memory.
const MaxBodyBytes = 1 << 20

// MaxIdempotencyKey is the longest Idempotency-Key accepted.
const MaxIdempotencyKey = 200

// readJSON reads the body of a mutating request into v and returns the
// request's context carrying its idempotency key, if the client sent one.
//
// Each failure is an EINVALID error that names what is wrong so the client
// can fix it ("bad input gets a clear error", docs/principles.md): the
// Content-Type or Idempotency-Key header,
// the body as a whole (too large, malformed JSON with its byte offset, data
// after the object), or a field by its path (cargo[0].gross_kg: must be a
// number; vehicle.colour: unknown field).
func readJSON(w http.ResponseWriter, r *http.Request, v any) (context.Context, error) {
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	key, err := idempotencyKey(r.Header.Values("Idempotency-Key"))
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			// Joined so that the answer is an invalid error naming the body
			// and status() still sees the cause to answer 413.
			return nil, errors.Join(cuakhau.Invalid("body", "larger than 1 MiB"), err)
		}
		return nil, cuakhau.Invalid("body", "could not be read")
	}
	if err := decodeStrict(body, v); err != nil {
		return nil, err
	}
	ctx := r.Context()
	if key != "" {
		ctx = cuakhau.WithIdempotency(ctx, cuakhau.Idempotency{Key: key, RequestHash: requestHash(r, body)})
	}
	return ctx, nil
}

// checkContentType accepts JSON, or no Content-Type at all (curl -d without
// -H sends a form type, but many small device clients send none).
func checkContentType(ct string) error {
	if ct == "" {
		return nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/json" {
		if cs, ok := params["charset"]; !ok || strings.EqualFold(cs, "utf-8") {
			return nil
		}
	}
	return cuakhau.Invalid("Content-Type", "must be application/json")
}

// idempotencyKey validates the optional Idempotency-Key header. The key is
// stored and compared byte for byte, so it is held to printable ASCII.
func idempotencyKey(values []string) (string, error) {
	switch {
	case len(values) == 0:
		return "", nil
	case len(values) > 1:
		return "", cuakhau.Invalid("Idempotency-Key", "must be sent once")
	}
	k := values[0]
	if k == "" {
		return "", cuakhau.Invalid("Idempotency-Key", "must not be empty")
	}
	if len(k) > MaxIdempotencyKey {
		return "", cuakhau.Invalid("Idempotency-Key", fmt.Sprintf("longer than %d characters", MaxIdempotencyKey))
	}
	for _, c := range []byte(k) {
		if c < 0x20 || c > 0x7e {
			return "", cuakhau.Invalid("Idempotency-Key", "must be printable ASCII")
		}
	}
	return k, nil
}

// requestHash identifies what a request asks for, so that the same key
// reused for a different request is told apart from a retry: hex SHA-256 of
// "METHOD PATH\n" and the body's bytes.
func requestHash(r *http.Request, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", r.Method, r.URL.Path)
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// decodeStrict decodes one JSON object from body into v, rejecting unknown
// fields, keys given twice, strings that are not valid UTF-8 and trailing
// data.
//
// encoding/json reports an unknown field without its path and a type error
// without array indices, so the body is first checked against v's type by
// checkValue, which names each offending field by its full path; it
// accepts duplicate keys and broken UTF-8 without a word, which checkRaw
// finds. The bounds of each field's value are the services' to check.
func decodeStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return cuakhau.Invalid("body", "required: a JSON object")
	}
	if decodeFast(body, v) {
		fe := cuakhau.FieldErrors{}
		checkRaw(body, fe)
		return fe.Err()
	}
	return decodeChecked(body, v)
}

// decodeChecked is decodeStrict's full check: the body is decoded as it
// is, checked against v's type by checkValue, then decoded into v.
func decodeChecked(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return cuakhau.Invalid("body", syntaxRule(err, len(body)))
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return cuakhau.Invalid("body", fmt.Sprintf("unexpected data after the JSON object at byte %d", skipSpace(body, end)))
	}
	if _, ok := raw.(map[string]any); !ok {
		return cuakhau.Invalid("body", "must be a JSON object")
	}
	fe := cuakhau.FieldErrors{}
	checkRaw(body, fe)
	checkValue(raw, reflect.TypeOf(v).Elem(), "", fe)
	if err := fe.Err(); err != nil {
		return err
	}
	dec = json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		// checkValue has passed, so this is a rule it does not model (a time
		// that RFC 3339 parsing in encoding/json rejects, say).
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return cuakhau.Invalid(te.Field, "must be "+jsonKind(te.Type))
		}
		return cuakhau.Invalid("body", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// decodeFast decodes body into v in one pass of encoding/json when that
// cannot accept anything checkValue would refuse, and reports whether it
// did; otherwise v is left zero for the full check, which names what is
// wrong. encoding/json alone refuses unknown fields, wrong types, fractions
// and overflows; what it accepts and checkValue does not is a key that
// matches a field name only when case is ignored. A body with no upper-case
// ASCII letter, no byte outside ASCII and no escape cannot hold such a key
// when every field name of v's type is lower-case ASCII (lowerNames) — the
// common case, and most of the API's requests are a few lower-case words.
func decodeFast(body []byte, v any) bool {
	t := reflect.TypeOf(v).Elem()
	if !lowerNames(t) {
		return false
	}
	for _, c := range body {
		if c >= 'A' && c <= 'Z' || c >= 0x80 || c == '\\' {
			return false
		}
	}
	if b := bytes.TrimLeft(body, " \t\r\n"); b[0] != '{' {
		return false // null, an array…: the full check says what it must be
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err == nil {
		if _, err := dec.Token(); errors.Is(err, io.EOF) {
			return true
		}
	}
	reflect.ValueOf(v).Elem().SetZero()
	return false
}

// lowerNameTypes caches lowerNames by type.
var lowerNameTypes sync.Map // reflect.Type → bool

// lowerNames reports whether every JSON field name in t, at any depth, is
// made of lower-case ASCII letters, digits and underscores.
func lowerNames(t reflect.Type) bool {
	if ok, seen := lowerNameTypes.Load(t); seen {
		return ok.(bool)
	}
	ok := lowerNamesIn(t, map[reflect.Type]bool{})
	lowerNameTypes.Store(t, ok)
	return ok
}

func lowerNamesIn(t reflect.Type, seen map[reflect.Type]bool) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if seen[t] {
		return true
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Struct:
		if t == timeType {
			return true
		}
		for name, ft := range jsonFields(t) {
			for _, c := range []byte(name) {
				if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
					return false
				}
			}
			if !lowerNamesIn(ft, seen) {
				return false
			}
		}
	case reflect.Slice, reflect.Array, reflect.Map:
		return lowerNamesIn(t.Elem(), seen)
	}
	return true
}

// syntaxRule describes a JSON syntax error with its byte offset.
func syntaxRule(err error, size int) string {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d: %s", se.Offset, se.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("malformed JSON at byte %d: unexpected end of input", size)
	}
	return "malformed JSON: " + err.Error()
}

func skipSpace(b []byte, off int64) int64 {
	for off < int64(len(b)) && strings.IndexByte(" \t\r\n", b[off]) >= 0 {
		off++
	}
	return off
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	rawType      = reflect.TypeFor[json.RawMessage]()
	unmarshalerT = reflect.TypeFor[json.Unmarshaler]()
)

// checkValue checks a decoded JSON value v (json.Number for numbers) against
// the Go type t that it will be decoded into, and adds a rule to fe for each
// field, by path, that encoding/json would reject or silently accept but the
// API does not: unknown fields (matched exactly, where encoding/json would
// match "Gate" to "gate"), wrong JSON types, fractions or out-of-range numbers
// for integers. null is left to encoding/json, which keeps the zero value;
// the services then say which required field is missing.
func checkValue(v any, t reflect.Type, path string, fe cuakhau.FieldErrors) {
	if v == nil {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		s, ok := v.(string)
		if !ok {
			fe.Add(path, "must be a string")
		} else if _, err := time.Parse(time.RFC3339, s); err != nil {
			fe.Add(path, "must be an RFC 3339 date-time (2026-12-01T08:00:00+07:00)")
		}
		return
	case t == rawType || t.Kind() == reflect.Interface:
		return
	case t.Implements(unmarshalerT) || reflect.PointerTo(t).Implements(unmarshalerT):
		// A type with its own decoding reports its own errors.
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			fe.Add(path, "must be an object")
			return
		}
		fields := jsonFields(t)
		for name, val := range obj {
			p := joinPath(path, name)
			ft, ok := fields[name]
			if !ok {
				fe.Add(p, "unknown field")
				continue
			}
			checkValue(val, ft, p, fe)
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			fe.Add(path, "must be an object")
			return
		}
		for name, val := range obj {
			checkValue(val, t.Elem(), joinPath(path, name), fe)
		}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			if _, ok := v.(string); !ok {
				fe.Add(path, "must be a base64 string")
			}
			return
		}
		arr, ok := v.([]any)
		if !ok {
			fe.Add(path, "must be an array")
			return
		}
		for i, el := range arr {
			checkValue(el, t.Elem(), fmt.Sprintf("%s[%d]", path, i), fe)
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			fe.Add(path, "must be a string")
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			fe.Add(path, "must be true or false")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			fe.Add(path, "must be a number")
			return
		}
		i, err := n.Int64()
		if err != nil {
			fe.Add(path, "must be a whole number")
		} else if reflect.Zero(t).OverflowInt(i) {
			fe.Add(path, "out of range")
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := v.(json.Number)
		if !ok {
			fe.Add(path, "must be a number")
			return
		}
		i, err := n.Int64()
		if err != nil || i < 0 {
			fe.Add(path, "must be a whole number, zero or more")
		} else if reflect.Zero(t).OverflowUint(uint64(i)) {
			fe.Add(path, "out of range")
		}
	case reflect.Float32, reflect.Float64:
		if _, ok := v.(json.Number); !ok {
			fe.Add(path, "must be a number")
		}
	}
}

// jsonFields maps the JSON names of t's fields to their types, as
// encoding/json names them, promoting the fields of untagged embedded
// structs.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for n, typ := range jsonFields(ft) {
					if _, ok := fields[n]; !ok {
						fields[n] = typ
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// jsonKind names the JSON type that decodes into t.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "of type " + t.String()
}

// checkRaw adds to fe what encoding/json accepts in body but the API does
// not, each under the path of the field where it is: a key given twice in
// one object (encoding/json keeps the last, so a body could say one thing to
// a proxy or a log and another to the server), and a string that is not
// valid UTF-8 — raw bytes or an escaped lone surrogate (\ud800) — which
// encoding/json would silently replace with U+FFFD. body must be JSON that
// encoding/json has already parsed: checkRaw does not check the syntax, and
// stops quietly on anything it does not expect.
func checkRaw(body []byte, fe cuakhau.FieldErrors) {
	s := rawScanners.Get().(*rawScanner)
	s.b, s.i, s.fe = body, 0, fe
	s.value()
	// Keep nothing of this body while the scanner waits in the pool.
	clear(s.frames[:cap(s.frames)])
	clear(s.keys[:cap(s.keys)])
	s.b, s.fe, s.frames, s.keys = nil, nil, s.frames[:0], s.keys[:0]
	rawScanners.Put(s)
}

// rawScanners keeps scanners with their stacks, so that a usual body is
// checked without allocating.
var rawScanners = sync.Pool{New: func() any { return new(rawScanner) }}

// rawScanner walks a JSON text keeping the path to where it is, so that a
// rule broken can be named by its field; the path is only spelled out when
// one is.
type rawScanner struct {
	b  []byte
	i  int
	fe cuakhau.FieldErrors

	frames []rawFrame
	keys   [][]byte // the keys seen so far by every open object, in order
}

// rawFrame is an open object or array.
type rawFrame struct {
	array bool
	index int    // the element now read, in an array
	key   []byte // the key now read, in an object
	// keys[first:] are this object's keys; past manyKeys they are in seen.
	first int
	seen  map[string]bool
}

// manyKeys is the size past which an object's keys are looked up in a map
// rather than compared one by one, so that a body of a million keys is not a
// million squared comparisons.
const manyKeys = 16

func (s *rawScanner) path() string {
	var b strings.Builder
	for _, f := range s.frames {
		if f.array {
			fmt.Fprintf(&b, "[%d]", f.index)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strings.ToValidUTF8(string(f.key), "\uFFFD"))
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

func (s *rawScanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\r' || s.b[s.i] == '\n') {
		s.i++
	}
}

func (s *rawScanner) value() {
	s.space()
	if s.i >= len(s.b) {
		return
	}
	switch s.b[s.i] {
	case '{':
		s.object()
	case '[':
		s.array()
	case '"':
		if _, _, ok := s.str(); !ok {
			s.fe.Add(s.path(), "not valid UTF-8")
		}
	default: // a number, true, false or null
		for s.i < len(s.b) && strings.IndexByte(",]} \t\r\n", s.b[s.i]) < 0 {
			s.i++
		}
	}
}

func (s *rawScanner) object() {
	s.i++ // {
	s.frames = append(s.frames, rawFrame{first: len(s.keys)})
	f := &s.frames[len(s.frames)-1]
	for {
		s.space()
		if s.i >= len(s.b) || s.b[s.i] == '}' {
			s.i++
			break
		}
		raw, escaped, ok := s.str()
		key := raw
		if escaped && ok {
			var k string
			if json.Unmarshal(s.b[s.i-len(raw)-2:s.i], &k) == nil {
				key = []byte(k)
			}
		}
		f.key = key
		if !ok {
			s.fe.Add(s.path(), "the field's name is not valid UTF-8")
		} else if s.seenKey(f, key) {
			s.fe.Add(s.path(), "given twice; send each field once")
		}
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return
		}
		s.i++
		s.value()
		f = &s.frames[len(s.frames)-1] // value may have grown s.frames
		s.space()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			continue
		}
		s.i++ // }
		break
	}
	s.keys = s.keys[:f.first]
	s.frames = s.frames[:len(s.frames)-1]
}

// seenKey reports whether the object f has had key before, and records it.
func (s *rawScanner) seenKey(f *rawFrame, key []byte) bool {
	if f.seen != nil {
		if f.seen[string(key)] {
			return true
		}
		f.seen[string(key)] = true
		return false
	}
	for _, k := range s.keys[f.first:] {
		if bytes.Equal(k, key) {
			return true
		}
	}
	s.keys = append(s.keys, key)
	if len(s.keys)-f.first > manyKeys {
		f.seen = make(map[string]bool, 2*manyKeys)
		for _, k := range s.keys[f.first:] {
			f.seen[string(k)] = true
		}
	}
	return false
}

func (s *rawScanner) array() {
	s.i++ // [
	s.frames = append(s.frames, rawFrame{array: true})
	for n := 0; ; n++ {
		s.space()
		if s.i >= len(s.b) || s.b[s.i] == ']' {
			s.i++
			break
		}
		s.frames[len(s.frames)-1].index = n
		s.value()
		s.space()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			continue
		}
		s.i++ // ]
		break
	}
	s.frames = s.frames[:len(s.frames)-1]
}

// str reads the string at s.i and returns its bytes between the quotes,
// whether it holds an escape, and whether it is valid UTF-8 once unescaped.
func (s *rawScanner) str() (raw []byte, escaped, ok bool) {
	s.i++ // "
	start := s.i
	ok = true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw = s.b[start:s.i]
			s.i++
			return raw, escaped, ok
		case c == '\\':
			escaped = true
			if s.i+1 < len(s.b) && s.b[s.i+1] == 'u' {
				r := hex4(s.b[s.i+2:])
				s.i += 6
				switch {
				case r >= 0xDC00 && r <= 0xDFFF:
					ok = false // a low surrogate with no high one before it
				case r >= 0xD800 && r <= 0xDBFF:
					if s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
						if lo := hex4(s.b[s.i+2:]); lo >= 0xDC00 && lo <= 0xDFFF {
							s.i += 6
							continue
						}
					}
					ok = false // a high surrogate with no low one after it
				}
				continue
			}
			s.i += 2
		case c < utf8.RuneSelf:
			s.i++
		default:
			r, size := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && size == 1 {
				ok = false
			}
			s.i += size
		}
	}
	return s.b[start:], escaped, ok
}

// hex4 decodes the four hex digits at the start of b, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return -1
		}
	}
	return r
}
