package review

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden/internal/policyfile"
	"github.com/geowarden/geowarden/policy"
)

// FuzzDecodeConfig checks that DecodeConfig never panics on a policy that
// package policy accepts, that its errors are policy errors naming the
// file, and that a section it accepts builds a gate whose outcomes hold
// together.
func FuzzDecodeConfig(f *testing.F) {
	files, err := filepath.Glob("testdata/*.yml")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("default: keep\n" + examplePolicy))
	f.Add([]byte("default: keep\n" + reviewPolicy))
	f.Add([]byte("default: keep\nexport: &e { rules: [ { name: a, action: review, reviewers: *e } ] }\n"))
	reqs := []Request{request("DE"), request("US", "KP"), request("FR", "DE", "JP"), {Destinations: []string{"zz"}}, {}}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := policy.Parse("fuzz.yml", data)
		if err != nil {
			return
		}
		c, err := DecodeConfig(p.Name, p.Export)
		if err != nil {
			var perr *policyfile.Error
			if !errors.As(err, &perr) || !strings.HasPrefix(err.Error(), "policy: fuzz.yml") {
				t.Fatalf("error %q (%T) is not a policy error naming the file", err, err)
			}
			return
		}
		g, err := NewGate(c, "DE")
		if err != nil {
			t.Fatalf("NewGate of a decoded config: %v", err)
		}
		for _, r := range reqs {
			o := g.Decide(r)
			if len(o.Matches) != len(r.Destinations) {
				t.Fatalf("%d matches for %d destinations", len(o.Matches), len(r.Destinations))
			}
			switch o.Action {
			case Review:
				if o.Approvals < 1 || o.Denials < 1 {
					t.Fatalf("review with %d approvals and %d denials", o.Approvals, o.Denials)
				}
			case Release, Refuse:
				if o.Approvals != 0 || o.Denials != 0 || len(o.Reviewers) != 0 {
					t.Fatalf("%v with a quorum: %+v", o.Action, o)
				}
			default:
				t.Fatalf("no action: %+v", o)
			}
			for _, m := range o.Matches {
				if m.Action > o.Action {
					t.Fatalf("destination %s is %v, stricter than the outcome %v", m.Destination, m.Action, o.Action)
				}
			}
		}
	})
}

// fuzzIDs are the identities the state-machine fuzzer acts as: reviewers,
// the requester under its own and other tokens, and someone holding the
// requester's token.
var fuzzIDs = []Identity{
	alice, bob, carol, rita,
	{Name: "rita", Token: "tok-rita-2"},
	{Name: "mallory", Token: "tok-rita"},
	{Name: "alice", Token: "tok-alice-2", Groups: []string{"export-board"}},
	{Name: "dave", Token: "tok-dave", Groups: []string{"export-board"}},
	{Name: "erin", Token: "tok-erin"},
	{Name: "", Token: "tok-x"},
}

var fuzzReasons = []string{"", "ok", " ", "checked\nthe sample", "bad\x00"}

// FuzzApply drives exports through random sequences of events at random
// times and checks the invariants: a release needs the gate's immediate
// release or a quorum of distinct approvals; the requester is never
// counted; terminal states stay terminal; nothing goes back to pending; a
// refused event changes nothing; every stored state passes Check.
func FuzzApply(f *testing.F) {
	f.Add([]byte{0, 1, 0, 1, 2, 1, 1, 3, 5})
	f.Add([]byte{1, 2, 3, 1, 1, 1, 1, 1, 1, 1, 2, 1})
	f.Add([]byte{2, 6, 0, 255, 5, 0, 200, 4, 3, 1})
	f.Add([]byte{3, 1, 4, 1, 2, 7, 1, 1, 0, 3, 1, 3, 0, 0, 6, 0, 255})
	g := gateOf(f, reviewPolicy)
	dsts := [][]string{{"JP"}, {"FR"}, {"US"}, {"DE"}, {"KP"}, {"US", "FR"}, {"DE", "JP"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		req := request(dsts[int(data[0])%len(dsts)]...)
		if data[0]&0x80 != 0 {
			req.Findings = Findings{}
		}
		x, _, err := g.Open(req, t0)
		if err != nil {
			t.Fatal(err)
		}
		immediate := x.State == Released
		now := t0
		for data = data[1:]; len(data) >= 4; data = data[4:] {
			ev := Event{
				Kind:   Kind(data[0] % 8),
				By:     fuzzIDs[int(data[1])%len(fuzzIDs)],
				Reason: fuzzReasons[int(data[2])%len(fuzzReasons)],
			}
			// Steps of up to about 4 days, now and then backwards.
			now = now.Add(time.Duration(int8(data[3])) * 47 * time.Minute)
			before, _ := json.Marshal(x)
			y, tr, err := Apply(x, ev, now)
			if err != nil {
				if after, _ := json.Marshal(y); string(after) != string(before) {
					t.Fatalf("refused %v changed the export:\n%s\n%s", ev.Kind, before, after)
				}
				if x.State.Terminal() && !errors.Is(err, ErrTerminal) {
					t.Fatalf("%v on a %v export: %v, want ErrTerminal", ev.Kind, x.State, err)
				}
				continue
			}
			if x.State.Terminal() {
				t.Fatalf("%v left the terminal state %v for %v", ev.Kind, x.State, y.State)
			}
			if y.State == Pending && x.State != Pending {
				t.Fatalf("%v went back from %v to pending", ev.Kind, x.State)
			}
			if tr.From != x.State || tr.To != y.State || tr.Kind != ev.Kind {
				t.Fatalf("transition %+v for %v from %v to %v", tr, ev.Kind, x.State, y.State)
			}
			if err := y.Check(); err != nil {
				t.Fatal(err)
			}
			if after, _ := json.Marshal(x); string(after) != string(before) {
				t.Fatalf("Apply changed its input")
			}
			x = y
			// Count approvals independently: distinct names and tokens,
			// never the requester's.
			names, tokens := map[string]bool{}, map[string]bool{}
			approvals := 0
			for _, v := range x.Votes {
				if v.Reviewer.Name == req.Requester.Name || v.Reviewer.Token == req.Requester.Token {
					t.Fatalf("the requester's vote was counted: %+v", v)
				}
				if names[v.Reviewer.Name] || tokens[v.Reviewer.Token] {
					t.Fatalf("one reviewer voted twice: %+v", x.Votes)
				}
				names[v.Reviewer.Name], tokens[v.Reviewer.Token] = true, true
				if v.Approve {
					approvals++
				}
				if strings.TrimSpace(v.Reason) == "" {
					t.Fatalf("vote without a reason: %+v", v)
				}
			}
			if (x.State == Released || x.State == Closed) && !immediate && approvals < x.Outcome.Approvals {
				t.Fatalf("released with %d of %d approvals", approvals, x.Outcome.Approvals)
			}
			if immediate && len(x.Votes) > 0 {
				t.Fatalf("votes on an immediate release: %+v", x.Votes)
			}
		}
	})
}
