# What sync needs to read the other two clouds:
#   - Firestore: workload identity federation. infra/gcp trusts this account's sync role and outputs a credential
#     configuration (no secret in it: Google's STS verifies a request signed with the role's own credentials).
#     `npm run build` zips it (dist/aws/gcp-credentials.zip, from TRICLOUD_AWS_SYNC_GCP_CREDENTIAL_CONFIG), it
#     ships as a Lambda layer file, and GOOGLE_APPLICATION_CREDENTIALS points the Google SDK at it.
#   - Cosmos DB: the account key, kept in Secrets Manager (encrypted with the project's KMS key). The sync function
#     reads it at cold start (functions/aws/cosmos-key-secret.ts) from the secret TRICLOUD_COSMOS_KEY_SECRET_ARN
#     names, so the key is in no Lambda configuration, and rotating it means updating the secret, not the function.

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

  # Deleted at once on destroy. With the default 30-day recovery window the name stays taken, and applying again
  # after a destroy fails with ResourceExistsException until the window ends. The value is a copy (the Cosmos DB
  # account's key, which Azure keeps), so there is nothing to recover.
  recovery_window_in_days = 0
}

resource "aws_secretsmanager_secret_version" "sync_cross_cloud" {
  secret_id     = aws_secretsmanager_secret.sync_cross_cloud.id
  secret_string = jsonencode({ COSMOS_KEY = var.azure_cosmos_key })
}

# The credential configuration as a layer: /opt/gcp-credentials.json in the function. The zip is the build's
# (scripts/build/credentials-zip.ts), so this stack needs no archive provider.
resource "aws_lambda_layer_version" "gcp_credentials" {
  count = var.gcp_credentials_zip == "" ? 0 : 1

  layer_name               = "${var.prefix}-gcp-credentials"
  filename                 = var.gcp_credentials_zip
  source_code_hash         = filebase64sha256(var.gcp_credentials_zip)
  compatible_runtimes      = ["nodejs22.x"]
  compatible_architectures = ["arm64"]
}

locals {
  # Sync reads only the stores' settings (readStoreSettings): no Event Hubs or Pub/Sub variable. The Cosmos key
  # itself never enters the environment: only the name of the secret that holds it.
  sync_cross_cloud_env = merge(
    nonsensitive(var.azure_cosmos_key == "") ? {} : {
      TRICLOUD_COSMOS_KEY_SECRET_ARN = aws_secretsmanager_secret.sync_cross_cloud.arn
    },
    var.gcp_credentials_zip == "" ? {} : { GOOGLE_APPLICATION_CREDENTIALS = "/opt/gcp-credentials.json" },
  )
}

# The other clouds' sync functions read DynamoDB as roles they assume with their own identity: federation.tf.
