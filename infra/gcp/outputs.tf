# Named after the env contract (shared/config/local-env.ts envNames): write them into an env file
# (`tricloud deploy --cloud gcp --env-file cloud.env` does) for `tricloud sync/export/verify --env-file`.

output "GOOGLE_CLOUD_PROJECT" {
  value = var.project_id
}

output "TRICLOUD_PUBSUB_TOPIC" {
  value = google_pubsub_topic.records.name
}

output "TRICLOUD_PUBSUB_SUBSCRIPTION" {
  value = google_pubsub_subscription.ingest.name
}

output "TRICLOUD_PUBSUB_DEAD_LETTER_TOPIC" {
  value = google_pubsub_topic.dead_letters.name
}

output "TRICLOUD_PUBSUB_DEAD_LETTER_SUBSCRIPTION" {
  value = google_pubsub_subscription.dead_letters.name
}

output "TRICLOUD_PUBSUB_SYNC_TOPIC" {
  value = google_pubsub_topic.sync_tick.name
}

output "TRICLOUD_FIRESTORE_AGGREGATES_COLLECTION" {
  value = var.aggregates_collection
}

output "TRICLOUD_FIRESTORE_DEAD_LETTERS_COLLECTION" {
  value = var.dead_letters_collection
}

output "TRICLOUD_FIRESTORE_SYNC_STATE_COLLECTION" {
  value = var.sync_state_collection
}

# For a key whose JSON infra/azure takes (variable gcp_credentials_json): how Azure's sync reaches Firestore.
output "azure_sync_service_account" {
  value = google_service_account.azure_sync.email
}

# For infra/aws (variable gcp_credential_config): how the AWS sync role reaches Firestore. Holds no secret.
output "aws_sync_credential_config" {
  value = local.aws_sync_credential_config
}
