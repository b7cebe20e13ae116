package ecslocal

import (
	"encoding/json"
	"strconv"
	"time"
)

// epoch is a timestamp as AWS JSON 1.1 sends it: seconds since the epoch.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(e).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)), nil
}

func epochOf(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

type circuitBreakerOut struct {
	Enable   bool `json:"enable"`
	Rollback bool `json:"rollback"`
}

type deploymentConfigOut struct {
	CircuitBreaker        circuitBreakerOut `json:"deploymentCircuitBreaker"`
	MaximumPercent        int               `json:"maximumPercent"`
	MinimumHealthyPercent int               `json:"minimumHealthyPercent"`
}

type deploymentOut struct {
	ID                 string `json:"id"`
	Status             string `json:"status"`
	TaskDefinition     string `json:"taskDefinition"`
	DesiredCount       int    `json:"desiredCount"`
	PendingCount       int    `json:"pendingCount"`
	RunningCount       int    `json:"runningCount"`
	FailedTasks        int    `json:"failedTasks"`
	CreatedAt          *epoch `json:"createdAt,omitempty"`
	UpdatedAt          *epoch `json:"updatedAt,omitempty"`
	LaunchType         string `json:"launchType"`
	RolloutState       string `json:"rolloutState"`
	RolloutStateReason string `json:"rolloutStateReason,omitempty"`
}

type eventOut struct {
	ID        string `json:"id"`
	CreatedAt *epoch `json:"createdAt"`
	Message   string `json:"message"`
}

type serviceOut struct {
	ServiceArn              string              `json:"serviceArn"`
	ServiceName             string              `json:"serviceName"`
	ClusterArn              string              `json:"clusterArn"`
	Status                  string              `json:"status"`
	DesiredCount            int                 `json:"desiredCount"`
	RunningCount            int                 `json:"runningCount"`
	PendingCount            int                 `json:"pendingCount"`
	LaunchType              string              `json:"launchType"`
	TaskDefinition          string              `json:"taskDefinition"`
	DeploymentConfiguration deploymentConfigOut `json:"deploymentConfiguration"`
	Deployments             []deploymentOut     `json:"deployments"`
	Events                  []eventOut          `json:"events"`
	CreatedAt               *epoch              `json:"createdAt"`
	EnableExecuteCommand    bool                `json:"enableExecuteCommand"`
}

type containerOut struct {
	Name       string `json:"name"`
	LastStatus string `json:"lastStatus"`
	ExitCode   *int   `json:"exitCode,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

type taskOut struct {
	TaskArn           string         `json:"taskArn"`
	ClusterArn        string         `json:"clusterArn"`
	TaskDefinitionArn string         `json:"taskDefinitionArn"`
	LastStatus        string         `json:"lastStatus"`
	DesiredStatus     string         `json:"desiredStatus"`
	StartedBy         string         `json:"startedBy"`
	Group             string         `json:"group"`
	LaunchType        string         `json:"launchType"`
	CreatedAt         *epoch         `json:"createdAt,omitempty"`
	StartedAt         *epoch         `json:"startedAt,omitempty"`
	StoppedAt         *epoch         `json:"stoppedAt,omitempty"`
	StopCode          string         `json:"stopCode,omitempty"`
	StoppedReason     string         `json:"stoppedReason,omitempty"`
	Containers        []containerOut `json:"containers"`
}

type failureOut struct {
	Arn    string `json:"arn"`
	Reason string `json:"reason"`
}

// number reads a JSON number member as an int (ok false when absent).
func number(v any) (int, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return int(i), err == nil
}
