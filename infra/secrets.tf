# Secrets: SOPS-encrypted YAML in the repository, decrypted at plan time by the carlpett/sops
# provider (with the deployer's KMS/age key) into one Secrets Manager secret. Jobs receive each key
# they need as an environment variable through Batch `secrets`, resolved by the execution role at
# container start: no secret in job definitions, images or logs (the runner redacts them too).

data "sops_file" "pipelines" {
  count       = var.secrets_file == null ? 0 : 1
  source_file = "${path.module}/${var.secrets_file}"
}

locals {
  secret_values = var.secrets_file == null ? {} : data.sops_file.pipelines[0].data
  # Names are not secret, only the values. (Older Terraform versions refuse nonsensitive() on an unmarked value.)
  secret_names = try(nonsensitive(keys(local.secret_values)), keys(local.secret_values))
}

resource "aws_secretsmanager_secret" "pipelines" {
  name                    = "${var.name_prefix}/pipelines"
  description             = "Environment secrets of the Observes pipelines (from ${coalesce(var.secrets_file, "no SOPS file")}); managed by Terraform."
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "pipelines" {
  secret_id     = aws_secretsmanager_secret.pipelines.id
  secret_string = jsonencode(local.secret_values)
}
