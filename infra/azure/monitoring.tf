# Alerts and a workbook from the functions' own metric lines. Each invocation logs one JSON line in Application
# Insights' shape (shared/observability/invocation-log.ts: customDimensions with the function's name,
# customMeasurements with its numbers); the host keeps it as the `message` of a trace of the app, which KQL reads
# with parse_json. The alerts:
#
#   dead letters written       an ingest line with deadLetters > 0 (records in the dead-letters container: invalid
#                              or late records, and messages Cosmos DB refused for good — Event Hubs has no
#                              dead-letter queue, so they are dead-lettered at once, and there is no transport
#                              DLQ to watch)
#   sync source failed         a sync line with failedSources > 0
#   sync lag, per source       a sync line with <source>LagMs above sync_lag_threshold_seconds
#   sync has not run           no sync line for sync_absent_minutes
#   errors                     a failed function execution of either app (the requests Application Insights keeps)
#   throttles                  Event Hubs throttled requests, Cosmos DB 429 answers
#
# Every alert notifies local.action_group_ids: var.action_group_ids, plus an action group of var.alert_emails
# when any is given. Both empty (the default), alerts fire in Azure Monitor and nobody is notified.
#
# The lines are written at level info: a TRICLOUD_LOG_LEVEL of warn or error in pipeline_settings silences them,
# and then the sync-absent alert fires.

locals {
  # The clouds Azure sync pulls; its line has a lag measurement `<source>LagMs` for each.
  sync_sources = ["aws", "gcp"]

  action_group_ids = concat(var.action_group_ids, azurerm_monitor_action_group.alerts[*].id)

  # Every metric line of the main app (ingest and sync), parsed.
  lines_query = join("\n", [
    "traces",
    "| where cloud_RoleName == '${azurerm_function_app_flex_consumption.main.name}'",
    "| extend line = parse_json(message)",
    "| where tostring(line.customDimensions.cloud) == 'azure'",
    "| extend fn = tostring(line.customDimensions.function), metrics = line.customMeasurements",
  ])

  line_alerts = merge(
    {
      dead_letters_written = {
        title = "Ingest wrote dead letters"
        query = "${local.lines_query}\n| where fn == 'ingest' and toint(metrics.deadLetters) > 0"
      }
      sync_source_failed = {
        title = "Sync could not read a source"
        query = "${local.lines_query}\n| where fn == 'sync' and toint(metrics.failedSources) > 0"
      }
      function_errors = {
        title = "A function execution failed"
        query = join("\n", [
          "requests",
          "| where cloud_RoleName in ('${azurerm_function_app_flex_consumption.main.name}', '${azurerm_function_app_flex_consumption.read.name}')",
          "| where success == false",
        ])
      }
    },
    {
      for source in local.sync_sources : "sync_lag_${source}" => {
        title = "Sync lag from ${source} above ${var.sync_lag_threshold_seconds} s"
        query = "${local.lines_query}\n| where fn == 'sync' and todouble(metrics.${source}LagMs) > ${var.sync_lag_threshold_seconds * 1000}"
      }
    },
  )

  # Azure Monitor writes a log alert's window as an ISO 8601 duration.
  sync_absent_window = var.sync_absent_minutes < 60 ? "PT${var.sync_absent_minutes}M" : (var.sync_absent_minutes < 1440 ? "PT${var.sync_absent_minutes / 60}H" : "P1D")
}

resource "azurerm_monitor_action_group" "alerts" {
  count = length(var.alert_emails) > 0 ? 1 : 0

  name                = "${var.prefix}-alerts"
  resource_group_name = azurerm_resource_group.main.name
  short_name          = substr(var.prefix, 0, 12)

  dynamic "email_receiver" {
    for_each = var.alert_emails

    content {
      name                    = "email-${email_receiver.key}"
      email_address           = email_receiver.value
      use_common_alert_schema = true
    }
  }
}

# Each line alert counts the matching rows of its window: any is an alert.
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "lines" {
  for_each = local.line_alerts

  name                 = "${var.prefix}-${replace(each.key, "_", "-")}"
  display_name         = "${var.prefix}: ${each.value.title}"
  resource_group_name  = azurerm_resource_group.main.name
  location             = azurerm_resource_group.main.location
  scopes               = [azurerm_application_insights.main.id]
  severity             = 2
  evaluation_frequency = "PT5M"
  window_duration      = "PT5M"

  criteria {
    query                   = each.value.query
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = 0

    failing_periods {
      minimum_failing_periods_to_trigger_alert = 1
      number_of_evaluation_periods             = 1
    }
  }

  dynamic "action" {
    for_each = length(local.action_group_ids) > 0 ? [local.action_group_ids] : []

    content {
      action_groups = action.value
    }
  }
}

# Every run logs its line, with or without documents; none in the window means the timer, the app or its
# configuration stopped it.
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "sync_absent" {
  name                 = "${var.prefix}-sync-absent"
  display_name         = "${var.prefix}: sync has not run for ${var.sync_absent_minutes} minutes"
  resource_group_name  = azurerm_resource_group.main.name
  location             = azurerm_resource_group.main.location
  scopes               = [azurerm_application_insights.main.id]
  severity             = 2
  evaluation_frequency = "PT5M"
  window_duration      = local.sync_absent_window

  criteria {
    query                   = "${local.lines_query}\n| where fn == 'sync'"
    time_aggregation_method = "Count"
    operator                = "LessThan"
    threshold               = 1

    failing_periods {
      minimum_failing_periods_to_trigger_alert = 1
      number_of_evaluation_periods             = 1
    }
  }

  dynamic "action" {
    for_each = length(local.action_group_ids) > 0 ? [local.action_group_ids] : []

    content {
      action_groups = action.value
    }
  }
}

resource "azurerm_monitor_metric_alert" "event_hubs_throttled" {
  name                = "${var.prefix}-event-hubs-throttled"
  description         = "Event Hubs throttled requests to ${azurerm_eventhub_namespace.main.name}: its throughput units are used up."
  resource_group_name = azurerm_resource_group.main.name
  scopes              = [azurerm_eventhub_namespace.main.id]
  severity            = 2
  frequency           = "PT5M"
  window_size         = "PT5M"

  criteria {
    metric_namespace = "Microsoft.EventHub/namespaces"
    metric_name      = "ThrottledRequests"
    aggregation      = "Total"
    operator         = "GreaterThan"
    threshold        = 0
  }

  dynamic "action" {
    for_each = local.action_group_ids

    content {
      action_group_id = action.value
    }
  }
}

resource "azurerm_monitor_metric_alert" "cosmos_throttled" {
  name                = "${var.prefix}-cosmos-throttled"
  description         = "Cosmos DB answered 429 (request rate too large) on ${azurerm_cosmosdb_account.main.name}; the functions retry, but sustained 429s slow ingest and sync."
  resource_group_name = azurerm_resource_group.main.name
  scopes              = [azurerm_cosmosdb_account.main.id]
  severity            = 2
  frequency           = "PT5M"
  window_size         = "PT5M"

  criteria {
    metric_namespace = "Microsoft.DocumentDB/databaseAccounts"
    metric_name      = "TotalRequests"
    aggregation      = "Count"
    operator         = "GreaterThan"
    threshold        = 0

    dimension {
      name     = "StatusCode"
      operator = "Include"
      values   = ["429"]
    }
  }

  dynamic "action" {
    for_each = local.action_group_ids

    content {
      action_group_id = action.value
    }
  }
}

locals {
  workbook_charts = [
    {
      title = "Records ingested, dead letters written, messages failed (per 5 minutes)"
      query = "${local.lines_query}\n| where fn == 'ingest'\n| summarize records = sum(toint(metrics.records)), deadLetters = sum(toint(metrics.deadLetters)), failedMessages = sum(toint(metrics.failedMessages)) by bin(timestamp, 5m)"
    },
    {
      title = "Sync lag per source (ms, the largest of each 5 minutes)"
      query = "${local.lines_query}\n| where fn == 'sync'\n| summarize ${join(", ", [for source in local.sync_sources : "${source}LagMs = max(todouble(metrics.${source}LagMs))"])} by bin(timestamp, 5m)"
    },
    {
      title = "Sync: documents read and written, sources failed (per 5 minutes)"
      query = "${local.lines_query}\n| where fn == 'sync'\n| summarize documentsRead = sum(toint(metrics.documentsRead)), documentsWritten = sum(toint(metrics.documentsWritten)), failedSources = sum(toint(metrics.failedSources)) by bin(timestamp, 5m)"
    },
    {
      title = "Function executions failed, by function (per 5 minutes)"
      query = "requests\n| where cloud_RoleName in ('${azurerm_function_app_flex_consumption.main.name}', '${azurerm_function_app_flex_consumption.read.name}')\n| summarize failed = countif(success == false) by operation_Name, bin(timestamp, 5m)"
    },
  ]
}

# A workbook's resource name must be a UUID.
resource "random_uuid" "workbook" {}

resource "azurerm_application_insights_workbook" "main" {
  name                = random_uuid.workbook.result
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  display_name        = "${var.prefix} pipeline"
  source_id           = lower(azurerm_application_insights.main.id)
  category            = "workbook"

  data_json = jsonencode({
    version = "Notebook/1.0"
    items = [for i, chart in local.workbook_charts : {
      type = 3
      name = "chart-${i}"
      content = {
        version       = "KqlItem/1.0"
        title         = chart.title
        query         = chart.query
        size          = 0
        timeContext   = { durationMs = 86400000 }
        queryType     = 0
        resourceType  = "microsoft.insights/components"
        visualization = "timechart"
      }
    }]
    fallbackResourceIds = [azurerm_application_insights.main.id]
  })
}
