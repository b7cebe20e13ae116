package ecslocal

import (
	"encoding/json"
	"fmt"
)

// GatewayTaskDefinition is a RegisterTaskDefinition request shaped like the
// real gateway's (gateway-domain.md 2.5): family arrakis-{env}-api, container
// api on port 3000 with the three flags in its plain environment and its
// keys as Secrets Manager valueFrom references, an adot-collector sidecar,
// FARGATE, task and execution roles, and tags. pemKey stands for a plain env
// secret (a PEM key someone put in plain env) that output must never show.
func GatewayTaskDefinition(env, pemKey string) []byte {
	acct := "000000000000"
	td := map[string]any{
		"family":                  "arrakis-" + env + "-api",
		"networkMode":             "awsvpc",
		"requiresCompatibilities": []string{"FARGATE"},
		"cpu":                     "1024",
		"memory":                  "2048",
		"taskRoleArn":             fmt.Sprintf("arn:aws:iam::%s:role/arrakis-%s-api-task", acct, env),
		"executionRoleArn":        fmt.Sprintf("arn:aws:iam::%s:role/arrakis-%s-ecs-execution", acct, env),
		"runtimePlatform":         map[string]any{"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
		"containerDefinitions": []any{
			map[string]any{
				"name": "api", "image": acct + ".dkr.ecr.us-east-1.amazonaws.com/arrakis-api:sha-38671e8e", "essential": true,
				"portMappings": []any{map[string]any{"containerPort": 3000, "hostPort": 3000, "protocol": "tcp"}},
				"stopTimeout":  120,
				"environment": []any{
					map[string]any{"name": "NODE_ENV", "value": "production"},
					map[string]any{"name": "AGENT_ENABLED", "value": "true"},
					map[string]any{"name": "ENSEMBLE_ENABLED", "value": "true"},
					map[string]any{"name": "BYOK_ENABLED", "value": "true"},
					map[string]any{"name": "LOA_FINN_BASE_URL", "value": "http://finn.arrakis-" + env + ".local:3000"},
					map[string]any{"name": "AGENT_JWT_PRIVATE_KEY", "value": pemKey},
				},
				"secrets": []any{
					map[string]any{"name": "DATABASE_URL", "valueFrom": fmt.Sprintf("arn:aws:secretsmanager:us-east-1:%s:secret:arrakis-%s/app-config:DATABASE_URL::", acct, env)},
					map[string]any{"name": "REDIS_URL", "valueFrom": fmt.Sprintf("arn:aws:secretsmanager:us-east-1:%s:secret:arrakis-%s/redis:url::", acct, env)},
				},
				"logConfiguration": map[string]any{"logDriver": "awslogs", "options": map[string]any{
					"awslogs-group": "/ecs/arrakis-" + env + "/api", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "api"}},
				"healthCheck": map[string]any{"command": []string{"CMD-SHELL", "curl -f http://localhost:3000/health || exit 1"},
					"interval": 30, "timeout": 5, "retries": 3, "startPeriod": 60},
			},
			map[string]any{
				"name": "adot-collector", "image": "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0", "essential": false,
				"command": []string{"--config=/etc/ecs/ecs-cloudwatch.yaml"},
			},
		},
		"tags": []any{map[string]any{"key": "Environment", "value": env}, map[string]any{"key": "ManagedBy", "value": "terraform"}},
	}
	b, _ := json.Marshal(td)
	return b
}
