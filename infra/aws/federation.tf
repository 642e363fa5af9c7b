# The other clouds' sync functions read DynamoDB as roles they assume with their own platform's identity token
# (STS AssumeRoleWithWebIdentity): no AWS key exists, so there is none to store, leak, rotate, or to keep a user
# from being deleted on destroy. One role per cloud, each trusting exactly one identity and allowed exactly what the
# AWS sync role is on the aggregates table (the permissions the former IAM user tricloud-remote-sync had).
#
#   Google — the sync function asks its metadata server for an ID token with audience gcp_web_identity_audience.
#     Google is a provider IAM knows (accounts.google.com), so no OIDC provider is created. A service account's
#     token carries azp, so IAM reads azp as accounts.google.com:aud and the token's aud as
#     accounts.google.com:oaud; sub and azp are both the account's unique id (output TRICLOUD_GCP_SYNC_IDENTITY of
#     infra/gcp). All three are pinned.
#   Azure — the Function App's managed identity asks for a token for the resource api://AzureADTokenExchange (the
#     default of azure_token_audiences). Microsoft documents those tokens (they are what a managed identity presents
#     as a federated credential) with issuer https://login.microsoftonline.com/<tenant>/v2.0 and sub = the
#     identity's object id (outputs TRICLOUD_AZURE_TENANT_ID and TRICLOUD_AZURE_SYNC_IDENTITY of infra/azure). An
#     IAM OIDC provider trusts that issuer for those audiences; the role pins aud and sub. Should a token differ,
#     sync's error lists its iss, aud and sub. The thumbprint is left out: IAM verifies the issuer's
#     certificate against its trusted CAs (aws provider 5.81 and later make thumbprint_list optional).
#
# The identities exist only after infra/gcp and infra/azure are applied, so each role is created once its identity
# is given (see README, Deploying: "Credentials between clouds").

# The identities trusted: outputs of infra/gcp and infra/azure.

variable "gcp_sync_service_account_id" {
  description = "Unique id (numeric) of GCP's sync service account (output TRICLOUD_GCP_SYNC_IDENTITY of infra/gcp); the role <prefix>-gcp-sync trusts its Google ID tokens. Empty: no role for GCP."
  type        = string
  default     = ""
}

variable "gcp_web_identity_audience" {
  description = "Audience GCP's sync asks Google's ID tokens for (TRICLOUD_AWS_WEB_IDENTITY_AUDIENCE; infra/gcp's aws_web_identity_audience)."
  type        = string
  default     = "sts.amazonaws.com"
}

variable "azure_tenant_id" {
  description = "Entra ID tenant of Azure's Function App identity (output TRICLOUD_AZURE_TENANT_ID of infra/azure): the issuer the IAM OIDC provider trusts. Empty: no role for Azure."
  type        = string
  default     = ""
}

variable "azure_sync_principal_id" {
  description = "Object (principal) id of the Function App's managed identity (output TRICLOUD_AZURE_SYNC_IDENTITY of infra/azure); the role <prefix>-azure-sync trusts its tokens. Empty: no role for Azure."
  type        = string
  default     = ""
}

variable "azure_token_audiences" {
  description = "Audiences (aud) of the managed identity's tokens the OIDC provider and the role accept: the resource infra/azure's aws_web_identity_audience asks for. If STS refuses with 'Incorrect token audience', the sync's error names the token's aud: add it here."
  type        = list(string)
  default     = ["api://AzureADTokenExchange"]
}

locals {
  gcp_federated   = var.gcp_sync_service_account_id != ""
  azure_federated = var.azure_sync_principal_id != "" && var.azure_tenant_id != ""
  # The issuer as IAM names it in condition keys: the provider URL without its scheme.
  entra_issuer = "login.microsoftonline.com/${var.azure_tenant_id}/v2.0"
}

data "aws_iam_policy_document" "federated_sync" {
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

data "aws_iam_policy_document" "gcp_sync_trust" {
  count = local.gcp_federated ? 1 : 0

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["accounts.google.com"]
    }

    # The token's azp: the service account that asked for it.
    condition {
      test     = "StringEquals"
      variable = "accounts.google.com:aud"
      values   = [var.gcp_sync_service_account_id]
    }

    condition {
      test     = "StringEquals"
      variable = "accounts.google.com:sub"
      values   = [var.gcp_sync_service_account_id]
    }

    # The token's aud: minted for AWS STS, not for some other service that accepts Google ID tokens.
    condition {
      test     = "StringEquals"
      variable = "accounts.google.com:oaud"
      values   = [var.gcp_web_identity_audience]
    }
  }
}

resource "aws_iam_role" "gcp_sync" {
  count = local.gcp_federated ? 1 : 0

  name               = "${var.prefix}-gcp-sync"
  description        = "GCP's sync function, by its service account's Google ID token: reads and writes the aggregates table."
  assume_role_policy = data.aws_iam_policy_document.gcp_sync_trust[0].json
}

resource "aws_iam_role_policy" "gcp_sync" {
  count = local.gcp_federated ? 1 : 0

  name   = "${var.prefix}-gcp-sync"
  role   = aws_iam_role.gcp_sync[0].id
  policy = data.aws_iam_policy_document.federated_sync.json
}

resource "aws_iam_openid_connect_provider" "entra" {
  count = local.azure_federated ? 1 : 0

  url            = "https://${local.entra_issuer}"
  client_id_list = var.azure_token_audiences
}

data "aws_iam_policy_document" "azure_sync_trust" {
  count = local.azure_federated ? 1 : 0

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.entra[0].arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.entra_issuer}:aud"
      values   = var.azure_token_audiences
    }

    # The Function App's managed identity, by its object id: no other identity of the tenant.
    condition {
      test     = "StringEquals"
      variable = "${local.entra_issuer}:sub"
      values   = [var.azure_sync_principal_id]
    }
  }
}

resource "aws_iam_role" "azure_sync" {
  count = local.azure_federated ? 1 : 0

  name               = "${var.prefix}-azure-sync"
  description        = "Azure's sync function, by its managed identity's Entra ID token: reads and writes the aggregates table."
  assume_role_policy = data.aws_iam_policy_document.azure_sync_trust[0].json
}

resource "aws_iam_role_policy" "azure_sync" {
  count = local.azure_federated ? 1 : 0

  name   = "${var.prefix}-azure-sync"
  role   = aws_iam_role.azure_sync[0].id
  policy = data.aws_iam_policy_document.federated_sync.json
}

# For infra/gcp and infra/azure (variable aws_federated_role_arn): the role each one's sync assumes. Null until
# the identity is given.
output "TRICLOUD_AWS_GCP_SYNC_ROLE_ARN" {
  value = one(aws_iam_role.gcp_sync[*].arn)
}

output "TRICLOUD_AWS_AZURE_SYNC_ROLE_ARN" {
  value = one(aws_iam_role.azure_sync[*].arn)
}
