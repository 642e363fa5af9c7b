# The two Cloud Functions (2nd gen) from one source zip (dist/gcp/functions.zip, entry points `ingest` and
# `sync`). Their environment is the env contract of shared/config/local-env.ts plus the pipeline settings; sync's
# secrets come from Secret Manager (secrets.tf). Ingress is internal: Pub/Sub push and Eventarc are internal
# sources of the project.

locals {
  gcp_env = {
    GOOGLE_CLOUD_PROJECT                       = var.project_id
    TRICLOUD_PUBSUB_TOPIC                      = google_pubsub_topic.records.name
    TRICLOUD_PUBSUB_SUBSCRIPTION               = var.subscription_name
    TRICLOUD_PUBSUB_DEAD_LETTER_TOPIC          = google_pubsub_topic.dead_letters.name
    TRICLOUD_PUBSUB_DEAD_LETTER_SUBSCRIPTION   = google_pubsub_subscription.dead_letters.name
    TRICLOUD_PUBSUB_SYNC_TOPIC                 = google_pubsub_topic.sync_tick.name
    TRICLOUD_FIRESTORE_AGGREGATES_COLLECTION   = var.aggregates_collection
    TRICLOUD_FIRESTORE_DEAD_LETTERS_COLLECTION = var.dead_letters_collection
    TRICLOUD_FIRESTORE_SYNC_STATE_COLLECTION   = var.sync_state_collection
  }
  runtime_env = {
    NODE_OPTIONS = "--enable-source-maps"
  }
}

resource "google_storage_bucket" "sources" {
  name                        = "${var.project_id}-${var.prefix}-function-sources"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
}

resource "google_storage_bucket_object" "functions" {
  # Named by content, so a new build makes the functions redeploy.
  name   = "functions-${filemd5(var.functions_zip)}.zip"
  bucket = google_storage_bucket.sources.name
  source = var.functions_zip
}

resource "google_cloudfunctions2_function" "ingest" {
  name     = "${var.prefix}-ingest"
  location = var.region

  build_config {
    runtime     = "nodejs22"
    entry_point = "ingest"

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.functions.name
      }
    }
  }

  service_config {
    available_memory               = "512M"
    timeout_seconds                = 60
    max_instance_count             = var.ingest_max_instances
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.ingest.email
    environment_variables          = merge(var.pipeline_settings, local.runtime_env, local.gcp_env)
  }

  depends_on = [google_project_service.apis]
}

resource "google_cloudfunctions2_function" "sync" {
  name     = "${var.prefix}-sync"
  location = var.region

  build_config {
    runtime     = "nodejs22"
    entry_point = "sync"

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.functions.name
      }
    }
  }

  service_config {
    available_memory               = "512M"
    timeout_seconds                = 60
    max_instance_count             = 1
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.sync.email
    # Sync reads only the stores' settings (readStoreSettings): it gets no Event Hubs secret. It reaches DynamoDB
    # as the AWS role of federation.tf, with its own identity token.
    environment_variables = merge(
      var.pipeline_settings,
      local.runtime_env,
      local.gcp_env,
      var.aws_settings,
      var.azure_settings,
      local.aws_web_identity_env,
    )

    dynamic "secret_environment_variables" {
      for_each = google_secret_manager_secret.sync

      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = secret_environment_variables.value.secret_id
        version    = "latest"
      }
    }
  }

  # A missed tick needs no retry: the next run reads from the watermark.
  event_trigger {
    trigger_region        = var.region
    event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
    pubsub_topic          = google_pubsub_topic.sync_tick.id
    retry_policy          = "RETRY_POLICY_DO_NOT_RETRY"
    service_account_email = google_service_account.sync_trigger.email
  }

  # Cloud Run refuses a revision whose service account may not read the secrets it names, so the grants (and the
  # versions they point at) come first.
  depends_on = [
    google_project_service.apis,
    google_secret_manager_secret_version.sync,
    google_secret_manager_secret_iam_member.sync,
  ]
}
