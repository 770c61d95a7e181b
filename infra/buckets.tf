# The four buckets. All: SSE-S3 by default, public access blocked, owner-enforced objects,
# TLS-only, incomplete multipart uploads aborted. Versioned where history matters.

locals {
  buckets = {
    state    = { name = var.state_bucket, versioned = true }
    cache    = { name = var.cache_bucket, versioned = true }
    etl_data = { name = var.etl_data_bucket, versioned = false }
    bills    = { name = var.bills_bucket, versioned = true }
  }
}

resource "aws_s3_bucket" "this" {
  for_each = local.buckets
  bucket   = each.value.name
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each                = aws_s3_bucket.this
  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  rule {
    # SSE-S3 keeps Redshift COPY and the jobs free of KMS grants.
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# The state bucket must be versioned: a state overwritten by a bad run can be restored from its
# previous object version (the state store also keeps `<key>.history/` copies).
resource "aws_s3_bucket_versioning" "this" {
  for_each = { for k, b in local.buckets : k => b if b.versioned }
  bucket   = aws_s3_bucket.this[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

data "aws_iam_policy_document" "tls_only" {
  for_each = aws_s3_bucket.this
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  policy   = data.aws_iam_policy_document.tls_only[each.key].json
  # A bucket policy is refused while the public access block is being created.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "versioned" {
  for_each = aws_s3_bucket_versioning.this
  bucket   = aws_s3_bucket.this[each.key].id

  rule {
    id     = "expire-old-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "etl_data" {
  bucket = aws_s3_bucket.this["etl_data"].id

  dynamic "rule" {
    for_each = var.staging_expiration
    content {
      id     = "expire-${trimsuffix(rule.key, "/")}"
      status = "Enabled"
      filter {
        prefix = rule.key
      }
      expiration {
        days = rule.value
      }
    }
  }

  dynamic "rule" {
    for_each = toset(var.backup_prefixes)
    content {
      id     = "archive-${trimsuffix(rule.key, "/")}"
      status = "Enabled"
      filter {
        prefix = rule.key
      }
      transition {
        days          = 30
        storage_class = "STANDARD_IA"
      }
    }
  }

  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}
