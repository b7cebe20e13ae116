package cwlocal

import (
	"regexp"
	"sort"
	"strings"
	"time"
)

// muteRule is a stored alarm mute rule.
type muteRule struct {
	in      PutAlarmMuteRuleInput
	updated time.Time
}

var isoDuration = regexp.MustCompile(`^P(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$`)

var muteStatuses = []string{"SCHEDULED", "ACTIVE", "EXPIRED"}

func (r *muteRule) muteType() string {
	if strings.HasPrefix(r.in.Rule.Schedule.Expression, "cron(") {
		return "RECURRING"
	}
	return "ONE_TIME"
}

// status is SCHEDULED before StartDate, EXPIRED after ExpireDate, else ACTIVE.
func (r *muteRule) status(now time.Time) string {
	switch {
	case r.in.StartDate != nil && now.Before(r.in.StartDate.Time):
		return "SCHEDULED"
	case r.in.ExpireDate != nil && now.After(r.in.ExpireDate.Time):
		return "EXPIRED"
	}
	return "ACTIVE"
}

func (s *Service) putAlarmMuteRule(in *PutAlarmMuteRuleInput) (any, *APIError) {
	switch {
	case in.Name == "":
		return nil, errMissing("Name")
	case len(in.Name) > 255:
		return nil, errInvalidValue("Name is longer than 255 characters")
	case in.Rule == nil || in.Rule.Schedule == nil:
		return nil, errMissing("Rule.Schedule")
	case in.Rule.Schedule.Expression == "":
		return nil, errMissing("Rule.Schedule.Expression")
	case !(strings.HasPrefix(in.Rule.Schedule.Expression, "at(") || strings.HasPrefix(in.Rule.Schedule.Expression, "cron(")) ||
		!strings.HasSuffix(in.Rule.Schedule.Expression, ")"):
		return nil, errInvalidValue("Rule.Schedule.Expression %q must be at(yyyy-mm-ddThh:mm:ss) or cron(...)", in.Rule.Schedule.Expression)
	case in.Rule.Schedule.Duration == "":
		return nil, errMissing("Rule.Schedule.Duration")
	case !isoDuration.MatchString(in.Rule.Schedule.Duration) || in.Rule.Schedule.Duration == "P" || in.Rule.Schedule.Duration == "PT":
		return nil, errInvalidValue("Rule.Schedule.Duration %q must be an ISO 8601 duration such as PT1H or P1DT30M", in.Rule.Schedule.Duration)
	case in.MuteTargets != nil && len(in.MuteTargets.AlarmNames) > 100:
		return nil, errInvalidValue("MuteTargets.AlarmNames has %d names, at most 100 allowed", len(in.MuteTargets.AlarmNames))
	case in.StartDate != nil && in.ExpireDate != nil && !in.ExpireDate.After(in.StartDate.Time):
		return nil, errInvalidValue("ExpireDate must be after StartDate")
	}
	s.mutes[in.Name] = &muteRule{in: *in, updated: s.cfg.Now()}
	return &empty{}, nil
}

func (s *Service) getAlarmMuteRule(in *AlarmMuteRuleNameInput) (any, *APIError) {
	r, err := s.findMute(in)
	if err != nil {
		return nil, err
	}
	return &GetAlarmMuteRuleOutput{
		AlarmMuteRuleArn: s.arn("alarm-mute-rule", r.in.Name), Name: r.in.Name, Description: r.in.Description,
		Rule: r.in.Rule, MuteTargets: r.in.MuteTargets, StartDate: r.in.StartDate, ExpireDate: r.in.ExpireDate,
		LastUpdatedTimestamp: TS(r.updated), MuteType: r.muteType(), Status: r.status(s.cfg.Now()),
	}, nil
}

func (s *Service) deleteAlarmMuteRule(in *AlarmMuteRuleNameInput) (any, *APIError) {
	if _, err := s.findMute(in); err != nil {
		return nil, err
	}
	delete(s.mutes, in.AlarmMuteRuleName)
	return &empty{}, nil
}

func (s *Service) findMute(in *AlarmMuteRuleNameInput) (*muteRule, *APIError) {
	if in.AlarmMuteRuleName == "" {
		return nil, errMissing("AlarmMuteRuleName")
	}
	r := s.mutes[in.AlarmMuteRuleName]
	if r == nil {
		return nil, errNotFound("Alarm mute rule %s not found", in.AlarmMuteRuleName)
	}
	return r, nil
}

func (s *Service) listAlarmMuteRules(in *ListAlarmMuteRulesInput) (any, *APIError) {
	size, err := maxRecords(in.MaxRecords, 100, 100)
	if err != nil {
		return nil, err
	}
	for _, st := range in.Statuses {
		if !oneOf(st, muteStatuses) {
			return nil, errInvalidValue("Statuses value %q is invalid (accepted: %s)", st, strings.Join(muteStatuses, ", "))
		}
	}
	offset, err := decodeToken("mutes", in.NextToken)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	var names []string
	for name, r := range s.mutes {
		if len(in.Statuses) > 0 && !oneOf(r.status(now), in.Statuses) {
			continue
		}
		if in.AlarmName != "" && (r.in.MuteTargets == nil || !oneOf(in.AlarmName, r.in.MuteTargets.AlarmNames)) {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	lo, hi, next := page("mutes", len(names), offset, size)
	out := &ListAlarmMuteRulesOutput{AlarmMuteRuleSummaries: []AlarmMuteRuleSummary{}, NextToken: next}
	for _, n := range names[lo:hi] {
		r := s.mutes[n]
		out.AlarmMuteRuleSummaries = append(out.AlarmMuteRuleSummaries, AlarmMuteRuleSummary{
			AlarmMuteRuleArn: s.arn("alarm-mute-rule", n), ExpireDate: r.in.ExpireDate,
			LastUpdatedTimestamp: TS(r.updated), MuteType: r.muteType(), Status: r.status(now),
		})
	}
	return out, nil
}
