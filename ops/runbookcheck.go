package ops

import (
	"fmt"

	"gatewayops/runbooks"
)

// StepProblem is one runbook step that does not parse or validate.
type StepProblem struct {
	Runbook string
	Line    int
	Err     error
}

func (p StepProblem) String() string { return fmt.Sprintf("%s:%d: %v", p.Runbook, p.Line, p.Err) }

// CheckRunbooks parses every ops step with the grammar and validates it
// against the registry. It returns the number of steps checked and every problem.
func CheckRunbooks(reg *Registry, books []runbooks.Runbook) (steps int, problems []StepProblem) {
	for _, rb := range books {
		for _, st := range rb.Steps {
			steps++
			if _, err := reg.Parse(st.Command); err != nil {
				problems = append(problems, StepProblem{Runbook: rb.Name + ".md", Line: st.Line, Err: err})
			}
		}
	}
	return steps, problems
}
