# EventBridge rules submitting each scheduled pipeline's job (a phased pipeline's first step, as an
# array job when it has array_size). The expressions come converted from the pipelines' 5-field
# cron (UTC) by runner/src/batch-schedule.ts; see pipelines.tf.

resource "aws_cloudwatch_event_rule" "pipeline" {
  for_each            = local.schedules
  name                = "${var.name_prefix}-${each.key}"
  description         = "Runs the ${each.key} pipeline (${local.jobs[each.key].source.schedule} UTC)"
  schedule_expression = each.value
}

resource "aws_cloudwatch_event_target" "pipeline" {
  for_each = local.scheduled_jobs
  rule     = aws_cloudwatch_event_rule.pipeline[each.key].name
  arn      = aws_batch_job_queue.etl.arn
  role_arn = aws_iam_role.events.arn

  batch_target {
    job_definition = aws_batch_job_definition.pipeline[each.value.key].arn
    job_name       = "${var.name_prefix}-${each.value.key}"
    # Batch array jobs have 2 to 10000 children; a single job has no array properties.
    array_size = each.value.array_size > 1 ? each.value.array_size : null
  }

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 10
  }
}
