package device

import (
	"slices"
	"strings"
	"unicode"

	"github.com/cuakhau/cuakhau/ident"
)

// Candidate is a plate a camera's read may be, in its canonical form
// (ident.ParsePlate), with how much the read supports it.
type Candidate struct {
	Plate string  `json:"plate"`
	Score float64 `json:"score"`
}

// confusions are the characters plate cameras mistake for one another:
// O/0, I/1, B/8, D/0, S/5, both ways.
var confusions = map[rune][]rune{
	'O': {'0'}, '0': {'O', 'D'}, 'D': {'0'},
	'I': {'1'}, '1': {'I'},
	'B': {'8'}, '8': {'B'},
	'S': {'5'}, '5': {'S'},
}

// maxSwaps bounds the characters a read may have wrong and still be
// matched: beyond, it says too little to name one truck.
const maxSwaps = 2

// swapWeight is how much each swapped character lowers a candidate's score.
const swapWeight = 0.5

// Candidates returns the plates raw may be, best first: raw as read if it
// parses, and each plate reached by swapping up to maxSwaps confusable
// characters. A candidate's score is the camera's confidence times
// swapWeight for each swap: the read as it stands always outranks its
// look-alikes, and a read the camera is unsure of reaches fewer of them
// above MinScore. Separators,
// case, full-width forms and the middle dot of Chinese plates are what
// ident.ParsePlate folds; they cost nothing. Nil when nothing parses.
func Candidates(raw string, confidence float64) []Candidate {
	var rs []rune
	for _, r := range strings.ToUpper(raw) {
		if r >= 'Ａ' && r <= 'Ｚ' || r >= '０' && r <= '９' {
			r -= 0xFEE0
		}
		if unicode.IsSpace(r) || r == '-' || r == '.' || r == '·' || r == '•' || r == '・' || r == '‧' {
			continue
		}
		rs = append(rs, r)
	}
	if len(rs) == 0 || len(rs) > 12 {
		return nil
	}
	best := map[string]float64{}
	var walk func(i, swaps int)
	walk = func(i, swaps int) {
		if i == len(rs) {
			pl, err := ident.ParsePlate(string(rs))
			if err != nil {
				return
			}
			score := confidence * pow(swapWeight, swaps)
			if s, ok := best[pl.Canonical]; !ok || score > s {
				best[pl.Canonical] = score
			}
			return
		}
		walk(i+1, swaps)
		if swaps == maxSwaps {
			return
		}
		orig := rs[i]
		for _, alt := range confusions[orig] {
			rs[i] = alt
			walk(i+1, swaps+1)
		}
		rs[i] = orig
	}
	walk(0, 0)
	out := make([]Candidate, 0, len(best))
	for p, s := range best {
		out = append(out, Candidate{p, s})
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return strings.Compare(a.Plate, b.Plate)
	})
	return out
}

func pow(x float64, n int) float64 {
	p := 1.0
	for range n {
		p *= x
	}
	return p
}

// MinScore is the least score a candidate needs to name a truck.
const MinScore = 0.2

// Match picks the truck a read names among the candidates that match a
// trip (known holds those plates): the best-scoring one, if its score is at
// least MinScore and no other known candidate scores as well. ok is false
// when no candidate is known or the best ones tie (an operator must look).
func Match(cands []Candidate, known func(plate string) bool) (plate string, ok bool) {
	var hit []Candidate
	for _, c := range cands {
		if known(c.Plate) {
			hit = append(hit, c)
		}
	}
	if len(hit) == 0 || hit[0].Score < MinScore {
		return "", false
	}
	if len(hit) > 1 && hit[1].Score >= hit[0].Score {
		return "", false
	}
	return hit[0].Plate, true
}

// Plates lists the candidates' plates, best first.
func Plates(cands []Candidate) []string {
	out := make([]string, len(cands))
	for i, c := range cands {
		out[i] = c.Plate
	}
	return out
}
