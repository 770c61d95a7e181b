# The pipelines, read from their YAML files, joined with what `npm run infra:schedules` computed
# from the same files (var.pipeline_jobs). HCL converts nothing itself: the cron conversion and
# sizes are tested TypeScript (runner/src/batch-schedule.ts); here they are only checked fresh.

locals {
  pipelines_dir = startswith(var.pipelines_dir, "/") ? var.pipelines_dir : "${path.module}/${var.pipelines_dir}"

  pipelines = {
    for f in fileset(local.pipelines_dir, "*.yaml") :
    yamldecode(file("${local.pipelines_dir}/${f}")).name => {
      file = f
      spec = yamldecode(file("${local.pipelines_dir}/${f}"))
    }
  }

  # Stands in for a pipeline missing from var.pipeline_jobs so the plan reaches the precondition
  # below (which names the fix) instead of failing on a missing map key.
  missing_job = {
    file                     = ""
    source                   = { schedule = null, vcpu = null, memory = null, timeout = null, retries = null }
    schedule_expression      = null
    vcpu                     = 1
    memory_mib               = 1900
    attempt_duration_seconds = 3600
    attempts                 = 1
    required_env             = []
    steps                    = []
    warehouse_schemas        = []
  }

  jobs = { for name, p in local.pipelines : name => lookup(var.pipeline_jobs, name, local.missing_job) }

  # A generated entry is current when it was computed from the file's present schedule and resources.
  job_is_current = {
    for name, p in local.pipelines : name => (
      local.jobs[name].file == p.file &&
      local.jobs[name].source.schedule == try(p.spec.schedule, null) &&
      local.jobs[name].source.vcpu == try(p.spec.resources.vcpu, null) &&
      local.jobs[name].source.memory == try(p.spec.resources.memory, null) &&
      local.jobs[name].source.timeout == try(p.spec.resources.timeout, null) &&
      local.jobs[name].source.retries == try(p.spec.resources.retries, null) &&
      jsonencode(local.jobs[name].steps) == jsonencode([for s in try(p.spec.steps, []) : { name = s.name, array_size = try(s.array_size, 1) }])
    )
  }

  # Pipelines with an array step run as one Batch job per step ("<pipeline>-<step>"; the array step
  # an array job); the others as one job running every step in order. `first` is what the
  # schedule submits, `array_size` > 1 makes it an array job.
  split_pipelines = [for name, job in local.jobs : name if length([for s in job.steps : s if s.array_size > 1]) > 0]

  batch_jobs = merge([
    for name, job in local.jobs : !contains(local.split_pipelines, name) ?
    { (name) = { pipeline = name, step = null, array_size = 1, first = true } } :
    { for i, s in job.steps : "${name}-${s.name}" => { pipeline = name, step = s.name, array_size = s.array_size, first = i == 0 } }
  ]...)

  # Pipelines without a schedule get job definitions only (submitted by hand).
  schedules = { for name, job in local.jobs : name => job.schedule_expression if job.schedule_expression != null }

  # The job each schedule submits: the pipeline's, or its first step's.
  scheduled_jobs = { for key, j in local.batch_jobs : j.pipeline => merge(j, { key = key }) if j.first && contains(keys(local.schedules), j.pipeline) }

  # Steps after the first, submitted by hand or with dependsOn (README, "Phased pipelines").
  later_steps = { for name, job in local.jobs : name => [for s in slice(job.steps, 1, length(job.steps)) : "${var.name_prefix}-${name}-${s.name}"] if contains(local.split_pipelines, name) && length(job.steps) > 1 }

  job_environment = {
    for name, p in local.pipelines : name => merge(
      { AWS_REGION = var.region },
      # A pipeline writing the warehouse logs in as its own database user (warehouse-users.tf).
      # The cluster requires SSL: target-redshift's ssl setting, from the environment.
      contains(keys(local.warehouse_users), name) ? { REDSHIFT_USER = local.warehouse_users[name].user, REDSHIFT_HOST = aws_redshift_cluster.warehouse.dns_name, TARGET_REDSHIFT_SSL = "true", REDSHIFT_COPY_ROLE_ARN = aws_iam_role.redshift_copy.arn } : {},
      var.environment,
      lookup(var.pipeline_environment, name, {}),
    )
  }

  # Secret variables per pipeline, resolved by the execution role at container start: its own
  # warehouse user's password as REDSHIFT_PASSWORD, the rest from the SOPS file's secret.
  job_secrets = {
    for name, job in local.jobs : name => concat(
      contains(keys(local.warehouse_users), name) ? [{ name = "REDSHIFT_PASSWORD", valueFrom = "${aws_secretsmanager_secret.warehouse_user[name].arn}:password::" }] : [],
      [
        for v in job.required_env : { name = v, valueFrom = "${aws_secretsmanager_secret.pipelines.arn}:${v}::" }
        if contains(local.secret_names, v) && !(v == "REDSHIFT_PASSWORD" && contains(keys(local.warehouse_users), name))
      ],
    )
  }

  # Variables a pipeline needs that neither the SOPS file nor the plain environment gives.
  unset_env = flatten([
    for name, job in local.jobs : [
      for v in job.required_env : "${name}: ${v}"
      if !contains(local.secret_names, v) && !contains(keys(local.job_environment[name]), v) && !contains([for s in local.job_secrets[name] : s.name], v)
    ]
  ])
}

check "pipeline_jobs_cover_pipelines" {
  assert {
    condition     = length(setsubtract(keys(var.pipeline_jobs), keys(local.pipelines))) == 0
    error_message = "pipeline-jobs.auto.tfvars.json has pipelines that ${var.pipelines_dir} no longer has (${join(", ", setsubtract(keys(var.pipeline_jobs), keys(local.pipelines)))}): run npm run infra:schedules."
  }
}

check "pipeline_environment" {
  assert {
    condition     = length(local.unset_env) == 0
    error_message = "Variables the pipelines need but no job receives (add them to the SOPS file, environment or pipeline_environment): ${join(", ", local.unset_env)}."
  }
}
