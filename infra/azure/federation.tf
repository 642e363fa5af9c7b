# Azure's sync reads DynamoDB as an AWS role it assumes with its own identity (no AWS key): the Function App's
# system-assigned managed identity gets an Entra ID token for the resource aws_web_identity_audience from the
# endpoint the Functions host serves (IDENTITY_ENDPOINT, IDENTITY_HEADER), and STS AssumeRoleWithWebIdentity
# trades it for the role's credentials (shared/clouds/aws/web-identity-credentials.ts). infra/aws creates an IAM
# OIDC provider for this tenant's issuer and the role, trusting this identity's object id (outputs below), and
# outputs the role's ARN, which this stack takes as aws_federated_role_arn.
# Order: apply this stack, then infra/aws, then this stack again (README, Deploying).

variable "aws_federated_role_arn" {
  description = "ARN of the AWS role Azure's sync assumes to read DynamoDB (output TRICLOUD_AWS_AZURE_SYNC_ROLE_ARN of infra/aws). Empty: sync cannot read DynamoDB until infra/aws trusts this app's identity."
  type        = string
  default     = ""
}

variable "aws_web_identity_audience" {
  description = "Resource the managed identity asks Entra ID a token for, which becomes its audience: api://AzureADTokenExchange (in every tenant, meant for token exchange), or an application ID URI of your own. infra/aws's azure_token_audiences must accept it."
  type        = string
  default     = "api://AzureADTokenExchange"
}

locals {
  # What the sync function reads (shared/config/environment/aws-web-identity.ts); none until the role exists.
  aws_web_identity = {
    TRICLOUD_AWS_ROLE_ARN              = var.aws_federated_role_arn
    TRICLOUD_AWS_WEB_IDENTITY          = "azure-managed-identity"
    TRICLOUD_AWS_WEB_IDENTITY_AUDIENCE = var.aws_web_identity_audience
  }
  aws_web_identity_env = var.aws_federated_role_arn == "" ? {} : local.aws_web_identity
}

# For infra/aws (variables azure_sync_principal_id, azure_tenant_id): the identity its role for Azure's sync trusts
# (sub of the identity's tokens) and the tenant whose issuer its OIDC provider trusts.
output "TRICLOUD_AZURE_SYNC_IDENTITY" {
  value = azurerm_function_app_flex_consumption.main.identity[0].principal_id
}

output "TRICLOUD_AZURE_TENANT_ID" {
  value = azurerm_function_app_flex_consumption.main.identity[0].tenant_id
}

# Firestore the same way, with no key, once infra/gcp trusts this identity: the app builds a workload identity
# federation credential at run time from these settings and its managed identity endpoint
# (shared/config/environment/gcp-web-identity.ts), and acts as infra/gcp's azure-sync service account.

variable "gcp_workload_identity_provider" {
  description = "Workload identity pool provider that trusts this app's identity (output TRICLOUD_GCP_AZURE_SYNC_PROVIDER of infra/gcp). Empty: sync reads Firestore with gcp_credentials_json, a key, if given."
  type        = string
  default     = ""
}

variable "gcp_service_account" {
  description = "Service account sync acts as in Google Cloud (output TRICLOUD_GCP_AZURE_SYNC_SERVICE_ACCOUNT of infra/gcp)."
  type        = string
  default     = ""
}

variable "gcp_web_identity_audience" {
  description = "Resource the managed identity asks Entra ID a token for Google's STS; infra/gcp's azure_token_audience must be the same."
  type        = string
  default     = "api://AzureADTokenExchange"
}

locals {
  # What the sync function reads (shared/config/environment/gcp-web-identity.ts); none until the provider exists.
  gcp_web_identity = {
    TRICLOUD_GCP_WEB_IDENTITY               = "azure-managed-identity"
    TRICLOUD_GCP_WORKLOAD_IDENTITY_PROVIDER = var.gcp_workload_identity_provider
    TRICLOUD_GCP_SERVICE_ACCOUNT            = var.gcp_service_account
    TRICLOUD_GCP_WEB_IDENTITY_AUDIENCE      = var.gcp_web_identity_audience
  }
  gcp_web_identity_env = var.gcp_workload_identity_provider == "" ? {} : local.gcp_web_identity
}
