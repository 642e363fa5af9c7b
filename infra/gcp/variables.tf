# Defaults of resource names equal infra/manifest.json (test/infra compares them), so the local stack and the
# cloud address the same names. The project has no default: the manifest's projectId names the emulators' project.

variable "project_id" {
  description = "Google Cloud project that holds every resource (GOOGLE_CLOUD_PROJECT)."
  type        = string
}

variable "prefix" {
  description = "Prefix of every resource name that the manifest does not fix (functions, service accounts)."
  type        = string
  default     = "tricloud"
}

variable "region" {
  description = "Region of the functions, the scheduler and the secrets."
  type        = string
  default     = "europe-west3"
}

variable "firestore_location" {
  description = "Location of the Firestore database (a region, or the multi-region eur3)."
  type        = string
  default     = "europe-west3"
}

variable "topic_name" {
  description = "Pub/Sub topic producers publish records to (TRICLOUD_PUBSUB_TOPIC)."
  type        = string
  default     = "tricloud-records"
}

variable "subscription_name" {
  description = "Push subscription that delivers records to the ingest function."
  type        = string
  default     = "tricloud-ingest"
}

variable "dead_letter_topic_name" {
  description = "Topic that receives records after max_delivery_attempts failed deliveries."
  type        = string
  default     = "tricloud-records-dlq"
}

variable "dead_letter_subscription_name" {
  description = "Pull subscription on the dead-letter topic, to inspect dead-lettered messages."
  type        = string
  default     = "tricloud-records-dlq-inspect"
}

variable "max_delivery_attempts" {
  description = "Deliveries of a message before Pub/Sub forwards it to the dead-letter topic (5 to 100)."
  type        = number
  default     = 5
}

variable "sync_topic_name" {
  description = "Topic Cloud Scheduler publishes sync ticks to; its Eventarc trigger runs the sync function."
  type        = string
  default     = "tricloud-sync-tick"
}

variable "aggregates_collection" {
  description = "Firestore collection of window documents."
  type        = string
  default     = "aggregates"
}

variable "dead_letters_collection" {
  description = "Firestore collection of dead-lettered records."
  type        = string
  default     = "deadLetters"
}

variable "sync_state_collection" {
  description = "Firestore collection of sync watermarks."
  type        = string
  default     = "syncState"
}

variable "functions_zip" {
  description = "Path of dist/gcp/functions.zip (tricloud deploy passes it)."
  type        = string
}

variable "sync_schedule" {
  description = "Cloud Scheduler cron expression (UTC) of the sync ticks."
  type        = string
  default     = "* * * * *"
}

variable "read_invokers" {
  description = "Members allowed to call the read function (e.g. serviceAccount:app@project.iam.gserviceaccount.com). Empty: nobody can, until one is added; it is never public."
  type        = list(string)
  default     = []
}

variable "read_max_instances" {
  description = "Most instances of the read function."
  type        = number
  default     = 10
}

variable "ingest_max_instances" {
  description = "Most instances of the ingest function."
  type        = number
  default     = 20
}

variable "deletion_protection" {
  description = "Protect the Firestore database from deletion (turn off before 'tricloud destroy')."
  type        = bool
  default     = true
}

variable "pipeline_settings" {
  description = "Pipeline and sync settings given to the functions (TRICLOUD_WINDOWS, TRICLOUD_MAX_LATENESS, TRICLOUD_INGEST_CONCURRENCY, TRICLOUD_SYNC_BUDGET, TRICLOUD_SYNC_OVERLAP, TRICLOUD_SYNC_PAGE_SIZE, TRICLOUD_LOG_LEVEL)."
  type        = map(string)
  default = {
    TRICLOUD_WINDOWS     = "1m"
    TRICLOUD_SYNC_BUDGET = "50s"
  }
}

# The other two clouds, as sync reads them: the outputs of infra/aws and infra/azure.

variable "aws_settings" {
  description = "AWS outputs of infra/aws that sync reads (AWS_REGION, TRICLOUD_DYNAMODB_*); others given are ignored."
  type        = map(string)
  default     = {}
}

variable "azure_settings" {
  description = "Non-secret Azure outputs of infra/azure that sync reads (COSMOS_ENDPOINT, TRICLOUD_COSMOS_*); others given are ignored."
  type        = map(string)
  default     = {}
}

variable "sync_secrets" {
  description = "Secrets the sync function reads other clouds with, by variable name: COSMOS_KEY (DynamoDB needs none: federation.tf). Kept in Secret Manager. Give them through TF_VAR_sync_secrets, never in a file."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "aws_account_id" {
  description = "AWS account whose sync role may read Firestore through workload identity federation; empty: no federation."
  type        = string
  default     = ""
}

variable "aws_sync_role_name" {
  description = "Name of the AWS sync function's role (infra/aws creates '<prefix>-sync')."
  type        = string
  default     = "tricloud-sync"
}

# Alert policies (monitoring.tf). Both lists empty, the default: incidents open in Cloud Monitoring and nobody is
# notified.

variable "notification_channels" {
  description = "Cloud Monitoring notification channels every alert policy notifies (ids: projects/<project>/notificationChannels/<id>; Slack, PagerDuty, SMS, … channels made in the console). Empty, with alert_emails empty: nobody is notified."
  type        = list(string)
  default     = []
}

variable "alert_emails" {
  description = "Addresses this stack makes an email notification channel for, notified by every alert policy. Empty, with notification_channels empty: nobody is notified."
  type        = list(string)
  default     = []
}

variable "sync_lag_threshold_seconds" {
  description = "Alert when a sync run applies a source's change older than this (the lag per source of the sync metric line)."
  type        = number
  default     = 300
}

variable "sync_absent_minutes" {
  description = "Alert when the sync function has had no request for this many minutes; keep it above the schedule's interval."
  type        = number
  default     = 10

  validation {
    condition     = var.sync_absent_minutes >= 2 && var.sync_absent_minutes <= 1440
    error_message = "sync_absent_minutes must be between 2 and 1440 (a day)."
  }
}
