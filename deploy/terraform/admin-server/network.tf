# The admin task's own security group, and the one rule that lets it into
# ElastiCache. Redis stays reachable only from groups ElastiCache admits.

resource "aws_security_group" "this" {
  name        = local.name
  description = "gatewayops admin-server: reaches Redis, answers the admin API to the client groups"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = local.name })
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_admin" {
  security_group_id            = var.redis_security_group_id
  referenced_security_group_id = aws_security_group.this.id
  ip_protocol                  = "tcp"
  from_port                    = local.redis_port
  to_port                      = local.redis_port
  description                  = "Redis from ${local.name}"
  tags                         = local.tags
}

resource "aws_vpc_security_group_egress_rule" "to_redis" {
  security_group_id            = aws_security_group.this.id
  referenced_security_group_id = var.redis_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = local.redis_port
  to_port                      = local.redis_port
  description                  = "the gateway's Redis"
  tags                         = local.tags
}

resource "aws_vpc_security_group_egress_rule" "https" {
  for_each          = toset(var.https_egress_cidr_blocks)
  security_group_id = aws_security_group.this.id
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "ECR, Secrets Manager, CloudWatch Logs, SSM (ECS Exec)"
  tags              = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "admin_api" {
  for_each                     = toset(var.client_security_group_ids)
  security_group_id            = aws_security_group.this.id
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port
  description                  = "admin API from ${each.value}"
  tags                         = local.tags
}

# gateway-admin.arrakis-{env}.local: an A record per healthy task. ECS marks
# a task unhealthy when its container health check fails, and Cloud Map
# then stops answering with its address.
resource "aws_service_discovery_service" "this" {
  name = "gateway-admin"

  dns_config {
    namespace_id   = data.aws_service_discovery_dns_namespace.this.id
    routing_policy = "MULTIVALUE"

    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  health_check_custom_config {
    failure_threshold = 1
  }

  tags = local.tags
}
