// Package loadtest holds the load tests of the admin server and of the
// simulator running against drains. They live in _test files only; this file
// exists so the package builds.
//
// In `make test` each test runs a short, small round (about a second) so the
// suite stays quick yet the assertions always run. The full load is
//
//	GATEWAYOPS_LOAD=1 go test -count=1 -v -timeout 5m -run Load ./loadtest/ | grep -E '^(LOAD|---|ok|FAIL)'
//
// (200 admin clients for 30 s; the simulator unpaced for 30 s). Each test
// prints one line starting with "LOAD " that scripts can grep.
package loadtest
