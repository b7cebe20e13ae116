package cwlocal

import (
	"fmt"
	"strconv"
	"strings"
)

// Statistic names the aggregate of one period: SampleCount, Sum, Average,
// Minimum, Maximum, or a percentile pNN (p99, p99.9).
type Statistic struct {
	Name       string
	Percentile float64 // set when Name is a pNN
}

// statNames are the accepted plain statistics.
var statNames = []string{"SampleCount", "Sum", "Average", "Minimum", "Maximum"}

// ParseStatistic checks a statistic name and says which ones exist when it is unknown.
func ParseStatistic(s string) (Statistic, error) {
	for _, n := range statNames {
		if s == n {
			return Statistic{Name: s}, nil
		}
	}
	if len(s) > 1 && s[0] == 'p' {
		v, err := strconv.ParseFloat(s[1:], 64)
		if err == nil && v >= 0 && v <= 100 && !strings.ContainsAny(s[1:], "eE+-") {
			return Statistic{Name: s, Percentile: v}, nil
		}
	}
	return Statistic{}, fmt.Errorf("unknown statistic %q (accepted: %s, or pNN such as p99 or p99.9)", s, strings.Join(statNames, ", "))
}

// IsPercentile reports whether the statistic is an extended (pNN) one.
func (s Statistic) IsPercentile() bool { return s.Name != "" && s.Name[0] == 'p' }

// maxPeriod bounds a period at 31 days, so period arithmetic never overflows.
const maxPeriodSeconds = 31 * 24 * 3600

// ValidPeriod reports whether CloudWatch accepts p seconds as a period.
func ValidPeriod(p int) bool {
	return p == 1 || p == 5 || p == 10 || p == 30 || (p >= 60 && p%60 == 0 && p <= maxPeriodSeconds)
}
