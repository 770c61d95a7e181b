# Database users: one ETL user per pipeline that writes the warehouse (etl_<pipeline>), owning the
# schemas its target-redshift writes (warehouse_schemas in the generated file) and nothing else;
# and the BI tool's user, in a group that may only read those schemas (now and the tables the ETL
# users create later). The SQL runs through the Redshift Data API as the master user (its
# Redshift-managed secret), so applying needs no network path to the cluster.
#
# Each ETL user's password is generated here, kept in its own Secrets Manager secret and given to
# its jobs as REDSHIFT_PASSWORD (with REDSHIFT_USER and REDSHIFT_HOST, pipelines.tf). Like the SOPS
# values, these passwords are in the Terraform state: its bucket must be encrypted and restricted.
# Data API statements are create-only: removing a pipeline leaves its user (drop it by hand).

locals {
  warehouse_users = {
    for name, job in local.jobs : name => { user = "etl_${replace(lower(name), "-", "_")}", schemas = job.warehouse_schemas }
    if length(job.warehouse_schemas) > 0
  }
  # Every login: pipeline name (or the BI user) → database user name.
  warehouse_logins = merge({ for name, u in local.warehouse_users : name => u.user }, { (var.bi_user) = var.bi_user })
  # Schema → the one ETL user owning it.
  warehouse_schemas = merge([for name, u in local.warehouse_users : { for s in u.schemas : s => u.user }]...)
  # Statements run as the master user.
  warehouse_sql_auth = {
    cluster_identifier = aws_redshift_cluster.warehouse.cluster_identifier
    database           = var.warehouse_database
    secret_arn         = aws_redshift_cluster.warehouse.master_password_secret_arn
  }
}

check "warehouse_schema_owners" {
  assert {
    condition     = length(flatten([for u in local.warehouse_users : u.schemas])) == length(keys(local.warehouse_schemas))
    error_message = "Two pipelines write the same warehouse schema; each schema has one owning ETL user: give one of them its own schema."
  }
}

resource "random_password" "warehouse_user" {
  for_each = local.warehouse_logins
  length   = 40
  # Letters and digits only: the password goes into postgres:// URLs unescaped.
  special     = false
  min_upper   = 1
  min_lower   = 1
  min_numeric = 1
}

resource "aws_secretsmanager_secret" "warehouse_user" {
  for_each                = random_password.warehouse_user
  name                    = "${var.name_prefix}/warehouse/${each.key}"
  description             = "Observes warehouse login of ${each.key}; managed by Terraform."
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "warehouse_user" {
  for_each  = random_password.warehouse_user
  secret_id = aws_secretsmanager_secret.warehouse_user[each.key].id
  secret_string = jsonencode({
    username = local.warehouse_logins[each.key]
    password = each.value.result
    host     = aws_redshift_cluster.warehouse.dns_name
    port     = var.warehouse_port
    dbname   = var.warehouse_database
  })
}

# Nobody but the owners creates objects anywhere (Redshift lets PUBLIC create in `public`).
resource "aws_redshiftdata_statement" "public_schema" {
  cluster_identifier = local.warehouse_sql_auth.cluster_identifier
  database           = local.warehouse_sql_auth.database
  secret_arn         = local.warehouse_sql_auth.secret_arn
  sql                = "REVOKE CREATE ON SCHEMA public FROM PUBLIC"
}

resource "aws_redshiftdata_statement" "bi_group" {
  cluster_identifier = local.warehouse_sql_auth.cluster_identifier
  database           = local.warehouse_sql_auth.database
  secret_arn         = local.warehouse_sql_auth.secret_arn
  sql                = "CREATE GROUP ${var.bi_group}"
}

resource "aws_redshiftdata_statement" "user" {
  for_each           = local.warehouse_logins
  cluster_identifier = local.warehouse_sql_auth.cluster_identifier
  database           = local.warehouse_sql_auth.database
  secret_arn         = local.warehouse_sql_auth.secret_arn
  # Created without a password so that a new password (below) never recreates the user.
  sql        = each.value == var.bi_user ? "CREATE USER ${each.value} PASSWORD DISABLE IN GROUP ${var.bi_group}" : "CREATE USER ${each.value} PASSWORD DISABLE"
  depends_on = [aws_redshiftdata_statement.bi_group]
}

resource "aws_redshiftdata_statement" "user_password" {
  for_each           = local.warehouse_logins
  cluster_identifier = local.warehouse_sql_auth.cluster_identifier
  database           = local.warehouse_sql_auth.database
  secret_arn         = local.warehouse_sql_auth.secret_arn
  # Redshift's MD5 form: 'md5' || md5(password || user name); the password itself is not sent.
  sql        = "ALTER USER ${each.value} PASSWORD 'md5${md5("${random_password.warehouse_user[each.key].result}${each.value}")}'"
  depends_on = [aws_redshiftdata_statement.user]
}

resource "aws_redshiftdata_statement" "schema" {
  for_each           = local.warehouse_schemas
  cluster_identifier = local.warehouse_sql_auth.cluster_identifier
  database           = local.warehouse_sql_auth.database
  secret_arn         = local.warehouse_sql_auth.secret_arn
  sql                = "CREATE SCHEMA IF NOT EXISTS ${each.key} AUTHORIZATION ${each.value}"
  depends_on         = [aws_redshiftdata_statement.user]
}

# A schema that existed before keeps its owner with IF NOT EXISTS: make the ETL user its owner.
resource "aws_redshiftdata_statement" "schema_owner" {
  for_each           = aws_redshiftdata_statement.schema
  cluster_identifier = local.warehouse_sql_auth.cluster_identifier
  database           = local.warehouse_sql_auth.database
  secret_arn         = local.warehouse_sql_auth.secret_arn
  sql                = "ALTER SCHEMA ${each.key} OWNER TO ${local.warehouse_schemas[each.key]}"
}

resource "aws_redshiftdata_statement" "bi_usage" {
  for_each           = aws_redshiftdata_statement.schema_owner
  cluster_identifier = local.warehouse_sql_auth.cluster_identifier
  database           = local.warehouse_sql_auth.database
  secret_arn         = local.warehouse_sql_auth.secret_arn
  sql                = "GRANT USAGE ON SCHEMA ${each.key} TO GROUP ${var.bi_group}"
}

resource "aws_redshiftdata_statement" "bi_select" {
  for_each           = aws_redshiftdata_statement.bi_usage
  cluster_identifier = local.warehouse_sql_auth.cluster_identifier
  database           = local.warehouse_sql_auth.database
  secret_arn         = local.warehouse_sql_auth.secret_arn
  sql                = "GRANT SELECT ON ALL TABLES IN SCHEMA ${each.key} TO GROUP ${var.bi_group}"
}

# Tables the ETL user creates later (every full refresh swaps in new ones) are readable too.
resource "aws_redshiftdata_statement" "bi_default_select" {
  for_each           = aws_redshiftdata_statement.bi_usage
  cluster_identifier = local.warehouse_sql_auth.cluster_identifier
  database           = local.warehouse_sql_auth.database
  secret_arn         = local.warehouse_sql_auth.secret_arn
  sql                = "ALTER DEFAULT PRIVILEGES FOR USER ${local.warehouse_schemas[each.key]} IN SCHEMA ${each.key} GRANT SELECT ON TABLES TO GROUP ${var.bi_group}"
}
