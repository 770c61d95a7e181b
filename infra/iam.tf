# Roles: the jobs' role (what `observes run` and its taps/targets may touch), the execution role
# (pulls the image, writes logs, reads the secrets), the Batch instances' role, the Redshift COPY
# role, and the EventBridge role that submits scheduled jobs.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  bucket_arns = { for k, b in aws_s3_bucket.this : k => b.arn }
}

data "aws_iam_policy_document" "ecs_tasks_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# --- Job role ---------------------------------------------------------------------------------

resource "aws_iam_role" "job" {
  name               = "${var.name_prefix}-batch-job"
  description        = "Observes pipelines (observes run) in AWS Batch"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

data "aws_iam_policy_document" "job" {
  # State: read, save, clear, and list the state store's history copies.
  statement {
    sid       = "StateList"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arns.state]
  }
  statement {
    sid       = "StateObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.bucket_arns.state}/*"]
  }

  # Schema cache: the schema job writes it, the ETLs read it.
  statement {
    sid       = "CacheList"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arns.cache]
  }
  statement {
    sid       = "CacheObjects"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${local.bucket_arns.cache}/*"]
  }

  # Staging: only the pipelines' prefixes. Deletes: target-s3 replaces a period's files and
  # target-redshift removes its COPY files.
  statement {
    sid       = "StagingList"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arns.etl_data]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = flatten([for p in var.etl_data_prefixes : [p, "${p}*"]])
    }
  }
  statement {
    sid       = "StagingObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = [for p in var.etl_data_prefixes : "${local.bucket_arns.etl_data}/${p}*"]
  }

  # No pipeline writes the bills bucket yet: the compute-bills job's access comes with its pipeline
  # (deploy/src/infra-checks.ts refuses access no pipeline uses).

  statement {
    sid       = "DynamoDbScan"
    actions   = ["dynamodb:DescribeTable", "dynamodb:Scan"]
    resources = [for t in var.dynamodb_tables : "arn:${data.aws_partition.current.partition}:dynamodb:${var.region}:${data.aws_caller_identity.current.account_id}:table/${t}"]
  }
}

resource "aws_iam_role_policy" "job" {
  name   = "observes-data"
  role   = aws_iam_role.job.id
  policy = data.aws_iam_policy_document.job.json
}

# --- Execution role ---------------------------------------------------------------------------

resource "aws_iam_role" "execution" {
  name               = "${var.name_prefix}-batch-execution"
  description        = "Starts Observes containers: image pull, logs, secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "execution_secrets" {
  statement {
    actions = ["secretsmanager:GetSecretValue"]
    # The SOPS values, and the ETL users' warehouse logins (not the BI user's).
    resources = concat([aws_secretsmanager_secret.pipelines.arn], [for name, u in local.warehouse_users : aws_secretsmanager_secret.warehouse_user[name].arn])
  }
}

resource "aws_iam_role_policy" "execution_secrets" {
  name   = "observes-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution_secrets.json
}

# --- Batch instances --------------------------------------------------------------------------

resource "aws_iam_role" "instance" {
  name        = "${var.name_prefix}-batch-instance"
  description = "EC2 instances of the Observes Batch compute environment"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "instance" {
  role       = aws_iam_role.instance.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
}

resource "aws_iam_instance_profile" "instance" {
  name = "${var.name_prefix}-batch-instance"
  role = aws_iam_role.instance.name
}

# --- Redshift COPY ----------------------------------------------------------------------------

resource "aws_iam_role" "redshift_copy" {
  name        = "${var.name_prefix}-redshift-copy"
  description = "Redshift COPY from the Observes staging bucket (target-redshift's IAM_ROLE)"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "redshift.amazonaws.com" } }]
  })
}

data "aws_iam_policy_document" "redshift_copy" {
  statement {
    sid       = "List"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [local.bucket_arns.etl_data]
  }
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = [for p in var.redshift_copy_prefixes : "${local.bucket_arns.etl_data}/${p}*"]
  }
}

resource "aws_iam_role_policy" "redshift_copy" {
  name   = "observes-staging-read"
  role   = aws_iam_role.redshift_copy.id
  policy = data.aws_iam_policy_document.redshift_copy.json
}

# --- EventBridge → Batch ----------------------------------------------------------------------

resource "aws_iam_role" "events" {
  name        = "${var.name_prefix}-schedules"
  description = "EventBridge rules submitting the Observes Batch jobs"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "events.amazonaws.com" } }]
  })
}

data "aws_iam_policy_document" "events" {
  # Only the jobs the schedules submit (a phased pipeline's first step); later steps are submitted by people.
  statement {
    actions = ["batch:SubmitJob"]
    resources = concat(
      [aws_batch_job_queue.etl.arn],
      [for p, j in local.scheduled_jobs : aws_batch_job_definition.pipeline[j.key].arn],
    )
  }
}

resource "aws_iam_role_policy" "events" {
  name   = "observes-submit-jobs"
  role   = aws_iam_role.events.id
  policy = data.aws_iam_policy_document.events.json
}
