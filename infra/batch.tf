# One managed EC2 (or Spot) compute environment scaling from 0, and the queue every pipeline uses.

resource "aws_batch_compute_environment" "etl" {
  compute_environment_name_prefix = "${var.name_prefix}-"
  type                            = "MANAGED"
  # No service_role: Batch uses its service-linked role (AWSServiceRoleForBatch).

  compute_resources {
    type                = var.use_spot ? "SPOT" : "EC2"
    allocation_strategy = var.use_spot ? "SPOT_PRICE_CAPACITY_OPTIMIZED" : "BEST_FIT_PROGRESSIVE"
    min_vcpus           = 0
    max_vcpus           = var.max_vcpus
    instance_type       = var.instance_types
    instance_role       = aws_iam_instance_profile.instance.arn
    subnets             = var.subnet_ids
    security_group_ids  = var.security_group_ids
  }

  # A changed environment is replaced: the queue must move to the new one before the old goes.
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_batch_job_queue" "etl" {
  name     = "${var.name_prefix}-etl"
  state    = "ENABLED"
  priority = 1

  compute_environment_order {
    order               = 1
    compute_environment = aws_batch_compute_environment.etl.arn
  }
}

resource "aws_cloudwatch_log_group" "jobs" {
  name              = "/aws/batch/${var.name_prefix}"
  retention_in_days = var.log_retention_days
}
