# Defaults of resource names equal infra/manifest.json (test/infra compares them), so the local stack and the
# cloud address the same names.

variable "subscription_id" {
  description = "Azure subscription of every resource (or ARM_SUBSCRIPTION_ID)."
  type        = string
  default     = null
}

variable "prefix" {
  description = "Prefix of every resource name; namespace, account and vault names add a suffix unique to the subscription."
  type        = string
  default     = "tricloud"
}

variable "location" {
  description = "Azure region of every resource."
  type        = string
  default     = "germanywestcentral"
}

variable "event_hub_name" {
  description = "Event Hub producers send records to (EVENTHUB_NAME)."
  type        = string
  default     = "tricloud-records"
}

variable "partitions" {
  description = "Partitions of the Event Hub."
  type        = number
  default     = 4
}

variable "consumer_group" {
  description = "Consumer group the ingest function reads with (EVENTHUB_CONSUMER_GROUP)."
  type        = string
  default     = "tricloud-ingest"
}

variable "cosmos_database" {
  description = "Cosmos DB database (TRICLOUD_COSMOS_DATABASE)."
  type        = string
  default     = "tricloud"
}

variable "aggregates_container" {
  description = "Container of window documents."
  type        = string
  default     = "aggregates"
}

variable "dead_letters_container" {
  description = "Container of dead-lettered records."
  type        = string
  default     = "deadLetters"
}

variable "sync_state_container" {
  description = "Container of sync watermarks."
  type        = string
  default     = "syncState"
}

variable "functionapp_zip" {
  description = "Path of dist/azure/functionapp.zip (tricloud deploy passes it)."
  type        = string
}

variable "sync_schedule" {
  description = "NCRONTAB schedule of the sync timer (TRICLOUD_SYNC_SCHEDULE)."
  type        = string
  default     = "0 */1 * * * *"
}

variable "maximum_instance_count" {
  description = "Most instances of the Flex Consumption app."
  type        = number
  default     = 40
}

variable "log_retention_days" {
  description = "Retention of the app's logs in Log Analytics."
  type        = number
  default     = 30
}

variable "pipeline_settings" {
  description = "Pipeline and sync settings given to the functions (TRICLOUD_WINDOWS, TRICLOUD_MAX_LATENESS, TRICLOUD_INGEST_CONCURRENCY, TRICLOUD_SYNC_BUDGET, TRICLOUD_SYNC_OVERLAP, TRICLOUD_SYNC_PAGE_SIZE, TRICLOUD_LOG_LEVEL)."
  type        = map(string)
  default = {
    TRICLOUD_WINDOWS     = "1m"
    TRICLOUD_SYNC_BUDGET = "50s"
  }
}

# The other two clouds, as sync reads them: the outputs of infra/aws and infra/gcp.

variable "aws_settings" {
  description = "AWS outputs of infra/aws that sync reads (AWS_REGION, TRICLOUD_DYNAMODB_*); others given are ignored."
  type        = map(string)
  default     = {}
}

variable "gcp_settings" {
  description = "Google Cloud outputs of infra/gcp that sync reads (GOOGLE_CLOUD_PROJECT, TRICLOUD_FIRESTORE_*); others given are ignored."
  type        = map(string)
  default     = {}
}

variable "gcp_credentials_json" {
  description = "Google credential sync reads Firestore with, as JSON text (TRICLOUD_GCP_CREDENTIALS_JSON): a key of infra/gcp's azure_sync_service_account. Not needed, and refused by the app alongside it, once gcp_workload_identity_provider is set (federation.tf). Empty without federation: sync's pass over Google fails and says so. Kept in Key Vault. Give it through TF_VAR_gcp_credentials_json, never in a file."
  type        = string
  default     = ""
  sensitive   = true
}

# Alerts (monitoring.tf). Both lists empty, the default: alerts fire in Azure Monitor and nobody is notified.

variable "action_group_ids" {
  description = "Azure Monitor action groups every alert notifies (resource ids; e-mail, SMS, webhook, … receivers made elsewhere). Empty, with alert_emails empty: nobody is notified."
  type        = list(string)
  default     = []
}

variable "alert_emails" {
  description = "Addresses this stack puts in an action group of its own, notified by every alert. Empty, with action_group_ids empty: nobody is notified."
  type        = list(string)
  default     = []
}

variable "sync_lag_threshold_seconds" {
  description = "Alert when a sync run applies a source's change older than this (the lag per source of the sync metric line)."
  type        = number
  default     = 300
}

variable "sync_absent_minutes" {
  description = "Alert when no sync run has logged its line for this many minutes (a window Azure Monitor's log alerts accept); keep it above the schedule's interval."
  type        = number
  default     = 10

  validation {
    condition     = contains([5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440], var.sync_absent_minutes)
    error_message = "sync_absent_minutes must be one of 5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360 or 1440 (the windows of Azure Monitor log alerts)."
  }
}
