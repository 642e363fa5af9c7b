# One service account per function, plus one per invoker:
#   ingest         — reads and writes window documents, writes dead letters (entities get/create/update);
#   sync           — reads, lists and writes window documents and watermarks, reads its secrets;
#   ingest-invoker — the identity the push subscription signs its OIDC token with; may invoke ingest only;
#   sync-trigger   — the identity of the Eventarc trigger; may invoke sync only;
#   azure-sync     — the Azure sync function's, by workload identity federation (federation.tf): sync's Firestore
#                    permissions only.
# Firestore IAM stops at the database, so the custom roles name the exact permissions and the bindings are
# conditioned on the (default) database.

resource "google_service_account" "ingest" {
  account_id   = "${var.prefix}-ingest"
  display_name = "tricloud ingest function"
}

resource "google_service_account" "sync" {
  account_id   = "${var.prefix}-sync"
  display_name = "tricloud sync function"
}

resource "google_service_account" "ingest_invoker" {
  account_id   = "${var.prefix}-ingest-invoker"
  display_name = "tricloud ingest push subscription"
}

resource "google_service_account" "sync_trigger" {
  account_id   = "${var.prefix}-sync-trigger"
  display_name = "tricloud sync Eventarc trigger"
}

# Azure's sync reads Firestore as this account, which the Function App's managed identity may impersonate once
# infra/azure's identity is given (federation.tf): no key. Until then, or instead, a key: Terraform creates none (it
# would sit in the state); create one with `gcloud iam service-accounts keys create key.json --iam-account
# <azure_sync_service_account output>` and give its content to infra/azure (TF_VAR_gcp_credentials_json; see README,
# Credentials between clouds).
resource "google_service_account" "azure_sync" {
  account_id   = "${var.prefix}-azure-sync"
  display_name = "tricloud Azure sync function"
}

resource "google_project_iam_custom_role" "ingest" {
  role_id     = "${var.prefix}IngestFirestore"
  title       = "tricloud ingest: window documents and dead letters"
  permissions = ["datastore.entities.create", "datastore.entities.get", "datastore.entities.update"]
}

resource "google_project_iam_custom_role" "sync" {
  role_id     = "${var.prefix}SyncFirestore"
  title       = "tricloud sync: window documents and watermarks"
  permissions = ["datastore.entities.create", "datastore.entities.get", "datastore.entities.list", "datastore.entities.update"]
}

locals {
  firestore_condition = "resource.name == \"projects/${var.project_id}/databases/${google_firestore_database.default.name}\""

  firestore_bindings = merge(
    {
      ingest     = { role = google_project_iam_custom_role.ingest.name, member = google_service_account.ingest.member }
      sync       = { role = google_project_iam_custom_role.sync.name, member = google_service_account.sync.member }
      azure_sync = { role = google_project_iam_custom_role.sync.name, member = google_service_account.azure_sync.member }
      read       = { role = google_project_iam_custom_role.read.name, member = google_service_account.read.member }
    },
    var.aws_account_id == "" ? {} : {
      aws_sync = { role = google_project_iam_custom_role.sync.name, member = google_service_account.aws_sync[0].member }
    },
  )
}

resource "google_project_iam_member" "firestore" {
  for_each = local.firestore_bindings

  project = var.project_id
  role    = each.value.role
  member  = each.value.member

  condition {
    title      = "${var.prefix}-firestore-database"
    expression = local.firestore_condition
  }
}

resource "google_cloud_run_service_iam_member" "ingest_invoker" {
  location = var.region
  service  = google_cloudfunctions2_function.ingest.name
  role     = "roles/run.invoker"
  member   = google_service_account.ingest_invoker.member
}

resource "google_cloud_run_service_iam_member" "sync_trigger" {
  location = var.region
  service  = google_cloudfunctions2_function.sync.name
  role     = "roles/run.invoker"
  member   = google_service_account.sync_trigger.member
}

# Pub/Sub mints the OIDC tokens of the push subscription (as ingest-invoker) and of the Eventarc trigger's
# subscription (as sync-trigger); projects created before April 2021 do not grant this by default.
resource "google_service_account_iam_member" "pubsub_token_creator" {
  for_each = {
    ingest_invoker = google_service_account.ingest_invoker.name
    sync_trigger   = google_service_account.sync_trigger.name
  }

  service_account_id = each.value
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}
