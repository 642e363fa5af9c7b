# Records topic; a push subscription that delivers each message to the ingest function with dead-lettering after
# max_delivery_attempts; the dead-letter topic and a pull subscription to inspect it; the sync tick topic.
#
# Why a push subscription and not the function's own Eventarc trigger: Eventarc creates and owns its Pub/Sub
# subscription, which Terraform cannot give a dead-letter policy. Our subscription pushes to the function's HTTPS
# endpoint with an OIDC token; the Functions Framework turns the push body into the same messagePublished
# CloudEvent the function expects (the path names the topic, which it reads from there).

resource "google_pubsub_topic" "records" {
  name       = var.topic_name
  depends_on = [google_project_service.apis]
}

resource "google_pubsub_topic" "dead_letters" {
  name       = var.dead_letter_topic_name
  depends_on = [google_project_service.apis]
}

resource "google_pubsub_topic" "sync_tick" {
  name       = var.sync_topic_name
  depends_on = [google_project_service.apis]
}

resource "google_pubsub_subscription" "ingest" {
  name                 = var.subscription_name
  topic                = google_pubsub_topic.records.id
  ack_deadline_seconds = 60

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.ingest.service_config[0].uri}/projects/${var.project_id}/topics/${var.topic_name}"

    oidc_token {
      service_account_email = google_service_account.ingest_invoker.email
      audience              = google_cloudfunctions2_function.ingest.service_config[0].uri
    }
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letters.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  expiration_policy {
    ttl = ""
  }

  # Pushing starts as soon as the subscription exists, and every refused push counts towards
  # max_delivery_attempts: created before Pub/Sub may mint the invoker's token, before the invoker may call the
  # function, or before the function may write Firestore, the first records would be dead-lettered for nothing.
  # (IAM still takes up to minutes to propagate; the retry policy's backoff covers that, not a missing grant.)
  depends_on = [
    google_service_account_iam_member.pubsub_token_creator,
    google_cloud_run_service_iam_member.ingest_invoker,
    google_project_iam_member.firestore,
  ]
}

resource "google_pubsub_subscription" "dead_letters" {
  name                       = var.dead_letter_subscription_name
  topic                      = google_pubsub_topic.dead_letters.id
  message_retention_duration = "604800s"

  expiration_policy {
    ttl = ""
  }
}

# Dead-lettering is done by the Pub/Sub service agent: it must publish to the dead-letter topic and acknowledge
# on the subscription it forwards from.
locals {
  pubsub_service_agent = "serviceAccount:service-${data.google_project.current.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  topic  = google_pubsub_topic.dead_letters.id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  subscription = google_pubsub_subscription.ingest.id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

# Cloud Scheduler publishes a tick; the sync function's Eventarc trigger (functions.tf) runs it.
resource "google_cloud_scheduler_job" "sync" {
  name      = "${var.prefix}-sync"
  region    = var.region
  schedule  = var.sync_schedule
  time_zone = "Etc/UTC"

  pubsub_target {
    topic_name = google_pubsub_topic.sync_tick.id
    data       = base64encode("tick")
  }

  # Ticks start with the job: the trigger must be there (the function), and allowed to invoke sync with a token
  # Pub/Sub mints, and sync allowed to read and write Firestore, or the first runs fail.
  depends_on = [
    google_project_service.apis,
    google_cloudfunctions2_function.sync,
    google_cloud_run_service_iam_member.sync_trigger,
    google_service_account_iam_member.pubsub_token_creator,
    google_project_iam_member.firestore,
  ]
}
