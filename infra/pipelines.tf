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
      local.jobs[name].source.retries == try(p.spec.resources.retries, null)
    )
  }

  # Pipelines without a schedule get a job definition only (submitted by hand).
  schedules = { for name, job in local.jobs : name => job.schedule_expression if job.schedule_expression != null }

  job_environment = {
    for name, p in local.pipelines : name => merge({ AWS_REGION = var.region }, var.environment, lookup(var.pipeline_environment, name, {}))
  }

  # Variables a pipeline needs that neither the SOPS file nor the plain environment gives.
  unset_env = flatten([
    for name, job in local.jobs : [
      for v in job.required_env : "${name}: ${v}"
      if !contains(local.secret_names, v) && !contains(keys(local.job_environment[name]), v)
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
