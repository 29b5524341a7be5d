package cli

import (
	"errors"
	"io"
	"os"

	"github.com/geowarden/geowarden/internal/progress"
	"github.com/geowarden/geowarden/pipeline"
	"golang.org/x/term"
)

// startProgress shows a progress bar on stderr for a run of r over paths,
// when stderr is a terminal and quiet is off. It returns the writer to
// print messages to while the run goes on (they appear above the bar)
// and the function that clears the bar at the end. The bar counts the
// bytes of the inputs (files, or folders: every file below them) against
// their total size, unknown when one is standard input.
func startProgress(stderr io.Writer, quiet bool, paths []string, r *pipeline.Runner) (io.Writer, func()) {
	f, ok := stderr.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) || os.Getenv("TERM") == "dumb" {
		return stderr, func() {}
	}
	var total int64
	files, _, err := pipeline.Inputs(paths)
	for _, p := range files {
		st, serr := os.Stat(p)
		if p == pipeline.Stdin || serr != nil {
			err = errors.New("size unknown")
			break
		}
		total += st.Size()
	}
	if err != nil {
		total = 0 // unknown: the bar shows no percentage
	}
	width, _, _ := term.GetSize(int(f.Fd()))
	bar := progress.New(f, progress.Options{Total: total, Width: width})
	r.Progress = bar.AddBytes
	r.Options.Progress = bar.AddRecords
	return bar, bar.Finish
}
