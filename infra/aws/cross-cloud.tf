# What sync needs to read the other two clouds, without changing the function code:
#   - Firestore: workload identity federation. infra/gcp trusts this account's sync role and outputs a credential
#     configuration (no secret in it: Google's STS verifies a request signed with the role's own credentials). It
#     ships as a Lambda layer file; GOOGLE_APPLICATION_CREDENTIALS points the Google SDK at it.
#   - Cosmos DB: the account key, kept in Secrets Manager (encrypted with the project's KMS key) and given to the
#     sync Lambda's environment, which the same key encrypts at rest. Rotate it by updating the secret's variable
#     and re-applying.

resource "aws_kms_key" "functions" {
  description         = "${var.prefix}: functions' environment and cross-cloud secrets"
  enable_key_rotation = true
}

resource "aws_kms_alias" "functions" {
  name          = "alias/${var.prefix}-functions"
  target_key_id = aws_kms_key.functions.key_id
}

resource "aws_secretsmanager_secret" "sync_cross_cloud" {
  name        = "${var.prefix}/sync/cross-cloud"
  description = "Secrets the AWS sync function uses to read the other clouds (COSMOS_KEY)."
  kms_key_id  = aws_kms_key.functions.arn
}

resource "aws_secretsmanager_secret_version" "sync_cross_cloud" {
  secret_id     = aws_secretsmanager_secret.sync_cross_cloud.id
  secret_string = jsonencode({ COSMOS_KEY = var.azure_cosmos_key })
}

data "archive_file" "gcp_credentials" {
  count = var.gcp_credential_config == "" ? 0 : 1

  type        = "zip"
  output_path = "${path.module}/.terraform/gcp-credentials-layer.zip"

  source {
    content  = var.gcp_credential_config
    filename = "gcp-credentials.json"
  }
}

resource "aws_lambda_layer_version" "gcp_credentials" {
  count = var.gcp_credential_config == "" ? 0 : 1

  layer_name               = "${var.prefix}-gcp-credentials"
  filename                 = data.archive_file.gcp_credentials[0].output_path
  source_code_hash         = data.archive_file.gcp_credentials[0].output_base64sha256
  compatible_runtimes      = ["nodejs22.x"]
  compatible_architectures = ["arm64"]
}

locals {
  sync_secrets = jsondecode(aws_secretsmanager_secret_version.sync_cross_cloud.secret_string)

  # Sync reads only the stores' settings (readStoreSettings): no Event Hubs or Pub/Sub variable.
  sync_cross_cloud_env = merge(
    { for k, v in local.sync_secrets : k => v if v != "" },
    var.gcp_credential_config == "" ? {} : { GOOGLE_APPLICATION_CREDENTIALS = "/opt/gcp-credentials.json" },
  )
}

# The other clouds' sync functions read DynamoDB as this user, allowed exactly what the AWS sync role is on the
# aggregates table. Terraform creates no access key (it would sit in the state): create one with
# `aws iam create-access-key --user-name <prefix>-remote-sync` and give it to infra/gcp and infra/azure
# (TRICLOUD_SYNC_AWS_ACCESS_KEY_ID, TRICLOUD_SYNC_AWS_SECRET_ACCESS_KEY; see README, Deploying).
resource "aws_iam_user" "remote_sync" {
  name = "${var.prefix}-remote-sync"
}

data "aws_iam_policy_document" "remote_sync" {
  statement {
    sid       = "WindowDocumentsAndWatermarks"
    actions   = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem"]
    resources = [aws_dynamodb_table.aggregates.arn]
  }

  statement {
    sid       = "Changes"
    actions   = ["dynamodb:Query"]
    resources = ["${aws_dynamodb_table.aggregates.arn}/index/${var.changes_index_name}"]
  }
}

resource "aws_iam_user_policy" "remote_sync" {
  name   = "${var.prefix}-remote-sync"
  user   = aws_iam_user.remote_sync.name
  policy = data.aws_iam_policy_document.remote_sync.json
}
