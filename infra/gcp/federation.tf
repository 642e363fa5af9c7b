# GCP's sync reads DynamoDB as an AWS role it assumes with its own identity (no AWS key): the function asks the
# metadata server for a Google-signed ID token of its service account (google_service_account.sync) with audience
# aws_web_identity_audience, and STS AssumeRoleWithWebIdentity trades it for the role's credentials
# (shared/clouds/aws/web-identity-credentials.ts). infra/aws creates the role, trusting this account's unique id
# (output TRICLOUD_GCP_SYNC_IDENTITY below), and outputs its ARN, which this stack takes as aws_federated_role_arn.
# Order: apply this stack, then infra/aws, then this stack again (README, Deploying).

variable "aws_federated_role_arn" {
  description = "ARN of the AWS role GCP's sync assumes to read DynamoDB (output TRICLOUD_AWS_GCP_SYNC_ROLE_ARN of infra/aws). Empty: sync cannot read DynamoDB until infra/aws trusts this stack's sync service account."
  type        = string
  default     = ""
}

variable "aws_web_identity_audience" {
  description = "Audience of the ID token sync trades with AWS STS; infra/aws's gcp_web_identity_audience must be the same."
  type        = string
  default     = "sts.amazonaws.com"
}

locals {
  # What the sync function reads (shared/config/environment/aws-web-identity.ts); none until the role exists.
  aws_web_identity = {
    TRICLOUD_AWS_ROLE_ARN              = var.aws_federated_role_arn
    TRICLOUD_AWS_WEB_IDENTITY          = "gcp-metadata"
    TRICLOUD_AWS_WEB_IDENTITY_AUDIENCE = var.aws_web_identity_audience
  }
  aws_web_identity_env = var.aws_federated_role_arn == "" ? {} : local.aws_web_identity
}

# For infra/aws (variable gcp_sync_service_account_id): the identity its role for GCP's sync trusts (sub and azp of
# the service account's ID tokens).
output "TRICLOUD_GCP_SYNC_IDENTITY" {
  value = google_service_account.sync.unique_id
}

# Azure's sync reads Firestore the same way, with no key: workload identity federation trusts the Function App's
# managed identity. Its Entra ID token (issuer https://login.microsoftonline.com/<tenant>/v2.0, audience
# azure_token_audience, sub = the identity's object id: outputs TRICLOUD_AZURE_TENANT_ID and
# TRICLOUD_AZURE_SYNC_IDENTITY of infra/azure) is exchanged by Google's STS through this pool's provider, whose
# condition admits that one identity, for a token of the azure-sync service account (sync's Firestore permissions
# only). infra/azure gives the app the provider and the account (outputs below); the app builds the credential at
# run time (shared/config/environment/gcp-web-identity.ts). Until the identity is given, the key of azure-sync
# (TF_VAR_gcp_credentials_json of infra/azure) is the fallback.

variable "azure_tenant_id" {
  description = "Entra ID tenant of Azure's Function App identity (output TRICLOUD_AZURE_TENANT_ID of infra/azure): the issuer the workload identity pool provider trusts. Empty: no federation for Azure."
  type        = string
  default     = ""
}

variable "azure_sync_principal_id" {
  description = "Object (principal) id of the Function App's managed identity (output TRICLOUD_AZURE_SYNC_IDENTITY of infra/azure), the only subject the provider admits. Empty: no federation for Azure."
  type        = string
  default     = ""
}

variable "azure_token_audience" {
  description = "Audience of the managed identity's tokens the provider allows: the resource infra/azure's gcp_web_identity_audience asks for."
  type        = string
  default     = "api://AzureADTokenExchange"
}

locals {
  azure_federated = var.azure_tenant_id != "" && var.azure_sync_principal_id != ""
}

resource "google_iam_workload_identity_pool" "azure" {
  count = local.azure_federated ? 1 : 0

  workload_identity_pool_id = "${var.prefix}-azure-${random_id.identity_pools.hex}"
  display_name              = "tricloud Azure sync"

  depends_on = [google_project_service.apis]
}

resource "google_iam_workload_identity_pool_provider" "azure" {
  count = local.azure_federated ? 1 : 0

  workload_identity_pool_id          = google_iam_workload_identity_pool.azure[0].workload_identity_pool_id
  workload_identity_pool_provider_id = "entra"
  attribute_mapping = {
    "google.subject" = "assertion.sub"
  }
  # Only the Function App's identity, of all the tenant's.
  attribute_condition = "assertion.sub == '${var.azure_sync_principal_id}'"

  oidc {
    issuer_uri        = "https://login.microsoftonline.com/${var.azure_tenant_id}/v2.0"
    allowed_audiences = [var.azure_token_audience]
  }
}

resource "google_service_account_iam_member" "azure_sync_federation" {
  count = local.azure_federated ? 1 : 0

  service_account_id = google_service_account.azure_sync.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principal://iam.googleapis.com/${google_iam_workload_identity_pool.azure[0].name}/subject/${var.azure_sync_principal_id}"
}

# For infra/azure (variables gcp_workload_identity_provider, gcp_service_account): the provider its sync's token is
# exchanged through, null until the identity is given, and the account it acts as.
output "TRICLOUD_GCP_AZURE_SYNC_PROVIDER" {
  value = one(google_iam_workload_identity_pool_provider.azure[*].name)
}

output "TRICLOUD_GCP_AZURE_SYNC_SERVICE_ACCOUNT" {
  value = google_service_account.azure_sync.email
}
