# Least privilege for the two pipelines that are jobs rather than ETLs: each gets its own role with
# exactly the calls it makes, instead of the shared job role of iam.tf.
#
# - compute-bills (jobs/compute-bills): lists the month's folders of the bills bucket (to find the
#   bills of groups no longer billed), puts the CSV files and deletes those stale bills. It reads
#   the warehouse as a database user, not through IAM: create it once in Redshift,
#     CREATE USER bills_reader PASSWORD '<WAREHOUSE_READ_PASSWORD of the SOPS file>';
#     GRANT USAGE ON SCHEMA git TO bills_reader;
#     GRANT SELECT ON git.commits TO bills_reader;
#   Its password and the platform token come through the pipelines secret (secrets.tf), read by the
#   execution role; the job role itself needs nothing for them.
# - batch-stability (jobs/batch-stability): batch:ListJobs and batch:DescribeJobs, which take no
#   resource-level permissions (Service Authorization Reference, "Actions defined by AWS Batch":
#   no resource type, so "*"), and sns:Publish on the alerts topic.
#
# A pipeline's job definition takes its role from local.job_role_arns, falling back to the shared
# role: jobRoleArn = lookup(local.job_role_arns, each.value.pipeline, aws_iam_role.job.arn) in
# job-definitions.tf.

variable "bills_prefix" {
  description = "Key prefix of the bills in the bills bucket (compute-bills' bills_prefix, e.g. \"bills/\"); \"\" for the bucket root. compute-bills may write and delete only under it."
  type        = string
  default     = ""
}

locals {
  job_role_arns = {
    "compute-bills"   = aws_iam_role.compute_bills.arn
    "batch-stability" = aws_iam_role.batch_stability.arn
  }
}

# --- compute-bills ----------------------------------------------------------------------------

resource "aws_iam_role" "compute_bills" {
  name               = "${var.name_prefix}-compute-bills"
  description        = "The compute-bills job: writes the bills; reads the warehouse as its read user"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

data "aws_iam_policy_document" "compute_bills" {
  statement {
    sid       = "BillsList"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arns.bills]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.bills_prefix}*"]
    }
  }
  statement {
    sid       = "BillsWrite"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.bucket_arns.bills}/${var.bills_prefix}*"]
  }
}

resource "aws_iam_role_policy" "compute_bills" {
  name   = "observes-compute-bills"
  role   = aws_iam_role.compute_bills.id
  policy = data.aws_iam_policy_document.compute_bills.json
}

# --- batch-stability --------------------------------------------------------------------------

resource "aws_iam_role" "batch_stability" {
  name               = "${var.name_prefix}-batch-stability"
  description        = "The batch-stability job: reads the Batch jobs, publishes the alert"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

data "aws_iam_policy_document" "batch_stability" {
  statement {
    sid       = "ReadJobs"
    actions   = ["batch:ListJobs", "batch:DescribeJobs"]
    resources = ["*"]
  }
  statement {
    sid       = "Alert"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]
  }
}

resource "aws_iam_role_policy" "batch_stability" {
  name   = "observes-batch-stability"
  role   = aws_iam_role.batch_stability.id
  policy = data.aws_iam_policy_document.batch_stability.json
}

output "job_role_arns" {
  description = "Role of each job pipeline that does not use the shared job role (compute-bills, batch-stability)."
  value       = local.job_role_arns
}
