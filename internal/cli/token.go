package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/geowarden/geowarden/server"
	"github.com/geowarden/geowarden/store"
	"github.com/geowarden/geowarden/store/sqlite"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// defaultData is the gateway's data folder when --data is not given.
const defaultData = "./geowarden-data"

func dataFlag(fs *pflag.FlagSet, dir *string) {
	fs.StringVar(dir, "data", defaultData, "the gateway's data `FOLDER` (database, outbox); made with mode 0700 when missing")
}

func tokenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke the gateway's access tokens",
		Long: `Every request to the gateway (geowarden serve) but /healthz and /readyz needs a
token with the role its endpoint wants:

  ingest    send records: POST /v1/ingest and the device protocol routes
  export    request exports
  reviewer  review held exports
  admin     operate the gateway: /metrics, GET /v1/decisions, GET /v1/audit/...
  auditor   read /metrics, GET /v1/decisions and GET /v1/audit/...

Creating and revoking a token is appended to the audit log in the data
folder before it is stored (its key DIR/audit.key is made the first time).

A token is shown once, when it is created; the data folder keeps only its
SHA-256 hash. Clients send it as "Authorization: Bearer TOKEN", as the
password of Basic authentication, or (for apps that cannot set headers) as
the query parameter token=TOKEN; the gateway takes it off the request before
anything is stored, logged or forwarded.`,
	}
	cmd.AddCommand(tokenCreateCmd(), tokenListCmd(), tokenRevokeCmd())
	return cmd
}

func tokenCreateCmd() *cobra.Command {
	var data, name string
	var roles []string
	cmd := &cobra.Command{
		Use:   "create --name NAME --role ROLE... [--data DIR]",
		Short: "Create a token and print it, once",
		Long: `create makes a random token (gw_ and 43 characters: 32 random bytes, base64url)
with the roles given, stores its hash under NAME, and prints the token on
standard output. It cannot be shown again: store it now. A name may be
reused once the token that had it is revoked.`,
		Example: `  geowarden token create --data /var/lib/geowarden --role ingest --name phone-17
  geowarden token create --role admin --role auditor --name ops`,
		Args: cobra.NoArgs,
		RunE: run(func(cmd *cobra.Command, _ []string) (int, error) {
			var rs []string
			for _, r := range roles {
				for p := range strings.SplitSeq(r, ",") {
					if p = strings.TrimSpace(p); p != "" {
						rs = append(rs, p)
					}
				}
			}
			ctx := cmd.Context()
			text, tok, err := server.NewToken(name, rs, time.Now())
			if err != nil {
				return ExitError, err
			}
			db, err := sqlite.Open(ctx, data)
			if err != nil {
				return ExitError, err
			}
			defer db.Close()
			toks, err := db.Tokens(ctx)
			if err != nil {
				return ExitError, err
			}
			for _, t := range toks {
				if t.Name == name && t.Revoked.IsZero() {
					return ExitError, fmt.Errorf("%w: a token named %q", store.ErrExists, name)
				}
			}
			// Logged before it is stored: a token the log does not show
			// never exists.
			l, err := openGatewayAudit(ctx, db)
			if err != nil {
				return ExitError, err
			}
			if err := server.AuditToken(ctx, l, "create", tokenActor, tok, tok.Created); err != nil {
				return ExitError, err
			}
			if err := db.CreateToken(ctx, tok); err != nil {
				return ExitError, err
			}
			fmt.Fprintln(cmd.OutOrStdout(), text)
			fmt.Fprintf(cmd.ErrOrStderr(), "token %q (id %d, roles %s) created; it is shown only this once\n", tok.Name, tok.ID, strings.Join(tok.Roles, ","))
			return ExitOK, nil
		}),
	}
	dataFlag(cmd.Flags(), &data)
	cmd.Flags().StringVar(&name, "name", "", "the token's `NAME` (a device, a service, a person)")
	cmd.Flags().StringArrayVar(&roles, "role", nil, "a `ROLE` of the token: "+strings.Join(server.Roles, ", ")+" (repeatable, or comma-separated)")
	cmd.MarkFlagRequired("name")
	cmd.MarkFlagRequired("role")
	return cmd
}

func tokenListCmd() *cobra.Command {
	var data, outFmt string
	cmd := &cobra.Command{
		Use:   "list [--data DIR] [--format table|json]",
		Short: "List the tokens: name, roles, created, last used, revoked",
		Args:  cobra.NoArgs,
		RunE: run(func(cmd *cobra.Command, _ []string) (int, error) {
			if outFmt != "table" && outFmt != "json" {
				return ExitError, fmt.Errorf("--format %q: want table or json", outFmt)
			}
			db, err := sqlite.Open(cmd.Context(), data)
			if err != nil {
				return ExitError, err
			}
			defer db.Close()
			toks, err := db.Tokens(cmd.Context())
			if err != nil {
				return ExitError, err
			}
			if outFmt == "json" {
				type row struct {
					ID       int64      `json:"id"`
					Name     string     `json:"name"`
					Roles    []string   `json:"roles"`
					Created  time.Time  `json:"created"`
					LastUsed *time.Time `json:"last_used"`
					Revoked  *time.Time `json:"revoked"`
				}
				rows := []row{}
				for _, t := range toks {
					rows = append(rows, row{t.ID, t.Name, t.Roles, t.Created, timePtr(t.LastUsed), timePtr(t.Revoked)})
				}
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return ExitOK, enc.Encode(rows)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tNAME\tROLES\tCREATED\tLAST USED\tREVOKED")
			for _, t := range toks {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, strings.Join(t.Roles, ","), when(t.Created), when(t.LastUsed), when(t.Revoked))
			}
			return ExitOK, w.Flush()
		}),
	}
	dataFlag(cmd.Flags(), &data)
	cmd.Flags().StringVar(&outFmt, "format", "table", "output `FORMAT`: table or json")
	return cmd
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// tokenActor is the actor of the audit entries of token changes made on
// the command line.
const tokenActor = "command line"

// activeToken returns the token not yet revoked that ref names (by ID, or
// by name), as RevokeToken would revoke it, or nil.
func activeToken(ctx context.Context, db *sqlite.DB, ref string) *store.Token {
	toks, err := db.Tokens(ctx)
	if err != nil {
		return nil
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		for i := range toks {
			if t := &toks[i]; t.ID == id {
				if t.Revoked.IsZero() {
					return t
				}
				return nil
			}
		}
	}
	for i := range toks {
		t := &toks[i]
		if t.Revoked.IsZero() && t.Name == ref {
			return t
		}
	}
	return nil
}

func tokenRevokeCmd() *cobra.Command {
	var data string
	cmd := &cobra.Command{
		Use:   "revoke [--data DIR] NAME|ID",
		Short: "Revoke a token: the gateway refuses it from then on (within 2 seconds)",
		Args:  cobra.ExactArgs(1),
		RunE: run(func(cmd *cobra.Command, args []string) (int, error) {
			ctx := cmd.Context()
			db, err := sqlite.Open(ctx, data)
			if err != nil {
				return ExitError, err
			}
			defer db.Close()
			now := time.Now()
			if t := activeToken(ctx, db, args[0]); t != nil {
				l, err := openGatewayAudit(ctx, db)
				if err != nil {
					return ExitError, err
				}
				if err := server.AuditToken(ctx, l, "revoke", tokenActor, t, now); err != nil {
					return ExitError, err
				}
			}
			t, err := db.RevokeToken(ctx, args[0], now)
			if errors.Is(err, store.ErrNotFound) {
				return ExitError, fmt.Errorf("no token %q", args[0])
			}
			if err != nil {
				return ExitError, err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "token %q (id %d) revoked at %s\n", t.Name, t.ID, when(t.Revoked))
			return ExitOK, nil
		}),
	}
	dataFlag(cmd.Flags(), &data)
	return cmd
}
