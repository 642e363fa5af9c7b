# The records queue and its dead-letter queue, and the queue of sync runs that failed. SSE-SQS encrypts at rest;
# the queue policy refuses plain HTTP.

locals {
  # AWS's rule for a queue that drives a Lambda: a visibility timeout of at least 6 times the function's timeout
  # plus the batching window, so a message whose invocation is throttled and retried, or that waits in a batch, is
  # not received a second time while the first invocation still holds it (and does not use up max_receive_count
  # without a failure). Derived from the two variables, so they cannot drift apart.
  records_visibility_timeout_seconds = 6 * var.ingest_timeout_seconds + var.ingest_batching_window_seconds
}

resource "aws_sqs_queue" "dead_letters" {
  name                      = var.dead_letter_queue_name
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "records" {
  name                       = var.queue_name
  visibility_timeout_seconds = local.records_visibility_timeout_seconds
  message_retention_seconds  = 345600
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letters.arn
    maxReceiveCount     = var.max_receive_count
  })
}

# Sync runs that failed or expired (aws_lambda_function_event_invoke_config.sync): the event and the error.
resource "aws_sqs_queue" "sync_failures" {
  name                      = "${var.prefix}-sync-failures"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

# Only the records queue may dead-letter into the DLQ.
resource "aws_sqs_queue_redrive_allow_policy" "dead_letters" {
  queue_url = aws_sqs_queue.dead_letters.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.records.arn]
  })
}

data "aws_iam_policy_document" "tls_only" {
  for_each = {
    records       = aws_sqs_queue.records.arn
    dead_letters  = aws_sqs_queue.dead_letters.arn
    sync_failures = aws_sqs_queue.sync_failures.arn
  }

  statement {
    sid       = "DenyPlainHttp"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [each.value]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "tls_only" {
  for_each = {
    records       = aws_sqs_queue.records.id
    dead_letters  = aws_sqs_queue.dead_letters.id
    sync_failures = aws_sqs_queue.sync_failures.id
  }

  queue_url = each.value
  policy    = data.aws_iam_policy_document.tls_only[each.key].json
}
