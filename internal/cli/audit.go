package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/filelog"
	"github.com/spf13/cobra"
)

// Files of an audit log folder besides those of filelog.
const (
	auditKeyFile      = "audit.key" // the private key, 0600
	auditVerifierFile = "audit.pub" // the verifier key
)

func auditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Create, append to, show and verify the tamper-evident audit log",
		Long: `audit works on an audit log kept in a folder of plain files (--dir): a
Merkle tree of decision entries with Ed25519-signed checkpoints, in the C2SP
tlog-checkpoint, signed-note and tlog-proof formats (docs/audit-format.md).

  audit init --dir DIR               a new log and its signing key
  audit append --dir DIR ...         append an entry (for tests and operations)
  audit checkpoint --dir DIR         print the latest signed checkpoint
  audit proof --dir DIR N            print entry N's inclusion proof
  audit key --dir DIR                print the verifier key (name+hash+key)
  audit verify --dir DIR             check the whole log offline

checkpoint, proof, key and verify also read the log that geowarden serve
keeps in its data folder: --data DIR instead of --dir DIR.`,
	}
	cmd.AddCommand(auditInitCmd(), auditAppendCmd(), auditCheckpointCmd(), auditProofCmd(), auditKeyCmd(), auditVerifyCmd())
	return cmd
}

// auditDirFlag registers the --dir flag every audit command takes.
func auditDirFlag(cmd *cobra.Command, dir *string) {
	cmd.Flags().StringVar(dir, "dir", "", "the audit log's folder (required)")
	cmd.MarkFlagRequired("dir")
}

func auditInitCmd() *cobra.Command {
	var dir, origin, keyPath string
	cmd := &cobra.Command{
		Use:   "init --dir DIR [--origin NAME] [--private-key FILE]",
		Short: "Create an empty audit log and its signing key",
		Long: `init makes DIR (or uses it if empty), generates an Ed25519 signing key named
after the log's origin, writes it to --private-key (default DIR/audit.key,
mode 0600) and the verifier key to DIR/audit.pub, creates the empty log and
signs its first checkpoint. It prints the verifier key: publish it, and give
it to auditors, who verify with it rather than with the copy in DIR.`,
		Args: cobra.NoArgs,
		RunE: run(func(cmd *cobra.Command, args []string) (int, error) {
			if origin == "" {
				origin = newOrigin()
			}
			if keyPath == "" {
				keyPath = filepath.Join(dir, auditKeyFile)
			}
			if err := audit.CheckOrigin(origin); err != nil {
				return ExitError, err
			}
			if _, err := os.Stat(filepath.Join(dir, filelog.EntriesFile)); err == nil {
				return ExitError, fmt.Errorf("audit init: %s holds a log already", dir)
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return ExitError, fmt.Errorf("audit init: %w", err)
			}
			key, err := audit.CreateKeyFile(keyPath, origin)
			if err != nil {
				return ExitError, err
			}
			if err := initLog(cmd, dir, key); err != nil {
				// Nothing half made: no key without its log.
				os.Remove(keyPath)
				for _, f := range []string{filelog.EntriesFile, filelog.HashesFile, filelog.CheckpointFile, filelog.LockFile, auditVerifierFile} {
					os.Remove(filepath.Join(dir, f))
				}
				return ExitError, err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "audit log created in %s; private key %s; verifier key:\n", dir, keyPath)
			fmt.Fprintln(cmd.OutOrStdout(), key.VerifierKey())
			return ExitOK, nil
		}),
	}
	auditDirFlag(cmd, &dir)
	cmd.Flags().StringVar(&origin, "origin", "", "the log's origin and key name (default geowarden.example/audit/ and a random id)")
	cmd.Flags().StringVar(&keyPath, "private-key", "", "where to write the private key (default DIR/audit.key)")
	return cmd
}

// initLog creates the empty log in dir, signs its first checkpoint and
// writes the verifier key beside it.
func initLog(cmd *cobra.Command, dir string, key *audit.Key) error {
	s, err := filelog.Create(dir)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := audit.Open(cmd.Context(), s, key); err != nil {
		return err
	}
	pub := filepath.Join(dir, auditVerifierFile)
	if err := os.WriteFile(pub, []byte(key.VerifierKey()+"\n"), 0o644); err != nil {
		return fmt.Errorf("audit init: %w", err)
	}
	return nil
}

// entryFlags is the JSON form of an entry that audit append reads: every
// member but the index, which the log sets; time is optional.
type entryFlags struct {
	Type           audit.Type        `json:"type"`
	Time           string            `json:"time"`
	Actor          string            `json:"actor"`
	Subjects       []string          `json:"subjects"`
	PolicyRevision string            `json:"policy_revision"`
	Counts         map[string]int64  `json:"counts"`
	Digest         string            `json:"digest"`
	Details        map[string]string `json:"details"`
}

func auditAppendCmd() *cobra.Command {
	var dir, keyPath, typ, js string
	cmd := &cobra.Command{
		Use:   "append --dir DIR --type TYPE --json ENTRY",
		Short: "Append an entry to the audit log and sign a new checkpoint",
		Long: `append appends one entry and prints its index once the entry and a signed
checkpoint that covers it are on disk. ENTRY is a JSON object with the
entry's members (docs/audit-format.md) but index: actor (required),
subjects, policy_revision, counts, digest, details, and time (RFC 3339;
default now); "-" reads it from standard input. --type sets the type
(ingest_batch, export_request, review, release, download, token, policy),
unless ENTRY has one.`,
		Args: cobra.NoArgs,
		RunE: run(func(cmd *cobra.Command, args []string) (int, error) {
			if keyPath == "" {
				keyPath = filepath.Join(dir, auditKeyFile)
			}
			e, err := parseEntryJSON(cmd.InOrStdin(), js, typ)
			if err != nil {
				return ExitError, err
			}
			key, err := audit.ReadKeyFile(keyPath)
			if err != nil {
				return ExitError, err
			}
			s, err := filelog.Open(dir)
			if err != nil {
				return ExitError, err
			}
			defer s.Close()
			l, err := audit.Open(cmd.Context(), s, key)
			if err != nil {
				return ExitError, err
			}
			n, err := l.Append(cmd.Context(), e)
			if err != nil {
				return ExitError, err
			}
			fmt.Fprintln(cmd.OutOrStdout(), n)
			return ExitOK, nil
		}),
	}
	auditDirFlag(cmd, &dir)
	cmd.Flags().StringVar(&keyPath, "private-key", "", "the signing key (default DIR/audit.key)")
	cmd.Flags().StringVar(&typ, "type", "", "the entry's type")
	cmd.Flags().StringVar(&js, "json", "", `the entry as a JSON object, or "-" for standard input (required)`)
	cmd.MarkFlagRequired("json")
	return cmd
}

// parseEntryJSON decodes the entry audit append is given, strictly.
func parseEntryJSON(stdin io.Reader, js, typ string) (audit.Entry, error) {
	var src []byte
	if js == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, audit.MaxEntrySize+1))
		if err != nil {
			return audit.Entry{}, fmt.Errorf("audit append: standard input: %w", err)
		}
		src = b
	} else {
		src = []byte(js)
	}
	if len(src) > audit.MaxEntrySize {
		return audit.Entry{}, fmt.Errorf("audit append: --json: more than %d bytes", audit.MaxEntrySize)
	}
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.DisallowUnknownFields()
	var f entryFlags
	if err := dec.Decode(&f); err != nil {
		return audit.Entry{}, fmt.Errorf("audit append: --json: %s", jsonErr(src, dec, err))
	}
	if dec.More() {
		return audit.Entry{}, fmt.Errorf("audit append: --json: data after the object at byte %d", dec.InputOffset())
	}
	switch {
	case f.Type == "":
		f.Type = audit.Type(typ)
	case typ != "" && audit.Type(typ) != f.Type:
		return audit.Entry{}, fmt.Errorf("audit append: --type %s, but the entry's type is %s", typ, f.Type)
	}
	if f.Type == "" {
		return audit.Entry{}, errors.New("audit append: no --type and no type in the entry")
	}
	e := audit.Entry{Type: f.Type, Actor: f.Actor, Subjects: f.Subjects, PolicyRevision: f.PolicyRevision,
		Counts: f.Counts, Digest: f.Digest, Details: f.Details}
	if f.Time != "" {
		t, err := time.Parse(time.RFC3339Nano, f.Time)
		if err != nil {
			return audit.Entry{}, fmt.Errorf("audit append: --json: time %q: want RFC 3339", f.Time)
		}
		e.Time = t
	}
	// Check now, with a time, so that a bad entry is refused before the log
	// is opened.
	check := e
	if check.Time.IsZero() {
		check.Time = time.Now()
	}
	if err := check.Validate(); err != nil {
		return audit.Entry{}, fmt.Errorf("audit append: --json: %w", err)
	}
	return e, nil
}

// jsonErr describes a JSON decoding error with its byte offset.
func jsonErr(src []byte, dec *json.Decoder, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("byte %d: %v", se.Offset, err)
	case errors.As(err, &te):
		return fmt.Sprintf("byte %d: member %q: want %v", te.Offset, te.Field, te.Type)
	case errors.Is(err, io.EOF):
		return "empty: want a JSON object"
	}
	return fmt.Sprintf("byte %d: %v", dec.InputOffset(), err)
}

// verifierKey returns the verifier key that --key (a file) or
// --verifier-key names, else the one in DIR/audit.pub (and says so).
func verifierKey(cmd *cobra.Command, dir, keyFile, vkey string) (string, error) {
	switch {
	case keyFile != "" && vkey != "":
		return "", errors.New("audit: --key and --verifier-key are exclusive")
	case vkey != "":
		return audit.ParseVerifierKey(vkey)
	case keyFile != "":
		return audit.ReadVerifierKey(keyFile)
	}
	return audit.ReadVerifierKey(filepath.Join(dir, auditVerifierFile))
}

// keyFlags registers --key and --verifier-key.
func keyFlags(cmd *cobra.Command, keyFile, vkey *string) {
	cmd.Flags().StringVar(keyFile, "key", "", "a file holding the verifier key (default DIR/audit.pub)")
	cmd.Flags().StringVar(vkey, "verifier-key", "", "the verifier key itself, name+hash+key")
}

func auditCheckpointCmd() *cobra.Command {
	var src auditSource
	cmd := &cobra.Command{
		Use:   "checkpoint --dir DIR | --data DIR",
		Short: "Print the audit log's latest signed checkpoint",
		Long: `checkpoint prints the latest signed checkpoint as it is stored (C2SP
tlog-checkpoint). Save it after a successful verify, and pass it to the next
verify as --since: a log rolled back since then fails.`,
		Args: cobra.NoArgs,
		RunE: run(func(cmd *cobra.Command, args []string) (int, error) {
			s, err := src.open(cmd.Context())
			if err != nil {
				return ExitError, err
			}
			defer s.close()
			c, err := s.Checkpoint(cmd.Context())
			if err != nil {
				return ExitError, err
			}
			if c == nil {
				return ExitError, fmt.Errorf("audit: %s has no checkpoint", s.where)
			}
			cmd.OutOrStdout().Write(c)
			return ExitOK, nil
		}),
	}
	src.flags(cmd)
	return cmd
}

func auditProofCmd() *cobra.Command {
	var src auditSource
	var keyFile, vkey string
	cmd := &cobra.Command{
		Use:   "proof --dir DIR | --data DIR N",
		Short: "Print the inclusion proof of entry N",
		Long: `proof prints the inclusion proof of entry N (from 0) in the tree of the
latest signed checkpoint, in the C2SP tlog-proof format with the entry as
its extra data. The checkpoint's signature is checked with the verifier key
first.`,
		Args: cobra.ExactArgs(1),
		RunE: run(func(cmd *cobra.Command, args []string) (int, error) {
			n, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || n < 0 {
				return ExitError, fmt.Errorf("audit proof: entry %q: want an index from 0", args[0])
			}
			key, err := verifierKey(cmd, src.folder(), keyFile, vkey)
			if err != nil {
				return ExitError, err
			}
			s, err := src.open(cmd.Context())
			if err != nil {
				return ExitError, err
			}
			defer s.close()
			p, err := audit.Prove(cmd.Context(), s, key, n)
			if err != nil {
				return ExitError, err
			}
			cmd.OutOrStdout().Write(p)
			return ExitOK, nil
		}),
	}
	src.flags(cmd)
	keyFlags(cmd, &keyFile, &vkey)
	return cmd
}

func auditKeyCmd() *cobra.Command {
	var src auditSource
	var keyPath string
	cmd := &cobra.Command{
		Use:   "key --dir DIR | --data DIR",
		Short: "Print the audit log's verifier key (name+hash+key)",
		Long: `key prints the verifier key of the log's signing key, in the signed-note
form name+hash+key: what a verifier needs, and all it needs. It is derived
from the private key (--private-key, default DIR/audit.key) when that is
readable, else read from DIR/audit.pub.`,
		Args: cobra.NoArgs,
		RunE: run(func(cmd *cobra.Command, args []string) (int, error) {
			dir := src.folder()
			if keyPath == "" {
				keyPath = filepath.Join(dir, auditKeyFile)
			}
			k, kerr := audit.ReadKeyFile(keyPath)
			if kerr == nil {
				fmt.Fprintln(cmd.OutOrStdout(), k.VerifierKey())
				return ExitOK, nil
			}
			v, err := audit.ReadVerifierKey(filepath.Join(dir, auditVerifierFile))
			if err != nil {
				return ExitError, errors.Join(kerr, err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), v)
			return ExitOK, nil
		}),
	}
	src.flags(cmd)
	cmd.Flags().StringVar(&keyPath, "private-key", "", "the signing key (default DIR/audit.key)")
	return cmd
}

func auditVerifyCmd() *cobra.Command {
	var src auditSource
	var keyFile, vkey, since string
	cmd := &cobra.Command{
		Use:   "verify --dir DIR | --data DIR [--key FILE | --verifier-key KEY] [--since CHECKPOINT]",
		Short: "Check the audit log offline: every entry, the tree, the signed checkpoint",
		Long: `verify checks the log in DIR with the verifier key alone: the signature of
the latest checkpoint, every entry's form, index and hash, the stored tree,
the root against the checkpoint and, with --since, consistency with an
earlier checkpoint (one saved by 'audit checkpoint' after the last
verification): it finds an edited entry, a deleted one, two swapped, a
truncated tail and a rollback to an older state. Give the key you hold
(--key FILE or --verifier-key): without either, the copy in DIR/audit.pub is
used, which whoever can edit DIR can replace.

Exit codes: 0 the log verifies, 1 tampering found (each problem listed), 2
the log could not be checked.

With --data DIR it checks the log geowarden serve keeps in the database of
its data folder DIR (the verifier key's copy is DIR/audit.pub); it only
reads, and may run while the gateway does.`,
		Args: cobra.NoArgs,
		RunE: run(func(cmd *cobra.Command, args []string) (int, error) {
			dir := src.folder()
			key, err := verifierKey(cmd, dir, keyFile, vkey)
			if err != nil {
				return ExitError, err
			}
			if keyFile == "" && vkey == "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "geowarden: audit verify: using the verifier key in %s; pass --key or --verifier-key to check against your own copy\n", filepath.Join(dir, auditVerifierFile))
			}
			var sinceNote []byte
			if since != "" {
				if sinceNote, err = os.ReadFile(since); err != nil {
					return ExitError, fmt.Errorf("audit verify: --since: %w", err)
				}
				if _, err := audit.OpenCheckpoint(sinceNote, key); err != nil {
					return ExitError, fmt.Errorf("audit verify: --since %s: %w", since, err)
				}
			}
			s, err := src.open(cmd.Context())
			if err != nil {
				return ExitError, err
			}
			defer s.close()
			r, err := audit.Verify(cmd.Context(), s, key, sinceNote)
			if err != nil {
				return ExitError, err
			}
			out := cmd.OutOrStdout()
			if t := s.torn(); t > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "geowarden: audit verify: %d bytes after the last entry of %s are not an entry (an append cut short?)\n", t, filepath.Join(dir, filelog.EntriesFile))
			}
			if !r.OK() {
				fmt.Fprintf(out, "TAMPERED: %s: %d problem(s)\n", dir, len(r.Problems)+r.Omitted)
				for _, p := range r.Problems {
					fmt.Fprintf(out, "  %v\n", p)
				}
				if r.Omitted > 0 {
					fmt.Fprintf(out, "  … and %d more\n", r.Omitted)
				}
				return ExitFindings, nil
			}
			entries := "entries"
			if r.Entries == 1 {
				entries = "entry"
			}
			fmt.Fprintf(out, "ok: %s: %d %s, signed checkpoint %s size %d root %v", dir, r.Entries, entries, r.Checkpoint.Origin, r.Checkpoint.Size, r.Checkpoint.Hash)
			if r.Since != nil {
				fmt.Fprintf(out, "; consistent with the earlier checkpoint of size %d", r.Since.Size)
			}
			fmt.Fprintln(out)
			return ExitOK, nil
		}),
	}
	src.flags(cmd)
	keyFlags(cmd, &keyFile, &vkey)
	cmd.Flags().StringVar(&since, "since", "", "an earlier signed checkpoint the log must be consistent with")
	return cmd
}
