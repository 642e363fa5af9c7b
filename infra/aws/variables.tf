# Defaults of resource names equal infra/manifest.json (test/infra compares them), so the local stack and the
# cloud address the same names.

variable "prefix" {
  description = "Prefix of every resource name that the manifest does not fix (functions, roles, keys)."
  type        = string
  default     = "tricloud"
}

variable "region" {
  description = "AWS region of every resource."
  type        = string
  default     = "eu-central-1"
}

variable "queue_name" {
  description = "SQS queue producers send records to (TRICLOUD_SQS_QUEUE_URL)."
  type        = string
  default     = "tricloud-records"
}

variable "dead_letter_queue_name" {
  description = "SQS dead-letter queue of the records queue."
  type        = string
  default     = "tricloud-records-dlq"
}

variable "max_receive_count" {
  description = "Receives of a message before SQS moves it to the dead-letter queue."
  type        = number
  default     = 5
}

variable "aggregates_table_name" {
  description = "DynamoDB table of window documents and sync watermarks."
  type        = string
  default     = "tricloud-aggregates"
}

variable "changes_index_name" {
  description = "GSI of the aggregates table that sync queries for changes (hash shard N, range changeKey S)."
  type        = string
  default     = "byUpdatedAt"
}

variable "windows_index_name" {
  description = "GSI of the aggregates table that readers query for a series' windows (hash seriesWindow S, range start N)."
  type        = string
  default     = "bySeriesWindow"
}

variable "dead_letters_table_name" {
  description = "DynamoDB table of dead-lettered records."
  type        = string
  default     = "tricloud-dead-letters"
}

variable "ingest_zip" {
  description = "Path of dist/aws/ingest.zip (tricloud deploy passes it)."
  type        = string
}

variable "sync_zip" {
  description = "Path of dist/aws/sync.zip (tricloud deploy passes it)."
  type        = string
}

variable "read_zip" {
  description = "Path of dist/aws/read.zip (tricloud deploy passes it)."
  type        = string
}

variable "ingest_batch_size" {
  description = "Most messages per ingest invocation."
  type        = number
  default     = 100
}

variable "ingest_timeout_seconds" {
  description = "Timeout of the ingest function. The records queue's visibility timeout is 6 times this plus the batching window (queues.tf)."
  type        = number
  default     = 30

  validation {
    condition     = var.ingest_timeout_seconds >= 1 && var.ingest_timeout_seconds <= 900
    error_message = "ingest_timeout_seconds must be between 1 and 900 (Lambda's limit)."
  }
}

variable "ingest_batching_window_seconds" {
  description = "How long the event source mapping gathers messages before invoking ingest."
  type        = number
  default     = 5

  validation {
    condition     = var.ingest_batching_window_seconds >= 0 && var.ingest_batching_window_seconds <= 300
    error_message = "ingest_batching_window_seconds must be between 0 and 300 (the event source mapping's limit)."
  }
}

variable "ingest_max_concurrency" {
  description = "Most concurrent ingest invocations the queue drives (2 to 1000)."
  type        = number
  default     = 20
}

variable "sync_schedule" {
  description = "EventBridge Scheduler expression of the sync function."
  type        = string
  default     = "rate(1 minute)"
}

variable "log_retention_days" {
  description = "Retention of the functions' CloudWatch log groups."
  type        = number
  default     = 30
}

# Alarms (monitoring.tf). Both lists empty, the default: the alarms change state in CloudWatch and notify nobody.

variable "alarm_actions" {
  description = "ARNs notified when an alarm fires and when it clears (SNS topics, e.g. one your paging tool subscribes to). Empty, with alarm_emails empty: nobody is notified."
  type        = list(string)
  default     = []
}

variable "alarm_emails" {
  description = "Addresses subscribed (through an SNS topic this stack creates) to every alarm; each must confirm the subscription AWS mails it. Empty, with alarm_actions empty: nobody is notified."
  type        = list(string)
  default     = []
}

variable "sync_lag_threshold_seconds" {
  description = "Alarm when a sync run applies a source's change older than this (the lag per source of the sync metric line)."
  type        = number
  default     = 300
}

variable "sync_absent_minutes" {
  description = "Alarm when no sync run has logged its line for this many minutes; keep it above the schedule's interval."
  type        = number
  default     = 10

  validation {
    condition     = var.sync_absent_minutes >= 2 && var.sync_absent_minutes <= 1440
    error_message = "sync_absent_minutes must be between 2 and 1440 (a day of one-minute periods)."
  }
}

variable "deletion_protection" {
  description = "Protect the DynamoDB tables from deletion (turn off before 'tricloud destroy')."
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

# The other two clouds, as sync reads them: the outputs of infra/gcp and infra/azure.

variable "gcp_settings" {
  description = "Google Cloud outputs of infra/gcp that sync reads (GOOGLE_CLOUD_PROJECT, TRICLOUD_FIRESTORE_*); others given are ignored."
  type        = map(string)
  default     = {}
}

variable "gcp_credentials_zip" {
  description = "Path of dist/aws/gcp-credentials.zip: the workload identity federation credential configuration of the sync function (output aws_sync_credential_config of infra/gcp), zipped by npm run build when TRICLOUD_AWS_SYNC_GCP_CREDENTIAL_CONFIG is set; tricloud deploy passes it when it exists. Empty: sync cannot read Firestore."
  type        = string
  default     = ""
}

variable "azure_settings" {
  description = "Non-secret Azure outputs of infra/azure that sync reads (COSMOS_ENDPOINT, TRICLOUD_COSMOS_*); others given are ignored."
  type        = map(string)
  default     = {}
}

variable "azure_cosmos_key" {
  description = "Key of the Cosmos DB account (output COSMOS_KEY of infra/azure); kept in Secrets Manager, which the sync function reads at cold start. Give it through TF_VAR_azure_cosmos_key, never in a file. Empty: sync cannot read Cosmos DB."
  type        = string
  default     = ""
  sensitive   = true
}
