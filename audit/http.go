package audit

import (
	"errors"
	"net/http"
	"strconv"
)

// Handler serves the log's public, read-only views:
//
//	GET /v1/audit/checkpoint     the latest signed checkpoint (C2SP tlog-checkpoint)
//	GET /v1/audit/proof/{n}      entry n's inclusion proof (C2SP tlog-proof)
//	GET /v1/audit/key            the verifier key (name+hash+key)
//
// It does no authentication: the server puts it behind its own.
func Handler(l *Log) http.Handler {
	mux := http.NewServeMux()
	text := func(w http.ResponseWriter, b []byte) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(b)
	}
	mux.HandleFunc("GET /v1/audit/checkpoint", func(w http.ResponseWriter, r *http.Request) {
		text(w, l.Checkpoint())
	})
	mux.HandleFunc("GET /v1/audit/key", func(w http.ResponseWriter, r *http.Request) {
		text(w, []byte(l.VerifierKey()+"\n"))
	})
	mux.HandleFunc("GET /v1/audit/proof/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := parseDecimal(r.PathValue("n"))
		if err != nil {
			http.Error(w, "audit: entry index: want a decimal number", http.StatusBadRequest)
			return
		}
		p, err := l.Proof(r.Context(), n)
		switch {
		case errors.Is(err, ErrNoEntry):
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		case err != nil:
			http.Error(w, "audit: proof of entry "+strconv.FormatInt(n, 10)+" unavailable", http.StatusInternalServerError)
			return
		}
		text(w, p)
	})
	return mux
}
