package geowarden

import "strconv"

// ZoneHit names a protected zone that a record touches.
type ZoneHit struct {
	ID    string // zone id, unique within its set
	Name  string // human-readable name
	Class string // military, rail, energy, government, airport, telecom, custom, ...
	Set   string // id of the zone set (file) the zone came from
	// Num is the zone's number in the zone index the record was
	// classified against: its position in the index's zone list. Stages
	// that keep state per zone (detect) key it by Num.
	Num int32
}

// Classified is a record with the zones and signal classes it belongs to:
// the input of a policy decision.
type Classified struct {
	Rec     *Record
	Zones   []ZoneHit // zones containing (or touched by) the record, in set order
	Signals []string  // ids of the protected signal classes the record belongs to
}

// Band is a closed frequency range in MHz.
type Band struct {
	LoMHz, HiMHz float64
}

// Network is a mobile network: MCC and, when HasMNC, MNC.
type Network struct {
	MCC    int
	MNC    int
	HasMNC bool
}

func (n Network) String() string {
	if !n.HasMNC {
		return strconv.Itoa(n.MCC)
	}
	return strconv.Itoa(n.MCC) + "-" + strconv.Itoa(n.MNC)
}

// SignalClass is a protected class of radio signals: a record belongs to it
// when its frequency lies in one of Bands or its network is one of Networks.
type SignalClass struct {
	ID       string
	Bands    []Band
	Networks []Network
}

// Match reports whether a signal belongs to the class. A signal with no
// known frequency matches no band; one with no MCC matches no network.
func (c *SignalClass) Match(s *Signal) bool {
	if f := s.FreqMHz; f > 0 {
		for _, b := range c.Bands {
			if f >= b.LoMHz && f <= b.HiMHz {
				return true
			}
		}
	}
	if s.MCC != 0 {
		for _, n := range c.Networks {
			if n.MCC == s.MCC && (!n.HasMNC || (s.HasMNC && n.MNC == s.MNC)) {
				return true
			}
		}
	}
	return false
}
