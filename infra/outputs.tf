output "buckets" {
  description = "Bucket names by role (state, cache, etl_data, bills)."
  value       = { for k, b in aws_s3_bucket.this : k => b.id }
}

output "job_queue_arn" {
  description = "The Batch queue: submit a pipeline by hand with `aws batch submit-job --job-queue <this> --job-definition <name>`."
  value       = aws_batch_job_queue.etl.arn
}

output "job_definitions" {
  description = "Job definition ARN (with revision) per pipeline name, or per <pipeline>-<step> of a phased pipeline."
  value       = { for k, d in aws_batch_job_definition.pipeline : k => d.arn }
}

output "later_steps" {
  description = "Per phased pipeline, the job definitions of the steps after the first, in order: submit each by hand or with dependsOn the previous, passing OBSERVES_RUN_ID (README, Phased pipelines)."
  value       = local.later_steps
}

output "warehouse_endpoint" {
  description = "host:port of the warehouse (the jobs get the host as REDSHIFT_HOST)."
  value       = aws_redshift_cluster.warehouse.endpoint
}

output "warehouse_master_secret_arn" {
  description = "ARN of the Redshift-managed secret of the master user (the password itself is in no output or state)."
  value       = aws_redshift_cluster.warehouse.master_password_secret_arn
}

output "warehouse_login_secret_arns" {
  description = "Secret ARN of each database login (ETL users by pipeline name, and the BI user): username, password, host, port, dbname."
  value       = { for k, s in aws_secretsmanager_secret.warehouse_user : k => s.arn }
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
  description = "Role for Redshift COPY from the staging bucket (attached to the warehouse as its default role): give it to target-redshift as s3.iam_role."
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
