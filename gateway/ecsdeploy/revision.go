package ecsdeploy

import (
	"context"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// notCopied are the RegisterTaskDefinitionInput fields that do not come from
// the TaskDefinition of the same name (tags are a separate answer member).
var notCopied = map[string]bool{"Tags": true}

// RevisionWith is the RegisterTaskDefinition request for a revision equal to
// td in every field, except that variable name of container is value (added
// when absent). Fields are copied by reflection, so a field a newer SDK adds
// to both shapes is preserved too; a request field without a counterpart is
// an error rather than a silent loss.
func RevisionWith(td types.TaskDefinition, tags []types.Tag, container, name, value string) (*ecs.RegisterTaskDefinitionInput, error) {
	in := &ecs.RegisterTaskDefinitionInput{}
	dst, src := reflect.ValueOf(in).Elem(), reflect.ValueOf(td)
	for i := 0; i < dst.NumField(); i++ {
		f := dst.Type().Field(i)
		if !f.IsExported() || notCopied[f.Name] {
			continue
		}
		sv := src.FieldByName(f.Name)
		if !sv.IsValid() || sv.Type() != f.Type {
			return nil, fmt.Errorf("RegisterTaskDefinitionInput.%s has no TaskDefinition counterpart: refusing to register a revision that would drop it", f.Name)
		}
		dst.Field(i).Set(sv)
	}
	if len(tags) > 0 {
		in.Tags = append([]types.Tag(nil), tags...)
	}
	defs, err := withVariable(td.ContainerDefinitions, container, name, value)
	if err != nil {
		return nil, err
	}
	in.ContainerDefinitions = defs
	return in, nil
}

// withVariable copies the container list, changing only the one variable of
// the one container; the input is not modified.
func withVariable(defs []types.ContainerDefinition, container, name, value string) ([]types.ContainerDefinition, error) {
	out := append([]types.ContainerDefinition(nil), defs...)
	for i := range out {
		if aws.ToString(out[i].Name) != container {
			continue
		}
		env := append([]types.KeyValuePair(nil), out[i].Environment...)
		found := false
		for j := range env {
			if aws.ToString(env[j].Name) == name {
				env[j] = types.KeyValuePair{Name: aws.String(name), Value: aws.String(value)}
				found = true
			}
		}
		if !found {
			env = append(env, types.KeyValuePair{Name: aws.String(name), Value: aws.String(value)})
		}
		out[i].Environment = env
		return out, nil
	}
	return nil, fmt.Errorf("no container %q in the task definition", container)
}

// Register registers the revision and returns its ARN.
func (c *Client) Register(ctx context.Context, in *ecs.RegisterTaskDefinitionInput) (string, error) {
	out, err := c.api.RegisterTaskDefinition(ctx, in)
	if err != nil {
		return "", explain(err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn), nil
}

// Deploy points the service at taskDef and returns the new PRIMARY deployment's id.
func (c *Client) Deploy(ctx context.Context, taskDef string) (string, error) {
	return c.update(ctx, &ecs.UpdateServiceInput{TaskDefinition: aws.String(taskDef)})
}

// Restart forces a new deployment of the same revision: every task is replaced.
func (c *Client) Restart(ctx context.Context) (string, error) {
	return c.update(ctx, &ecs.UpdateServiceInput{ForceNewDeployment: true})
}

func (c *Client) update(ctx context.Context, in *ecs.UpdateServiceInput) (string, error) {
	in.Cluster, in.Service = aws.String(c.t.Cluster), aws.String(c.t.Service)
	out, err := c.api.UpdateService(ctx, in)
	if err != nil {
		return "", explain(err)
	}
	return aws.ToString(primary(*out.Service).Id), nil
}
