package ecslocal

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// taskDef is one registered revision. body is the JSON the client sent,
// kept whole so every field (secrets, health checks, log config, ...) comes
// back exactly as registered, plus the fields ECS adds.
type taskDef struct {
	family   string
	revision int
	arn      string
	body     map[string]any
	tags     []any
	at       time.Time
}

// view is the taskDefinition member of an answer.
func (td *taskDef) view() map[string]any {
	out := make(map[string]any, len(td.body)+6)
	for k, v := range td.body {
		out[k] = v
	}
	out["taskDefinitionArn"] = td.arn
	out["family"] = td.family
	out["revision"] = td.revision
	out["status"] = "ACTIVE"
	out["registeredAt"] = epochOf(td.at)
	out["registeredBy"] = "arn:aws:sts::000000000000:assumed-role/gatewayops/ecslocal"
	return out
}

// ContainerEnv is the plain environment of one container ("" value for a
// missing variable is distinguished by ok).
func (td *taskDef) containerEnv(container string) map[string]string {
	env := map[string]string{}
	for _, c := range asList(td.body["containerDefinitions"]) {
		cm, _ := c.(map[string]any)
		if cm["name"] != container {
			continue
		}
		for _, e := range asList(cm["environment"]) {
			em, _ := e.(map[string]any)
			name, _ := em["name"].(string)
			value, _ := em["value"].(string)
			env[name] = value
		}
	}
	return env
}

func asList(v any) []any { l, _ := v.([]any); return l }

// register validates and stores a new revision of the body's family.
func (s *Service) register(body map[string]any, tags []any) (*taskDef, *apiError) {
	family, _ := body["family"].(string)
	if family == "" {
		return nil, errClient("Family is required.")
	}
	defs := asList(body["containerDefinitions"])
	if len(defs) == 0 {
		return nil, errClient("Container definitions are required.")
	}
	for _, d := range defs {
		dm, _ := d.(map[string]any)
		if n, _ := dm["name"].(string); n == "" {
			return nil, errClient("Container.name should not be null or empty.")
		}
		if img, _ := dm["image"].(string); img == "" {
			return nil, errClient("Container.image should not be null or empty.")
		}
	}
	rev := len(s.families[family]) + 1
	td := &taskDef{family: family, revision: rev, body: body, tags: tags, at: s.cfg.Now(),
		arn: s.arn("task-definition", family+":"+strconv.Itoa(rev))}
	s.families[family] = append(s.families[family], td)
	return td, nil
}

// lookup resolves "family", "family:rev" or a task-definition ARN.
func (s *Service) lookup(ref string) (*taskDef, *apiError) {
	name := ref
	if i := strings.Index(ref, ":task-definition/"); i >= 0 {
		name = ref[i+len(":task-definition/"):]
	}
	family, revText, hasRev := strings.Cut(name, ":")
	revs := s.families[family]
	if len(revs) == 0 {
		return nil, errClient("Unable to describe task definition.")
	}
	if !hasRev {
		return revs[len(revs)-1], nil
	}
	rev, err := strconv.Atoi(revText)
	if err != nil || rev < 1 || rev > len(revs) {
		return nil, errClient("Unable to describe task definition.")
	}
	return revs[rev-1], nil
}

// clone deep-copies a decoded JSON value, so a stored body never shares
// maps with a request or an answer.
func clone(v any) any {
	b, _ := json.Marshal(v)
	var out any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	_ = dec.Decode(&out)
	return out
}
