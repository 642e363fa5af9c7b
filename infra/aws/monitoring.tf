# Alarms and a dashboard from the functions' own metric lines. Each invocation logs one line in CloudWatch Embedded
# Metric Format (shared/observability/invocation-log.ts): CloudWatch Logs turns its members into metrics of the
# namespace the line names, with one dimension, `function` (ingest, sync, read), so no metric filter is needed. The
# alarms read those metrics, Lambda's own Errors and Throttles, and the queues' depth:
#
#   transport DLQ not empty    records that failed every delivery wait in the dead-letter queue
#   sync runs failed           a sync run failed or expired (its failure destination holds it)
#   dead letters written       ingest wrote records to the dead-letters table (the line's deadLetters)
#   ingest refused messages    the store refused messages for good; after max_receive_count they reach the DLQ
#   sync source failed         a sync run could not read a source (failedSources)
#   sync lag, per source       a run applied a change older than sync_lag_threshold_seconds (<source>LagMs)
#   sync has not run           no sync line for sync_absent_minutes (missing data counts as breaching)
#   errors, throttles          Lambda's Errors and Throttles of each function
#
# Every alarm notifies local.alarm_actions: var.alarm_actions, plus an SNS topic that var.alarm_emails subscribe to
# when any is given. Both empty (the default), alarms change state in CloudWatch and notify nobody.
#
# The lines are written at level info: a TRICLOUD_LOG_LEVEL of warn or error in pipeline_settings silences them,
# and then the sync-absent alarm fires.

locals {
  # The namespace the lines name: METRICS_NAMESPACE of shared/observability/invocation-log.ts (test/infra compares
  # them). The code fixes it, not var.prefix.
  metrics_namespace = "tricloud"

  # The clouds AWS sync pulls; its line has a lag metric `<source>LagMs` for each.
  sync_sources = ["gcp", "azure"]

  lambda_names = {
    ingest = aws_lambda_function.ingest.function_name
    sync   = aws_lambda_function.sync.function_name
    read   = aws_lambda_function.read.function_name
  }

  alarm_actions = concat(var.alarm_actions, aws_sns_topic.alarms[*].arn)

  # Alarms on a metric of the lines: a sum over five minutes above zero.
  line_alarms = {
    dead_letters_written = {
      function    = "ingest"
      metric      = "deadLetters"
      description = "Ingest wrote records to ${var.dead_letters_table_name} (invalid or late records); their reasons are in the table and on the ingest lines."
    }
    ingest_refused = {
      function    = "ingest"
      metric      = "failedPermanently"
      description = "DynamoDB refused messages for good (too large, invalid, forbidden); after ${var.max_receive_count} receives they reach ${var.dead_letter_queue_name}. firstError on the ingest line says why."
    }
    sync_source_failed = {
      function    = "sync"
      metric      = "failedSources"
      description = "A sync run into DynamoDB could not read a source cloud; the report on the sync line names the source and the error."
    }
  }
}

# Not encrypted with the project's key: CloudWatch publishes to a topic encrypted with a customer managed key only
# when the key's policy lets it, and an alarm's message holds names and thresholds, no data.
resource "aws_sns_topic" "alarms" {
  count = length(var.alarm_emails) > 0 ? 1 : 0

  name = "${var.prefix}-alarms"
}

resource "aws_sns_topic_subscription" "alarm_emails" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = each.value
}

# A message in the dead-letter queue is a record that failed every delivery: someone should look.
resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "${var.prefix}-records-dead-letters"
  alarm_description   = "Messages reached ${var.dead_letter_queue_name} after ${var.max_receive_count} failed deliveries."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letters.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "sync_failures" {
  alarm_name          = "${var.prefix}-sync-failed-runs"
  alarm_description   = "Sync runs failed or expired before they started; ${aws_sqs_queue.sync_failures.name} holds each event with its error."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.sync_failures.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "lines" {
  for_each = local.line_alarms

  alarm_name          = "${var.prefix}-${replace(each.key, "_", "-")}"
  alarm_description   = each.value.description
  namespace           = local.metrics_namespace
  metric_name         = each.value.metric
  dimensions          = { function = each.value.function }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# No line without documents read: a source with nothing new has no lag, which is not a breach.
resource "aws_cloudwatch_metric_alarm" "sync_lag" {
  for_each = toset(local.sync_sources)

  alarm_name          = "${var.prefix}-sync-lag-${each.key}"
  alarm_description   = "Sync into DynamoDB applied a change from ${each.key} older than ${var.sync_lag_threshold_seconds} s."
  namespace           = local.metrics_namespace
  metric_name         = "${each.key}LagMs"
  dimensions          = { function = "sync" }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.sync_lag_threshold_seconds * 1000
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# Every run logs its line, with or without documents: minutes without one mean the schedule, the function or its
# configuration stopped it (a run that throws also trips the Errors alarm).
resource "aws_cloudwatch_metric_alarm" "sync_absent" {
  alarm_name          = "${var.prefix}-sync-absent"
  alarm_description   = "No sync run into DynamoDB has logged its line for ${var.sync_absent_minutes} minutes."
  namespace           = local.metrics_namespace
  metric_name         = "durationMs"
  dimensions          = { function = "sync" }
  statistic           = "SampleCount"
  period              = 60
  evaluation_periods  = var.sync_absent_minutes
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  for_each = local.lambda_names

  alarm_name          = "${var.prefix}-${each.key}-errors"
  alarm_description   = "The ${each.key} function threw or timed out (its log group has the error)."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "throttles" {
  for_each = local.lambda_names

  alarm_name          = "${var.prefix}-${each.key}-throttles"
  alarm_description   = "Invocations of the ${each.key} function were throttled (concurrency limit; for sync, a run still going when the next tick came)."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

locals {
  dashboard_graphs = [
    {
      title   = "Records ingested (sum per minute)"
      stat    = "Sum"
      metrics = [[local.metrics_namespace, "records", "function", "ingest"], [local.metrics_namespace, "duplicates", "function", "ingest"]]
    },
    {
      title = "Dead letters written, messages failed and refused for good"
      stat  = "Sum"
      metrics = [
        [local.metrics_namespace, "deadLetters", "function", "ingest"],
        [local.metrics_namespace, "failedMessages", "function", "ingest"],
        [local.metrics_namespace, "failedPermanently", "function", "ingest"],
      ]
    },
    {
      title = "Queues: records waiting, dead letters, failed sync runs"
      stat  = "Maximum"
      metrics = [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.records.name],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.dead_letters.name],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.sync_failures.name],
      ]
    },
    {
      title   = "Sync lag per source (ms, the run's largest)"
      stat    = "Maximum"
      metrics = [for source in local.sync_sources : [local.metrics_namespace, "${source}LagMs", "function", "sync"]]
    },
    {
      title = "Sync: documents read and written, sources failed"
      stat  = "Sum"
      metrics = [
        [local.metrics_namespace, "documentsRead", "function", "sync"],
        [local.metrics_namespace, "documentsWritten", "function", "sync"],
        [local.metrics_namespace, "failedSources", "function", "sync"],
      ]
    },
    {
      title   = "Function errors"
      stat    = "Sum"
      metrics = [for name in values(local.lambda_names) : ["AWS/Lambda", "Errors", "FunctionName", name]]
    },
    {
      title   = "Function throttles"
      stat    = "Sum"
      metrics = [for name in values(local.lambda_names) : ["AWS/Lambda", "Throttles", "FunctionName", name]]
    },
    {
      title   = "Function duration (ms, p99)"
      stat    = "p99"
      metrics = [for name in values(local.lambda_names) : ["AWS/Lambda", "Duration", "FunctionName", name]]
    },
  ]

  dashboard_alarms = concat(
    [aws_cloudwatch_metric_alarm.dead_letters.arn, aws_cloudwatch_metric_alarm.sync_failures.arn, aws_cloudwatch_metric_alarm.sync_absent.arn],
    [for alarm in aws_cloudwatch_metric_alarm.lines : alarm.arn],
    [for alarm in aws_cloudwatch_metric_alarm.sync_lag : alarm.arn],
    [for alarm in aws_cloudwatch_metric_alarm.errors : alarm.arn],
    [for alarm in aws_cloudwatch_metric_alarm.throttles : alarm.arn],
  )
}

resource "aws_cloudwatch_dashboard" "main" {
  dashboard_name = var.prefix
  dashboard_body = jsonencode({
    widgets = concat(
      [{
        type       = "alarm"
        x          = 0
        y          = 0
        width      = 24
        height     = 4
        properties = { title = "Alarms", alarms = local.dashboard_alarms }
      }],
      [for i, graph in local.dashboard_graphs : {
        type   = "metric"
        x      = (i % 2) * 12
        y      = 4 + floor(i / 2) * 6
        width  = 12
        height = 6
        properties = {
          title   = graph.title
          metrics = graph.metrics
          stat    = graph.stat
          period  = 60
          region  = var.region
          view    = "timeSeries"
        }
      }],
    )
  })
}
