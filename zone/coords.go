package zone

import (
	"encoding/json"
	"strconv"
)

// decodeCoords decodes a GeoJSON "coordinates" value into v, which is a
// *[]float64, *[][]float64, *[][][]float64 or *[][][][]float64, as
// json.Unmarshal would. Zone files are mostly coordinates, and reading
// them without reflection takes a fraction of the time; anything the fast
// reader does not expect (null, strings, numbers out of range, the wrong
// depth) goes to json.Unmarshal, so results and errors are its own.
func decodeCoords(raw []byte, v any) error {
	s := coordScanner{b: raw}
	ok := false
	switch p := v.(type) {
	case *[]float64:
		*p, ok = s.nums()
	case *[][]float64:
		*p, ok = list(&s, s.nums)
	case *[][][]float64:
		*p, ok = list(&s, s.depth2)
	case *[][][][]float64:
		*p, ok = list(&s, s.depth3)
	}
	if ok {
		s.blank()
		ok = s.i == len(s.b)
	}
	if !ok {
		return json.Unmarshal(raw, v)
	}
	return nil
}

type coordScanner struct {
	b []byte
	i int
}

func (s *coordScanner) blank() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// open consumes '[' and reports whether the array is empty (and closed).
func (s *coordScanner) open() (empty, ok bool) {
	s.blank()
	if s.i >= len(s.b) || s.b[s.i] != '[' {
		return false, false
	}
	s.i++
	s.blank()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return true, true
	}
	return false, true
}

// more consumes ',' (true) or ']' (false); ok is false on anything else.
func (s *coordScanner) more() (more, ok bool) {
	s.blank()
	if s.i >= len(s.b) {
		return false, false
	}
	switch s.b[s.i] {
	case ',':
		s.i++
		return true, true
	case ']':
		s.i++
		return false, true
	}
	return false, false
}

func (s *coordScanner) nums() ([]float64, bool) {
	empty, ok := s.open()
	if !ok || empty {
		return []float64{}, ok
	}
	out := make([]float64, 0, 2)
	for {
		s.blank()
		j := s.i
		for j < len(s.b) {
			c := s.b[j]
			if c-'0' < 10 || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
				j++
				continue
			}
			break
		}
		if j == s.i || s.b[s.i] == '+' {
			return nil, false
		}
		f, err := strconv.ParseFloat(string(s.b[s.i:j]), 64)
		if err != nil {
			return nil, false
		}
		out = append(out, f)
		s.i = j
		more, ok := s.more()
		if !ok {
			return nil, false
		}
		if !more {
			return out, true
		}
	}
}

func (s *coordScanner) depth2() ([][]float64, bool) { return list(s, s.nums) }

func (s *coordScanner) depth3() ([][][]float64, bool) { return list(s, s.depth2) }

func list[T any](s *coordScanner, elem func() (T, bool)) ([]T, bool) {
	empty, ok := s.open()
	if !ok || empty {
		return []T{}, ok
	}
	var out []T
	for {
		e, ok := elem()
		if !ok {
			return nil, false
		}
		out = append(out, e)
		more, ok := s.more()
		if !ok {
			return nil, false
		}
		if !more {
			return out, true
		}
	}
}
