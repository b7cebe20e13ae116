# The task definition and the service, in the gateway's ECS style: Fargate,
# awsvpc, secrets as valueFrom, a deployment circuit breaker with rollback,
# ECS Exec on.

resource "aws_ecs_task_definition" "this" {
  family                   = local.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  container_definitions = jsonencode([
    {
      name      = local.container
      image     = var.image
      essential = true
      command   = local.command
      user      = "65532:65532"
      # ECS Exec's agent writes under the container's root filesystem, so a
      # read-only root would break the port-forward path (docs/operations.md).
      readonlyRootFilesystem = false
      stopTimeout            = 30

      portMappings = [
        { containerPort = local.port, protocol = "tcp", name = "admin-api" },
      ]

      # Nothing secret goes here; it is printed by describe-task-definition.
      environment = []

      # Resolved by the execution role at task start; a new value needs a new
      # deployment (docs/operations.md, "Rotating admin keys").
      secrets = [
        { name = "GATEWAYOPS_ADMIN_KEYS", valueFrom = aws_secretsmanager_secret.admin_keys.arn },
        { name = "GATEWAYOPS_REDIS_URL", valueFrom = "${data.aws_secretsmanager_secret.redis.arn}:url::" },
      ]

      healthCheck = {
        command     = local.health_command
        interval    = 15
        timeout     = 5
        retries     = 3
        startPeriod = 15
      }

      linuxParameters = {
        initProcessEnabled = true
      }

      logConfiguration = {
        logDriver = "awslogs"
        options = {
          "awslogs-group"         = aws_cloudwatch_log_group.this.name
          "awslogs-region"        = data.aws_region.current.name
          "awslogs-stream-prefix" = "gateway-admin"
        }
      }
    },
  ])

  tags = local.tags
}

resource "aws_ecs_service" "this" {
  name                   = local.name
  cluster                = data.aws_ecs_cluster.this.arn
  task_definition        = aws_ecs_task_definition.this.arn
  desired_count          = var.desired_count
  launch_type            = "FARGATE"
  enable_execute_command = true
  propagate_tags         = "SERVICE"

  # A new task is healthy before the old one stops: key rotation and image
  # updates never leave the admin API without a task.
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.this.id]
    assign_public_ip = false
  }

  service_registries {
    registry_arn   = aws_service_discovery_service.this.arn
    container_name = local.container
  }

  tags = local.tags
}
