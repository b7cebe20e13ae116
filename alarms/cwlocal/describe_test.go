package cwlocal

import (
	"fmt"
	"testing"
)

func describePages(t testing.TB, s *Service, in DescribeAlarmsInput, between func(page int)) []string {
	var names []string
	for page := 0; ; page++ {
		s.mu.Lock()
		out, err := s.describeAlarms(&in)
		s.mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.(*DescribeAlarmsOutput).MetricAlarms {
			names = append(names, a.AlarmName)
		}
		if out.(*DescribeAlarmsOutput).NextToken == "" {
			return names
		}
		in.NextToken = out.(*DescribeAlarmsOutput).NextToken
		between(page)
	}
}

// Pages resume after the last name returned: an alarm created before the
// cursor between pages neither repeats nor drops another.
func TestDescribeAlarmsPagesByName(t *testing.T) {
	s := newTestService()
	for i := range 5 {
		if err := s.PutMetricAlarm(maxAlarm(fmt.Sprintf("b%d", i), 1, 1, "")); err != nil {
			t.Fatal(err)
		}
	}
	two := 2
	got := describePages(t, s, DescribeAlarmsInput{MaxRecords: &two, AlarmNamePrefix: "b"}, func(page int) {
		if page == 0 {
			s.PutMetricAlarm(maxAlarm("b0a", 1, 1, "")) // sorts before the cursor b1
			s.PutMetricAlarm(maxAlarm("c0", 1, 1, ""))  // outside the prefix
		}
	})
	if fmt.Sprint(got) != "[b0 b1 b2 b3 b4]" {
		t.Fatalf("pages %v", got)
	}
}

// BenchmarkDescribeAlarms10000 pages through 10,000 alarms, 100 a page.
func BenchmarkDescribeAlarms10000(b *testing.B) {
	s := newTestService()
	for i := range 10000 {
		if err := s.PutMetricAlarm(maxAlarm(fmt.Sprintf("arrakis-prod-%05d", i), 1, 1, "")); err != nil {
			b.Fatal(err)
		}
	}
	hundred := 100
	for b.Loop() {
		if n := len(describePages(b, s, DescribeAlarmsInput{MaxRecords: &hundred}, func(int) {})); n != 10000 {
			b.Fatalf("%d alarms", n)
		}
	}
}
