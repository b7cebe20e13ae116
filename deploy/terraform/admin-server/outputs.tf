output "service_name" {
  description = "The ECS service, arrakis-{env}-gateway-admin (for aws ecs update-service --force-new-deployment and list-tasks)."
  value       = aws_ecs_service.this.name
}

output "cluster_name" {
  description = "The cluster the service runs in, arrakis-{env}-cluster."
  value       = data.aws_ecs_cluster.this.cluster_name
}

output "task_definition_arn" {
  description = "The task definition revision this apply registered."
  value       = aws_ecs_task_definition.this.arn
}

output "admin_api_host" {
  description = "The Cloud Map name, gateway-admin.arrakis-{env}.local: resolvable inside the VPC only."
  value       = "${aws_service_discovery_service.this.name}.${data.aws_service_discovery_dns_namespace.this.name}"
}

output "admin_api_port" {
  description = "The port the admin API listens on."
  value       = local.port
}

output "admin_api_url" {
  description = "The admin API as a client inside the VPC (or at the far end of a port-forward) addresses it."
  value       = "http://${aws_service_discovery_service.this.name}.${data.aws_service_discovery_dns_namespace.this.name}:${local.port}"
}

output "admin_keys_secret_arn" {
  description = "The Secrets Manager secret holding GATEWAYOPS_ADMIN_KEYS; put its value with aws secretsmanager put-secret-value."
  value       = aws_secretsmanager_secret.admin_keys.arn
}

output "admin_keys_secret_name" {
  description = "The admin keys secret's name, arrakis-{env}/gateway-admin-keys."
  value       = aws_secretsmanager_secret.admin_keys.name
}

output "security_group_id" {
  description = "The admin task's security group (ElastiCache's group admits it on 6379)."
  value       = aws_security_group.this.id
}

output "log_group_name" {
  description = "The log group, /ecs/arrakis-{env}/gateway-admin."
  value       = aws_cloudwatch_log_group.this.name
}

output "protected" {
  description = "Whether admin-server runs with --protected (writes need X-Confirm-Environment)."
  value       = local.protected
}
