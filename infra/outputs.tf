output "buckets" {
  description = "Bucket names by role (state, cache, etl_data, bills)."
  value       = { for k, b in aws_s3_bucket.this : k => b.id }
}

output "job_queue_arn" {
  description = "The Batch queue: submit a pipeline by hand with `aws batch submit-job --job-queue <this> --job-definition <name>`."
  value       = aws_batch_job_queue.etl.arn
}

output "job_definitions" {
  description = "Job definition ARN (with revision) per pipeline name."
  value       = { for k, d in aws_batch_job_definition.pipeline : k => d.arn }
}

output "schedules" {
  description = "EventBridge schedule expression per scheduled pipeline (UTC)."
  value       = local.schedules
}

output "job_role_arn" {
  description = "Role of the pipelines' containers."
  value       = aws_iam_role.job.arn
}

output "redshift_copy_role_arn" {
  description = "Role for Redshift COPY from the staging bucket: attach it to the cluster and give it to target-redshift as its COPY IAM role."
  value       = aws_iam_role.redshift_copy.arn
}

output "alerts_topic_arn" {
  description = "SNS topic of failed jobs and failed schedules."
  value       = aws_sns_topic.alerts.arn
}

output "pipelines_secret_arn" {
  description = "Secrets Manager secret holding the SOPS file's values."
  value       = aws_secretsmanager_secret.pipelines.arn
}
