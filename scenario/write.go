package scenario

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// Columns of records.csv; a per-source file has the same without source.
const header = "source,time,lat,lon,accuracy,radio,mcc,mnc,lac,cell,arfcn,freq_mhz,rsrp,rssi,ssid,bssid"

// convergenceMarginM is how near a zone a crowd stays, and the margin the
// truth counts distinct sources in.
const convergenceMarginM = 200

// srcStats is what the records of one source really hold.
type srcStats struct {
	rows, sigRows, protRows int
	first, last             int64
	protFirst, protLast     int64
	perDay                  []int32
	bytesDay                []int64
	// Corridor measures, for sources whose truth reports them.
	km, corrKM float64
	dayKM      []float64
	dayCorrKM  []float64
	prevT      int64
	prev       geowarden.Point
	hasPrev    bool
}

// maxTrackGap is the longest gap between two rows of a source that still
// counts as one stretch of track.
const maxTrackGap = 300

// writeRecords runs every source's plan day by day and writes the rows,
// sorted by time, to records.csv and the per-source files, measuring what
// the truth reports on the way.
func (g *gen) writeRecords(dir string) error {
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close() // after an error; the good path closes them below
		}
	}()
	create := func(name string, size int) (*bufio.Writer, error) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("scenario: %w", err)
		}
		files = append(files, f)
		return bufio.NewWriterSize(f, size), nil
	}
	w, err := create(RecordsFile, 1<<20)
	if err != nil {
		return err
	}
	w.WriteString(header + "\n")
	per := map[int32]*bufio.Writer{}
	writers := []*bufio.Writer{w}
	for _, s := range g.sources {
		if s.file == "" {
			continue
		}
		pw, err := create(s.file, 1<<16)
		if err != nil {
			return err
		}
		pw.WriteString(header[len("source,"):] + "\n")
		per[s.idx] = pw
		writers = append(writers, pw)
	}
	g.stats = make([]srcStats, len(g.sources))
	for i := range g.stats {
		g.stats[i].perDay = make([]int32, g.cfg.Days)
		g.stats[i].bytesDay = make([]int64, g.cfg.Days)
		if g.sources[i].corridor {
			g.stats[i].dayKM = make([]float64, g.cfg.Days)
			g.stats[i].dayCorrKM = make([]float64, g.cfg.Days)
		}
	}
	end := g.periodEnd()
	var buf, carry []rec
	var line []byte
	for d := 0; d < g.cfg.Days; d++ {
		buf = append(buf[:0], carry...)
		for _, s := range g.sources {
			acts := s.days[d]
			if len(acts) == 0 {
				continue
			}
			slices.SortStableFunc(acts, func(a, b *activity) int { return cmp.Compare(a.t0, b.t0) })
			s.em.out = buf
			s.busy = s.em.run(acts, max(s.busy, g.dayStart(d)), end)
			buf = s.em.out
		}
		slices.SortStableFunc(buf, func(a, b rec) int {
			if c := cmp.Compare(a.t, b.t); c != 0 {
				return c
			}
			return cmp.Compare(a.src, b.src)
		})
		cut := g.dayStart(d + 1)
		i, _ := slices.BinarySearchFunc(buf, cut, func(r rec, t int64) int { return cmp.Compare(r.t, t) })
		for k := range buf[:i] {
			rc := &buf[k]
			s := g.sources[rc.src]
			if pw := per[rc.src]; pw != nil {
				line = g.appendRow(line[:0], rc, "")
				pw.Write(line)
			} else {
				line = g.appendRow(line[:0], rc, s.name)
				w.Write(line)
			}
			g.observe(rc, d, len(line))
		}
		carry = append(carry[:0], buf[i:]...)
	}
	for i, bw := range writers {
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("scenario: %w", err)
		}
		if err := files[i].Close(); err != nil {
			return fmt.Errorf("scenario: %w", err)
		}
	}
	files = nil
	return nil
}

// appendRow formats one CSV row; name is the source column, "" for a
// per-source file.
func (g *gen) appendRow(b []byte, rc *rec, name string) []byte {
	if name != "" {
		b = append(b, name...)
		b = append(b, ',')
	}
	b = time.Unix(rc.t, 0).UTC().AppendFormat(b, time.RFC3339)
	b = append(b, ',')
	b = strconv.AppendFloat(b, rc.lat, 'f', 6, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, rc.lon, 'f', 6, 64)
	b = append(b, ',')
	if rc.acc > 0 {
		b = strconv.AppendFloat(b, float64(rc.acc), 'f', 1, 32)
	}
	b = append(b, ',')
	b = append(b, radioNames[rc.radio]...)
	b = append(b, ',')
	if rc.mcc != 0 {
		b = strconv.AppendInt(b, int64(rc.mcc), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(rc.mnc), 10)
	} else {
		b = append(b, ',')
	}
	b = append(b, ',')
	if rc.area != 0 {
		b = strconv.AppendInt(b, int64(rc.area), 10)
	}
	b = append(b, ',')
	if rc.cell != 0 {
		b = strconv.AppendInt(b, rc.cell, 10)
	}
	b = append(b, ',')
	if rc.arfcn >= 0 {
		b = strconv.AppendInt(b, int64(rc.arfcn), 10)
	}
	b = append(b, ',')
	if rc.freq != 0 {
		b = strconv.AppendFloat(b, float64(rc.freq), 'f', 1, 32)
	}
	b = append(b, ',')
	if rc.rsrp != 0 {
		b = strconv.AppendInt(b, int64(rc.rsrp), 10)
	}
	b = append(b, ',')
	if rc.rssi != 0 {
		b = strconv.AppendInt(b, int64(rc.rssi), 10)
	}
	b = append(b, ',')
	if rc.radio == radioWiFi {
		b = appendField(b, g.net.ssid(rc.ap))
		b = append(b, ',')
		b = append(b, bssid(rc.ap)...)
	} else {
		b = append(b, ',')
	}
	return append(b, '\n')
}

// appendField writes a CSV field, quoted when it holds a comma or quote.
func appendField(b []byte, v string) []byte {
	quote := false
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			quote = true
			break
		}
	}
	if !quote {
		return append(b, v...)
	}
	b = append(b, '"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, v[i])
	}
	return append(b, '"')
}

// freqOf is the frequency geowarden's CSV reader gives a row: the
// freq_mhz column, else the carrier of its channel number in the channel
// plan of its radio (geowarden.ChannelMHz, as format.FillFreq reads it).
func freqOf(rc *rec) float64 {
	if rc.freq != 0 {
		// As written: one decimal.
		v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(rc.freq), 'f', 1, 32), 64)
		return v
	}
	if rc.arfcn >= 0 {
		// radioNames has no name for none and Wi-Fi: no frequency.
		f, _ := geowarden.ChannelMHz(radioNames[rc.radio], int(rc.arfcn))
		return f
	}
	return 0
}

// protectedBands are those of the policy's gsm-r class, the built-in
// policy's: GSM-R, E-GSM-R, FRMCS n100 and n101.
var protectedBands = [][2]float64{{876, 880}, {921, 925}, {873, 876}, {918, 921}, {874.4, 880}, {919.4, 925}, {1900, 1910}}

func (g *gen) protected(rc *rec) bool {
	if f := freqOf(rc); f > 0 {
		for _, b := range protectedBands {
			if f >= b[0] && f <= b[1] {
				return true
			}
		}
	}
	return int(rc.mcc) == g.reg.mcc && int(rc.mnc) == g.reg.railMNC
}

func (g *gen) observe(rc *rec, d, n int) {
	st := &g.stats[rc.src]
	if st.rows == 0 {
		st.first = rc.t
	}
	st.rows++
	st.last = rc.t
	st.perDay[d]++
	st.bytesDay[d] += int64(n)
	if rc.radio != radioNone || rc.freq != 0 {
		st.sigRows++
	}
	if g.protected(rc) {
		if st.protRows == 0 {
			st.protFirst = rc.t
		}
		st.protRows++
		st.protLast = rc.t
	}
	p := geowarden.Point{Lon: rc.lon, Lat: rc.lat}
	if st.dayKM != nil {
		if st.hasPrev && rc.t-st.prevT <= maxTrackGap && p != st.prev {
			l := zone.Distance(st.prev, p)
			c := g.ix.CorridorLength(st.prev, p)
			st.km += l
			st.corrKM += c
			st.dayKM[d] += l
			st.dayCorrKM[d] += c
		}
		st.prev, st.prevT, st.hasPrev = p, rc.t, true
	}
	for _, e := range g.events {
		e.observe(g, rc, p)
	}
}
