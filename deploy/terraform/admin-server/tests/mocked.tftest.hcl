# terraform test with a mocked AWS provider: Terraform itself applies the
# module for both environments, offline (nothing reaches AWS), and the
# assertions read the resulting values.
# Run: cd deploy/terraform/admin-server && terraform init -backend=false && terraform test
# (offline: add -plugin-dir=DIR to init, a directory holding hashicorp/aws 5.x)

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_ecs_cluster" {
    defaults = { arn = "arn:aws:ecs:us-east-1:123456789012:cluster/arrakis-staging-cluster" }
  }
  mock_data "aws_secretsmanager_secret" {
    defaults = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:arrakis-staging/redis-AbCdEf" }
  }
  mock_data "aws_service_discovery_dns_namespace" {
    defaults = { id = "ns-0123456789", name = "arrakis-staging.local" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/arrakis-gateway-admin" }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:arrakis-staging/gateway-admin-keys-AbCdEf" }
  }
  mock_resource "aws_service_discovery_service" {
    defaults = { arn = "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-0123456789" }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/arrakis-staging-gateway-admin:1" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  image                   = "123456789012.dkr.ecr.us-east-1.amazonaws.com/gatewayops@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  vpc_id                  = "vpc-0123"
  private_subnet_ids      = ["subnet-a", "subnet-b"]
  redis_security_group_id = "sg-redis"
}

run "staging" {
  command = apply

  variables {
    environment = "staging"
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].command == ["--listen", "0.0.0.0:8089", "--environment", "staging", "--rate-limit", "30"]
    error_message = "staging runs unprotected with --environment staging"
  }
  assert {
    condition     = length(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment) == 0
    error_message = "no plain environment"
  }
  assert {
    condition     = [for s in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].secrets : s.name] == ["GATEWAYOPS_ADMIN_KEYS", "GATEWAYOPS_REDIS_URL"]
    error_message = "the two secrets admin-server reads"
  }
  assert {
    condition     = endswith(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].secrets[1].valueFrom, ":url::")
    error_message = "the Redis URL is the url key of the gateway's secret"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/ecs/arrakis-staging/gateway-admin"
    error_message = "log group"
  }
  assert {
    condition     = output.admin_api_host == "gateway-admin.arrakis-staging.local"
    error_message = "Cloud Map name"
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.redis_from_admin.security_group_id == "sg-redis" && aws_vpc_security_group_ingress_rule.redis_from_admin.from_port == 6379
    error_message = "ElastiCache's group admits the admin group on 6379"
  }
}

run "production" {
  command = apply

  variables {
    environment = "production"
  }

  assert {
    condition     = contains(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].command, "--protected")
    error_message = "production runs --protected"
  }
  assert {
    condition     = aws_ecs_service.this.name == "arrakis-production-gateway-admin"
    error_message = "service name"
  }
}

run "tag_instead_of_digest_is_refused" {
  command = plan

  variables {
    environment = "staging"
    image       = "123456789012.dkr.ecr.us-east-1.amazonaws.com/gatewayops:latest"
  }

  expect_failures = [var.image]
}
