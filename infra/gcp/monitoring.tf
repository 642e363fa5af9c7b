# Alert policies and a dashboard from the functions' own metric lines. Each invocation logs one structured JSON
# line (shared/observability/invocation-log.ts); Cloud Logging keeps it as the entry's jsonPayload (its numbers under
# jsonPayload.metrics) and moves `logging.googleapis.com/labels` to the entry's labels (cloud, function). The
# policies:
#
#   dead letters written       an ingest line with metrics.deadLetters > 0 (records in the dead-letters collection)
#   ingest refused messages    metrics.failedPermanently > 0: Firestore refused messages for good; after
#                              max_delivery_attempts pushes they reach the dead-letter topic
#   sync source failed         a sync line with metrics.failedSources > 0
#   sync lag, per source       a sync line with metrics.<source>LagMs above sync_lag_threshold_seconds
#   transport DLQ not empty    the dead-letter subscription holds messages
#   errors, throttles          each function's 5xx answers (a thrown invocation; ingest throws so Pub/Sub
#                              redelivers) and 429s (no instance free: max instances reached)
#   sync has not run           no request to the sync function for sync_absent_minutes
#
# The line conditions are log-match conditions: they need no metric, so they can be created in the same apply as
# everything else. A policy on a log-based metric fails to create until the metric has been written to, which can
# be 10 minutes after it is made (hashicorp/terraform-provider-google#11102); for the same reason the absence check
# reads Cloud Run's own request count of the sync function, which exists from its first request. The log-based
# metrics below feed the dashboard, which may name a metric before it has data.
#
# Every policy notifies local.notification_channels: var.notification_channels, plus an email channel per
# var.alert_emails. Both empty (the default), incidents open in Cloud Monitoring and nobody is notified.
#
# The lines are written at level info: a TRICLOUD_LOG_LEVEL of warn or error in pipeline_settings silences them.

locals {
  # The clouds GCP sync pulls; its line has a lag metric `<source>LagMs` for each.
  sync_sources = ["aws", "azure"]

  function_services = {
    ingest = google_cloudfunctions2_function.ingest.name
    sync   = google_cloudfunctions2_function.sync.name
    read   = google_cloudfunctions2_function.read.name
  }

  # A function's metric lines: its Cloud Run service (a 2nd-gen function's service has the function's name) and
  # the label the line sets. Formats, filled in below, so test/infra can fill them in too and match real lines.
  line_filter_format   = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"%s\" AND labels.function=\"%s\""
  lag_condition_format = "jsonPayload.metrics.%sLagMs>%d"
  line_filter          = { for function, service in local.function_services : function => format(local.line_filter_format, service, function) }

  notification_channels = concat(var.notification_channels, [for channel in google_monitoring_notification_channel.email : channel.id])

  # Alerts on a line whose count is above zero.
  count_alerts = {
    dead_letters_written = {
      function    = "ingest"
      condition   = "jsonPayload.metrics.deadLetters>0"
      title       = "Ingest wrote dead letters"
      description = "Ingest wrote records to the ${var.dead_letters_collection} collection (invalid or late records); the line's report and the documents say why."
    }
    ingest_refused = {
      function    = "ingest"
      condition   = "jsonPayload.metrics.failedPermanently>0"
      title       = "Firestore refused messages for good"
      description = "Firestore refused messages for good (too large, invalid, forbidden); after ${var.max_delivery_attempts} deliveries they reach ${var.dead_letter_topic_name}. firstError on the line says why."
    }
    sync_source_failed = {
      function    = "sync"
      condition   = "jsonPayload.metrics.failedSources>0"
      title       = "Sync could not read a source"
      description = "A sync run into Firestore could not read a source cloud; the report on the line names the source and the error."
    }
  }

  lag_alerts = {
    for source in local.sync_sources : "sync_lag_${source}" => {
      function    = "sync"
      condition   = format(local.lag_condition_format, source, var.sync_lag_threshold_seconds * 1000)
      title       = "Sync lag from ${source}"
      description = "Sync into Firestore applied a change from ${source} older than ${var.sync_lag_threshold_seconds} s."
    }
  }

  line_alerts = merge(local.count_alerts, local.lag_alerts)

  # Cloud Run's answers per function: 5xx an invocation that failed, 429 a request no instance could take.
  function_alerts = merge(
    {
      for function, service in local.function_services : "${function}_errors" => {
        service = service
        title   = "${function} errors"
        filter  = "metric.labels.response_code_class=\"5xx\""
      }
    },
    {
      for function, service in local.function_services : "${function}_throttles" => {
        service = service
        title   = "${function} throttled"
        filter  = "metric.labels.response_code=\"429\""
      }
    },
  )
}

resource "google_monitoring_notification_channel" "email" {
  for_each = toset(var.alert_emails)

  display_name = "${var.prefix} alerts: ${each.value}"
  type         = "email"
  labels       = { email_address = each.value }

  depends_on = [google_project_service.apis]
}

resource "google_monitoring_alert_policy" "lines" {
  for_each = local.line_alerts

  display_name          = "${var.prefix}: ${each.value.title}"
  combiner              = "OR"
  notification_channels = local.notification_channels

  documentation {
    content   = each.value.description
    mime_type = "text/markdown"
  }

  conditions {
    display_name = each.value.title

    condition_matched_log {
      filter = "${local.line_filter[each.value.function]} AND ${each.value.condition}"
    }
  }

  # A log-match policy notifies at most once per period and closes its incident after auto_close.
  alert_strategy {
    auto_close = "1800s"

    notification_rate_limit {
      period = "300s"
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_monitoring_alert_policy" "dead_letter_backlog" {
  display_name          = "${var.prefix}: records in the dead-letter subscription"
  combiner              = "OR"
  notification_channels = local.notification_channels

  documentation {
    content   = "Messages reached ${var.dead_letter_topic_name} after ${var.max_delivery_attempts} failed deliveries; ${var.dead_letter_subscription_name} holds them."
    mime_type = "text/markdown"
  }

  conditions {
    display_name = "dead-letter subscription not empty"

    condition_threshold {
      filter          = "resource.type=\"pubsub_subscription\" AND resource.labels.subscription_id=\"${google_pubsub_subscription.dead_letters.name}\" AND metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_monitoring_alert_policy" "functions" {
  for_each = local.function_alerts

  display_name          = "${var.prefix}: ${each.value.title}"
  combiner              = "OR"
  notification_channels = local.notification_channels

  conditions {
    display_name = each.value.title

    condition_threshold {
      filter          = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${each.value.service}\" AND metric.type=\"run.googleapis.com/request_count\" AND ${each.value.filter}"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  depends_on = [google_project_service.apis]
}

# Every tick is a request to the sync function, whether the run succeeds or not (a failing run trips sync_errors).
resource "google_monitoring_alert_policy" "sync_absent" {
  display_name          = "${var.prefix}: sync has not run"
  combiner              = "OR"
  notification_channels = local.notification_channels

  documentation {
    content   = "The sync function has had no request for ${var.sync_absent_minutes} minutes: check the Cloud Scheduler job ${google_cloud_scheduler_job.sync.name} and the function's Eventarc trigger."
    mime_type = "text/markdown"
  }

  conditions {
    display_name = "no sync request"

    condition_absent {
      filter   = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${local.function_services.sync}\" AND metric.type=\"run.googleapis.com/request_count\""
      duration = "${var.sync_absent_minutes * 60}s"

      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  depends_on = [google_project_service.apis]
}

# The lines' numbers as distributions (one value per invocation), for the dashboard.
locals {
  line_metrics = merge(
    { for field in ["records", "duplicates", "deadLetters", "failedMessages", "failedPermanently"] : field => "ingest" },
    { for field in ["documentsRead", "documentsWritten", "failedSources"] : field => "sync" },
    { for source in local.sync_sources : "${source}LagMs" => "sync" },
  )
}

resource "google_logging_metric" "lines" {
  for_each = local.line_metrics

  name            = "${var.prefix}_${each.value}_${each.key}"
  description     = "metrics.${each.key} of the ${each.value} function's lines (shared/observability/invocation-log.ts)."
  filter          = "${local.line_filter[each.value]} AND jsonPayload.metrics.${each.key}:*"
  value_extractor = "EXTRACT(jsonPayload.metrics.${each.key})"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "DISTRIBUTION"
    unit        = endswith(each.key, "Ms") ? "ms" : "1"
  }

  bucket_options {
    exponential_buckets {
      num_finite_buckets = 64
      growth_factor      = 2
      scale              = 1
    }
  }

  depends_on = [google_project_service.apis]
}

locals {
  # A distribution's PromQL name (Cloud Monitoring's mapping: the first '/' becomes ':', other symbols '_'); its
  # `_sum` and `_count` series are the values' sum and number.
  promql = { for key, metric in google_logging_metric.lines : key => "logging_googleapis_com:user_${replace(metric.name, "/[^A-Za-z0-9_]/", "_")}" }

  dashboard_tiles = [
    {
      title   = "Records ingested, duplicates (per 5 minutes)"
      queries = [for field in ["records", "duplicates"] : "sum(increase(${local.promql[field]}_sum[5m]))"]
    },
    {
      title   = "Dead letters written, messages failed and refused for good (per 5 minutes)"
      queries = [for field in ["deadLetters", "failedMessages", "failedPermanently"] : "sum(increase(${local.promql[field]}_sum[5m]))"]
    },
    {
      title   = "Sync lag per source (ms, mean of the runs)"
      queries = [for source in local.sync_sources : "sum(rate(${local.promql["${source}LagMs"]}_sum[5m])) / sum(rate(${local.promql["${source}LagMs"]}_count[5m]))"]
    },
    {
      title   = "Sync: documents read and written, sources failed (per 5 minutes)"
      queries = [for field in ["documentsRead", "documentsWritten", "failedSources"] : "sum(increase(${local.promql[field]}_sum[5m]))"]
    },
    {
      title   = "Pub/Sub: records waiting, dead letters waiting"
      queries = [for subscription in [google_pubsub_subscription.ingest.name, google_pubsub_subscription.dead_letters.name] : "max({\"pubsub.googleapis.com/subscription/num_undelivered_messages\", subscription_id=\"${subscription}\"})"]
    },
    {
      title   = "Function answers by class (per 5 minutes)"
      queries = [for service in values(local.function_services) : "sum by (response_code_class) (increase({\"run.googleapis.com/request_count\", monitored_resource=\"cloud_run_revision\", service_name=\"${service}\"}[5m]))"]
    },
  ]
}

resource "google_monitoring_dashboard" "main" {
  dashboard_json = jsonencode({
    displayName = "${var.prefix} pipeline"
    mosaicLayout = {
      columns = 48
      tiles = [for i, tile in local.dashboard_tiles : {
        xPos   = (i % 2) * 24
        yPos   = floor(i / 2) * 16
        width  = 24
        height = 16
        widget = {
          title = tile.title
          xyChart = {
            dataSets = [for query in tile.queries : { timeSeriesQuery = { prometheusQuery = query }, plotType = "LINE" }]
          }
        }
      }]
    }
  })

  depends_on = [google_project_service.apis]
}
