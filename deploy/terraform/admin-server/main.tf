# gatewayops admin-server beside the Arrakis gateway: one Fargate service in
# arrakis-{env}-cluster that serves the Gateway Admin API v1 over the
# gateway's own Redis. The gateway has no operational admin API of its own;
# this is how the console's actions reach Redis from inside the VPC.

locals {
  name      = "arrakis-${var.environment}-gateway-admin"
  container = "gateway-admin"
  # The port admin-server listens on inside the task; Cloud Map's A record
  # points at the task's address, so clients use this port too.
  port       = 8089
  redis_port = 6379
  protected  = var.protected != null ? var.protected : var.environment == "production"

  # The image's entrypoint is `gatewayops admin-server`; these are its flags.
  # The Redis URL and the admin keys are not here: they arrive as secrets.
  command = concat(
    ["--listen", "0.0.0.0:${local.port}", "--environment", var.environment, "--rate-limit", tostring(var.rate_limit_per_minute)],
    local.protected ? ["--protected"] : [],
  )

  # The image has no shell or curl: the binary probes its own /healthz.
  health_command = ["CMD", "/usr/local/bin/gatewayops", "admin-server", "--probe", "--listen", "0.0.0.0:${local.port}"]

  tags = merge(var.tags, {
    Environment = var.environment
    Service     = "gateway-admin"
    ManagedBy   = "terraform"
  })
}

data "aws_region" "current" {}

data "aws_ecs_cluster" "this" {
  cluster_name = "arrakis-${var.environment}-cluster"
}

# The same secret the gateway's API task reads REDIS_URL from (JSON key url).
data "aws_secretsmanager_secret" "redis" {
  name = "arrakis-${var.environment}/redis"
}

# The private namespace the gateway already uses (finn.arrakis-{env}.local).
data "aws_service_discovery_dns_namespace" "this" {
  name = "arrakis-${var.environment}.local"
  type = "DNS_PRIVATE"
}

# The admin keys: GATEWAYOPS_ADMIN_KEYS, comma-separated name:<bcrypt hash>.
# Terraform creates the secret, never its value: the value is put with
# `aws secretsmanager put-secret-value` so no key reaches the state file.
resource "aws_secretsmanager_secret" "admin_keys" {
  name        = "arrakis-${var.environment}/gateway-admin-keys"
  description = "gatewayops admin-server API keys (GATEWAYOPS_ADMIN_KEYS): name:<bcrypt hash>,... Two entries during a rotation."
  kms_key_id  = var.secrets_kms_key_arn
  tags        = local.tags
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/arrakis-${var.environment}/gateway-admin"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}
