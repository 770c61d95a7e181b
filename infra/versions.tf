terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.60+: aws_batch_job_queue's compute_environment_order block; aws_redshift_cluster's
      # manage_master_password and multi_az.
      version = "~> 5.60"
    }
    sops = {
      source  = "carlpett/sops"
      version = "~> 1.1"
    }
    # The warehouse logins' passwords (warehouse-users.tf).
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # Partial configuration: `terraform init -backend-config=backend.hcl` (see README). The state
  # holds the decrypted SOPS secrets (they end up in Secrets Manager), so its bucket must be
  # encrypted and readable only by the people who deploy.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}
