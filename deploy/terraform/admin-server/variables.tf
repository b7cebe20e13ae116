# Inputs of the gateway-admin module. Everything environment-specific comes
# from here; the names of the cluster, the Redis secret, the Cloud Map
# namespace and the log group follow the gateway's own arrakis-{env}
# convention and are derived from var.environment, not passed in.

variable "environment" {
  description = "Environment name (staging or production). Names the cluster arrakis-{env}-cluster, the secret arrakis-{env}/redis, the namespace arrakis-{env}.local and the log group /ecs/arrakis-{env}/gateway-admin, and is passed to admin-server --environment."
  type        = string

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production (the gateway's two environments)."
  }
}

variable "protected" {
  description = "Pass --protected to admin-server: every write then needs X-Confirm-Environment equal to the environment name. null (the default) means true in production and false in staging."
  type        = bool
  default     = null
}

variable "image" {
  description = "The gatewayops image to run, by digest (make image prints it), e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/gatewayops@sha256:... A tag would let the same task definition start different code."
  type        = string

  validation {
    condition     = can(regex("@sha256:[0-9a-f]{64}$", var.image))
    error_message = "image must be pinned by digest: REPOSITORY@sha256:<64 hex digits>."
  }
}

variable "vpc_id" {
  description = "The gateway's VPC (where ElastiCache arrakis-{env}-redis runs)."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the admin task; the same ones the gateway's API tasks use, so Redis and Cloud Map are reachable. The task gets no public IP."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) > 0
    error_message = "at least one private subnet is required."
  }
}

variable "redis_security_group_id" {
  description = "The security group of ElastiCache arrakis-{env}-redis. The module adds one ingress rule to it: port 6379 from the admin task's group. Nothing else on it changes."
  type        = string
}

variable "client_security_group_ids" {
  description = "Security groups allowed to reach the admin API on its port, e.g. the gateway's ECS tasks group (the hop an engineer's SSM port-forward goes through). Empty: only ECS Exec into the admin task itself reaches it."
  type        = list(string)
  default     = []
}

variable "https_egress_cidr_blocks" {
  description = "Where the task may open HTTPS connections: ECR, Secrets Manager, CloudWatch Logs and the SSM endpoints of ECS Exec. Narrow it to the VPC's CIDR when the VPC has interface endpoints for these."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "secrets_kms_key_arn" {
  description = "The KMS key that encrypts arrakis-{env}/redis and the admin keys secret, if it is a customer-managed key (the execution role then gets kms:Decrypt on it). null for the AWS-managed aws/secretsmanager key."
  type        = string
  default     = null
}

variable "desired_count" {
  description = "Number of admin-server tasks. One is enough: the console polls at a modest rate; two give a second task during a zone outage. Rate limits are per task."
  type        = number
  default     = 1

  validation {
    condition     = var.desired_count >= 0 && var.desired_count <= 4
    error_message = "desired_count must be 0-4."
  }
}

variable "cpu" {
  description = "Fargate task CPU units."
  type        = number
  default     = 256
}

variable "memory" {
  description = "Fargate task memory (MiB)."
  type        = number
  default     = 512
}

variable "cpu_architecture" {
  description = "X86_64 or ARM64: must match the architecture the image was built for (make image IMAGE_ARCH=arm64 for ARM64)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "rate_limit_per_minute" {
  description = "admin-server --rate-limit: requests per minute per caller (the gateway's admin routes allow 30)."
  type        = number
  default     = 30
}

variable "log_retention_days" {
  description = "Retention of /ecs/arrakis-{env}/gateway-admin. The server logs requests and audit events, never keys or Redis passwords."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every resource the module creates."
  type        = map(string)
  default     = {}
}
