# One job definition per pipeline file. The container runs `observes run <file>`; the runner runs
# every step and array copy of the pipeline itself, retries failed runs from the saved state and
# stops at `resources.timeout`. Batch adds: the size, a timeout a little after the runner's, and
# retries only when the instance was lost (Spot reclaim, host failure), not when the run failed.

resource "aws_batch_job_definition" "pipeline" {
  for_each              = local.pipelines
  name                  = "${var.name_prefix}-${each.key}"
  type                  = "container"
  platform_capabilities = ["EC2"]
  propagate_tags        = true

  container_properties = jsonencode({
    image            = var.image
    command          = ["observes", "run", "${var.image_pipelines_dir}/${each.value.file}"]
    jobRoleArn       = aws_iam_role.job.arn
    executionRoleArn = aws_iam_role.execution.arn
    resourceRequirements = [
      { type = "VCPU", value = tostring(local.jobs[each.key].vcpu) },
      { type = "MEMORY", value = tostring(local.jobs[each.key].memory_mib) },
    ]
    environment = [for k, v in local.job_environment[each.key] : { name = k, value = v }]
    secrets = [
      for v in local.jobs[each.key].required_env : { name = v, valueFrom = "${aws_secretsmanager_secret.pipelines.arn}:${v}::" }
      if contains(local.secret_names, v)
    ]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = aws_cloudwatch_log_group.jobs.name
        "awslogs-region"        = var.region
        "awslogs-stream-prefix" = each.key
      }
    }
  })

  retry_strategy {
    attempts = local.jobs[each.key].attempts
    evaluate_on_exit {
      on_status_reason = "Host EC2*"
      action           = "RETRY"
    }
    evaluate_on_exit {
      on_reason = "*"
      action    = "EXIT"
    }
  }

  timeout {
    attempt_duration_seconds = local.jobs[each.key].attempt_duration_seconds
  }

  lifecycle {
    precondition {
      condition     = local.job_is_current[each.key]
      error_message = "${each.value.file}: its schedule or resources changed since pipeline-jobs.auto.tfvars.json was generated (or it is missing there): run npm run infra:schedules."
    }
  }
}
