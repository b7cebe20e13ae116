package ecslocal

import (
	"fmt"
	"net/http"
)

// apiError is an ECS error: the shape name sent as __type, and its status.
type apiError struct {
	shape   string
	message string
	status  int
}

func (e *apiError) Error() string { return e.shape + ": " + e.message }

func errClient(format string, args ...any) *apiError {
	return &apiError{"ClientException", fmt.Sprintf(format, args...), http.StatusBadRequest}
}

func errInvalid(format string, args ...any) *apiError {
	return &apiError{"InvalidParameterException", fmt.Sprintf(format, args...), http.StatusBadRequest}
}

func errClusterNotFound() *apiError {
	return &apiError{"ClusterNotFoundException", "Cluster not found.", http.StatusBadRequest}
}

func errServiceNotFound() *apiError {
	return &apiError{"ServiceNotFoundException", "Service not found.", http.StatusBadRequest}
}

func errThrottling() *apiError {
	return &apiError{"ThrottlingException", "Rate exceeded", http.StatusBadRequest}
}

// errAccessDenied is worded as IAM words it, naming the action.
func (s *Service) errAccessDenied(action string) *apiError {
	return &apiError{"AccessDeniedException", fmt.Sprintf(
		"User: arn:aws:sts::%s:assumed-role/oncall/gatewayops is not authorized to perform: %s on resource: * because no identity-based policy allows the %s action",
		s.cfg.Account, action, action), http.StatusBadRequest}
}

// faults are errors injected at the wire, for the faults that cannot be
// produced for real here (throttling, a missing IAM permission).
type faults struct {
	throttle map[string]int // operation ("" = any) -> calls left to throttle
	deny     map[string]string
}

// Throttle answers the next n calls of op ("" = any operation) with ThrottlingException.
func (s *Service) Throttle(op string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.throttle == nil {
		s.faults.throttle = map[string]int{}
	}
	s.faults.throttle[op] += n
}

// Deny answers every call of op with AccessDeniedException naming action
// (e.g. Deny("RegisterTaskDefinition", "iam:PassRole")); action "" = ecs:op.
func (s *Service) Deny(op, action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.deny == nil {
		s.faults.deny = map[string]string{}
	}
	if action == "" {
		action = "ecs:" + op
	}
	s.faults.deny[op] = action
}

// injected returns the fault for one call of op. Caller holds s.mu.
func (s *Service) injected(op string) *apiError {
	if a, ok := s.faults.deny[op]; ok {
		return s.errAccessDenied(a)
	}
	for _, k := range []string{op, ""} {
		if s.faults.throttle[k] > 0 {
			s.faults.throttle[k]--
			return errThrottling()
		}
	}
	return nil
}
