package alarms

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// Mute limits: CloudWatch accepts mute durations from PT1M to P15D.
const (
	MinMute = time.Minute
	MaxMute = 15 * 24 * time.Hour
)

// MuteRule is one alarm mute rule as ListAlarmMuteRules reports it.
type MuteRule struct {
	Name      string    `json:"name"`
	ARN       string    `json:"arn"`
	Status    string    `json:"status"`
	Type      string    `json:"type,omitempty"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// MuteRuleName is the rule gatewayops creates for one alarm; one rule per alarm,
// so muting again replaces it and Unmute knows what to delete.
func MuteRuleName(alarm string) string { return "gatewayops-mute-" + alarm }

// Mute mutes the alarm's actions from now for d (the alarm keeps evaluating).
func (s *Source) Mute(ctx context.Context, alarm string, d time.Duration, reason string) error {
	if alarm == "" {
		return errors.New("mute: alarm name is empty")
	}
	if d < MinMute || d > MaxMute || d%time.Minute != 0 {
		return fmt.Errorf("mute %s: duration %s must be whole minutes between 1m and 360h (15 days)", alarm, d)
	}
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("mute %s: a reason is required (it is shown to everyone who sees the muted alarm)", alarm)
	}
	now := time.Now().UTC().Truncate(time.Minute)
	in := &cloudwatch.PutAlarmMuteRuleInput{
		Name:        aws.String(MuteRuleName(alarm)),
		Description: aws.String(reason),
		Rule: &types.Rule{Schedule: &types.Schedule{
			Expression: aws.String("at(" + now.Format("2006-01-02T15:04") + ")"),
			Duration:   aws.String(isoMinutes(d)),
			Timezone:   aws.String("UTC"),
		}},
		MuteTargets: &types.MuteTargets{AlarmNames: []string{alarm}},
		ExpireDate:  aws.Time(now.Add(d)),
	}
	s.count("PutAlarmMuteRule", 0)
	if _, err := s.cw.PutAlarmMuteRule(ctx, in); err != nil {
		return fmt.Errorf("PutAlarmMuteRule %s: %w", alarm, err)
	}
	return nil
}

// isoMinutes renders a whole-minute duration as ISO 8601 (PT90M).
func isoMinutes(d time.Duration) string { return fmt.Sprintf("PT%dM", int(d/time.Minute)) }

// Unmute deletes the mute rule gatewayops created for the alarm.
func (s *Source) Unmute(ctx context.Context, alarm string) error {
	if alarm == "" {
		return errors.New("unmute: alarm name is empty")
	}
	s.count("DeleteAlarmMuteRule", 0)
	_, err := s.cw.DeleteAlarmMuteRule(ctx, &cloudwatch.DeleteAlarmMuteRuleInput{AlarmMuteRuleName: aws.String(MuteRuleName(alarm))})
	if err != nil {
		return fmt.Errorf("DeleteAlarmMuteRule %s: %w", alarm, err)
	}
	return nil
}

// ListMutes lists the mute rules that target the alarm ("" = all rules), all pages.
func (s *Source) ListMutes(ctx context.Context, alarm string) ([]MuteRule, error) {
	in := &cloudwatch.ListAlarmMuteRulesInput{}
	if alarm != "" {
		in.AlarmName = aws.String(alarm)
	}
	var out []MuteRule
	for {
		s.count("ListAlarmMuteRules", 0)
		page, err := s.cw.ListAlarmMuteRules(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("ListAlarmMuteRules: %w", err)
		}
		for _, r := range page.AlarmMuteRuleSummaries {
			arn := aws.ToString(r.AlarmMuteRuleArn)
			out = append(out, MuteRule{
				Name: arn[strings.LastIndexAny(arn, ":/")+1:], ARN: arn, Status: string(r.Status),
				Type: aws.ToString(r.MuteType), ExpiresAt: aws.ToTime(r.ExpireDate),
			})
		}
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}
