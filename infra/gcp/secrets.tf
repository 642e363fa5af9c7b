# Cross-cloud access of the sync functions.
#
# GCP sync reads Azure with a secret kept in Secret Manager (replicated in var.region only) and injected as an
# environment variable by the platform (secret_environment_variables), so the code reads it as any other variable:
# COSMOS_KEY of the Cosmos DB account. Only the sync service account may read it. AWS needs no secret: sync assumes
# an AWS role with its own identity token (federation.tf).
#
# AWS sync reads Firestore without a secret: workload identity federation (below) lets the AWS sync role
# impersonate a service account that holds the sync role on the database.

locals {
  sync_secret_names = nonsensitive(toset([for name, value in var.sync_secrets : name if value != ""]))
}

resource "google_secret_manager_secret" "sync" {
  for_each = local.sync_secret_names

  secret_id = "${var.prefix}-sync-${lower(replace(each.value, "_", "-"))}"

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_version" "sync" {
  for_each = local.sync_secret_names

  secret      = google_secret_manager_secret.sync[each.key].id
  secret_data = var.sync_secrets[each.key]
}

resource "google_secret_manager_secret_iam_member" "sync" {
  for_each = local.sync_secret_names

  secret_id = google_secret_manager_secret.sync[each.key].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.sync.member
}

# Workload identity federation for the AWS sync function.

# Google keeps a deleted workload identity pool's id for 30 days, so a fixed id would make apply after destroy fail
# with "already exists"; each stack takes a suffix of its own, new after a destroy. The pools' names reach the other
# clouds through outputs, so nothing else has to know it.
resource "random_id" "identity_pools" {
  byte_length = 3
}

resource "google_iam_workload_identity_pool" "aws" {
  count = var.aws_account_id == "" ? 0 : 1

  workload_identity_pool_id = "${var.prefix}-aws-${random_id.identity_pools.hex}"
  display_name              = "tricloud AWS sync"

  depends_on = [google_project_service.apis]
}

resource "google_iam_workload_identity_pool_provider" "aws" {
  count = var.aws_account_id == "" ? 0 : 1

  workload_identity_pool_id          = google_iam_workload_identity_pool.aws[0].workload_identity_pool_id
  workload_identity_pool_provider_id = "aws-${var.aws_account_id}"
  attribute_mapping = {
    "google.subject"     = "assertion.arn"
    "attribute.aws_role" = "assertion.arn.contains('assumed-role') ? assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/') : assertion.arn"
  }
  # Only the sync role of that account may federate.
  attribute_condition = "attribute.aws_role == 'arn:aws:sts::${var.aws_account_id}:assumed-role/${var.aws_sync_role_name}'"

  aws {
    account_id = var.aws_account_id
  }
}

resource "google_service_account" "aws_sync" {
  count = var.aws_account_id == "" ? 0 : 1

  account_id   = "${var.prefix}-aws-sync"
  display_name = "tricloud AWS sync function (federated)"
}

resource "google_service_account_iam_member" "aws_sync_federation" {
  count = var.aws_account_id == "" ? 0 : 1

  service_account_id = google_service_account.aws_sync[0].name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.aws[0].name}/attribute.aws_role/arn:aws:sts::${var.aws_account_id}:assumed-role/${var.aws_sync_role_name}"
}

locals {
  # The credential configuration file of an AWS workload (`gcloud iam workload-identity-pools create-cred-config
  # --aws` writes the same): no secret, the Lambda signs a GetCallerIdentity request with its own role.
  aws_sync_credential_config = var.aws_account_id == "" ? "" : jsonencode({
    type                              = "external_account"
    audience                          = "//iam.googleapis.com/${google_iam_workload_identity_pool_provider.aws[0].name}"
    subject_token_type                = "urn:ietf:params:aws:token-type:aws4_request"
    token_url                         = "https://sts.googleapis.com/v1/token"
    service_account_impersonation_url = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${google_service_account.aws_sync[0].email}:generateAccessToken"
    credential_source = {
      environment_id                 = "aws1"
      region_url                     = "http://169.254.169.254/latest/meta-data/placement/availability-zone"
      url                            = "http://169.254.169.254/latest/meta-data/iam/security-credentials"
      regional_cred_verification_url = "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"
    }
  })
}
