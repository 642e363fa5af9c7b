# The read function (functions/gcp/read.ts, entry point `read`): GET /windows?series=…&window=…&from=…&to=… from
# Firestore's (seriesWindow, start) index. An HTTP Cloud Function (2nd gen) that requires IAM: only the members
# of var.read_invokers get the invoker role — never allUsers — and its own identity may only get and list
# Firestore entities of this database.

resource "google_service_account" "read" {
  account_id   = "${var.prefix}-read"
  display_name = "tricloud read function"
}

resource "google_project_iam_custom_role" "read" {
  role_id     = "${var.prefix}ReadFirestore"
  title       = "tricloud read: window documents, read-only"
  permissions = ["datastore.entities.get", "datastore.entities.list"]
}

resource "google_cloudfunctions2_function" "read" {
  name     = "${var.prefix}-read"
  location = var.region

  build_config {
    runtime     = "nodejs22"
    entry_point = "read"

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.functions.name
      }
    }
  }

  service_config {
    available_memory               = "256M"
    timeout_seconds                = 10
    max_instance_count             = var.read_max_instances
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.read.email
    environment_variables          = merge(local.runtime_env, local.gcp_env)
  }

  depends_on = [google_project_service.apis]
}

# Authentication required: a 2nd-gen function is a Cloud Run service, and only these members may invoke it.
resource "google_cloud_run_service_iam_member" "read_invokers" {
  for_each = toset(var.read_invokers)

  location = var.region
  service  = google_cloudfunctions2_function.read.service_config[0].service
  role     = "roles/run.invoker"
  member   = each.value
}

output "TRICLOUD_READ_URL_GCP" {
  value = google_cloudfunctions2_function.read.service_config[0].uri
}
