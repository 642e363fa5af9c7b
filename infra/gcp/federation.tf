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
