# The Batch job definitions: one per pipeline file, or, for a pipeline with an array step, one per
# step. The container runs `observes run <file>` (with `--step <name>` for a step): a step with
# array_size is submitted as an array job whose children each run their own copy (the runner reads
# AWS_BATCH_JOB_ARRAY_INDEX), and the next step is its own job, submitted after it (see README,
# "Phased pipelines"). The job role is the shared one unless jobs-iam.tf gives the pipeline its own. The runner retries failed runs from the saved state and stops at
# `resources.timeout`; Batch adds the size, a timeout a little after the runner's, and retries
# only when the instance was lost (Spot reclaim, host failure), not when the run failed.

resource "aws_batch_job_definition" "pipeline" {
  for_each              = local.batch_jobs
  name                  = "${var.name_prefix}-${each.key}"
  type                  = "container"
  platform_capabilities = ["EC2"]
  propagate_tags        = true

  container_properties = jsonencode({
    image            = var.image
    command          = concat(["observes", "run", "${var.image_pipelines_dir}/${local.pipelines[each.value.pipeline].file}"], each.value.step == null ? [] : ["--step", each.value.step])
    jobRoleArn       = lookup(local.job_role_arns, each.value.pipeline, aws_iam_role.job.arn)
    executionRoleArn = aws_iam_role.execution.arn
    resourceRequirements = [
      { type = "VCPU", value = tostring(local.jobs[each.value.pipeline].vcpu) },
      { type = "MEMORY", value = tostring(local.jobs[each.value.pipeline].memory_mib) },
    ]
    environment = [for k, v in local.job_environment[each.value.pipeline] : { name = k, value = v }]
    secrets     = local.job_secrets[each.value.pipeline]
    # The image's ENTRYPOINT is tini; Batch's own init as well keeps SIGTERM reaching the runner
    # even with an image built without it.
    linuxParameters = { initProcessEnabled = true }
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
    attempts = local.jobs[each.value.pipeline].attempts
    evaluate_on_exit {
      on_status_reason = "Host EC2*"
      action           = "RETRY"
    }
    evaluate_on_exit {
      on_reason = "*"
      action    = "EXIT"
    }
  }

  # For an array job this is each child's limit.
  timeout {
    attempt_duration_seconds = local.jobs[each.value.pipeline].attempt_duration_seconds
  }

  lifecycle {
    precondition {
      condition     = local.job_is_current[each.value.pipeline]
      error_message = "${local.pipelines[each.value.pipeline].file}: its schedule, resources or steps changed since pipeline-jobs.auto.tfvars.json was generated (or it is missing there): run npm run infra:schedules."
    }
  }
}
