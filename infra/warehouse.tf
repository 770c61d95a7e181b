# The warehouse: a provisioned Amazon Redshift RA3 cluster in the company VPC.
#
# Chosen over Redshift Serverless: the warehouse is busy all day (BI dashboards over business
# hours, ETL batches every few hours and at night), where a small RA3 cluster costs less than
# Serverless' per-RPU-second billing with its 8-RPU minimum, and it takes the controls this
# module sets: a parameter group that requires SSL, automated snapshots with our retention
# (Serverless keeps recovery points 24 h), a subnet group over our subnets with AZ relocation or
# Multi-AZ. Serverless remains a one-file swap (namespace + workgroup) if the load gets bursty.

resource "aws_redshift_subnet_group" "warehouse" {
  name        = "${var.name_prefix}-warehouse"
  description = "Subnets of the Observes warehouse (several AZs)"
  subnet_ids  = coalesce(var.warehouse_subnet_ids, var.subnet_ids)
}

resource "aws_redshift_parameter_group" "warehouse" {
  name        = "${var.name_prefix}-warehouse"
  family      = "redshift-1.0"
  description = "Observes warehouse: SSL required, user activity logged"

  parameter {
    name  = "require_ssl"
    value = "true"
  }

  parameter {
    name  = "enable_user_activity_logging"
    value = "true"
  }
}

# Who may connect: the Batch jobs (their security groups) and the BI tool's range, on the port only.
resource "aws_security_group" "warehouse" {
  name        = "${var.name_prefix}-warehouse"
  description = "Observes warehouse: Batch jobs and the BI tool only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "warehouse_batch" {
  for_each                     = toset(var.security_group_ids)
  security_group_id            = aws_security_group.warehouse.id
  description                  = "Observes Batch jobs"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = var.warehouse_port
  to_port                      = var.warehouse_port
}

resource "aws_vpc_security_group_ingress_rule" "warehouse_bi" {
  for_each          = toset(var.bi_cidr_blocks)
  security_group_id = aws_security_group.warehouse.id
  description       = "BI tool (QuickSight)"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = var.warehouse_port
  to_port           = var.warehouse_port
}

resource "aws_redshift_cluster" "warehouse" {
  cluster_identifier = "${var.name_prefix}-warehouse"
  database_name      = var.warehouse_database
  master_username    = var.warehouse_master_username
  # Redshift keeps the master password in Secrets Manager (and rotates it): it never passes
  # through Terraform, so it is in no state and no output.
  manage_master_password = true

  node_type       = var.warehouse_node_type
  cluster_type    = var.warehouse_nodes > 1 ? "multi-node" : "single-node"
  number_of_nodes = var.warehouse_nodes
  port            = var.warehouse_port

  cluster_subnet_group_name            = aws_redshift_subnet_group.warehouse.name
  vpc_security_group_ids               = [aws_security_group.warehouse.id]
  cluster_parameter_group_name         = aws_redshift_parameter_group.warehouse.name
  publicly_accessible                  = var.warehouse_publicly_accessible
  availability_zone_relocation_enabled = true
  multi_az                             = var.warehouse_multi_az
  enhanced_vpc_routing                 = var.warehouse_enhanced_vpc_routing
  encrypted                            = true
  kms_key_id                           = var.warehouse_kms_key_id
  automated_snapshot_retention_period  = var.warehouse_snapshot_retention_days
  manual_snapshot_retention_period     = -1
  preferred_maintenance_window         = var.warehouse_maintenance_window
  allow_version_upgrade                = true
  skip_final_snapshot                  = false
  final_snapshot_identifier            = "${var.name_prefix}-warehouse-final"

  # target-redshift's COPY role (iam.tf); the default role also serves the LogRocket-style loads.
  iam_roles            = [aws_iam_role.redshift_copy.arn]
  default_iam_role_arn = aws_iam_role.redshift_copy.arn

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_redshift_logging" "warehouse" {
  cluster_identifier   = aws_redshift_cluster.warehouse.cluster_identifier
  log_destination_type = "cloudwatch"
  log_exports          = ["connectionlog", "userlog", "useractivitylog"]
}
