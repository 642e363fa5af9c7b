# The two Lambdas, built by `npm run build` (tricloud deploy passes the zips' paths). Their environment is the env
# contract of shared/config/local-env.ts plus the pipeline settings; AWS_REGION and the role's credentials come from
# the Lambda runtime. Environment variables are encrypted at rest with the project's KMS key.

locals {
  aws_env = {
    TRICLOUD_SQS_QUEUE_URL               = aws_sqs_queue.records.url
    TRICLOUD_SQS_DEAD_LETTER_QUEUE_URL   = aws_sqs_queue.dead_letters.url
    TRICLOUD_DYNAMODB_AGGREGATES_TABLE   = aws_dynamodb_table.aggregates.name
    TRICLOUD_DYNAMODB_CHANGES_INDEX      = var.changes_index_name
    TRICLOUD_DYNAMODB_DEAD_LETTERS_TABLE = aws_dynamodb_table.dead_letters.name
  }
  runtime_env = {
    NODE_OPTIONS = "--enable-source-maps"
  }
  functions = {
    ingest = { zip = var.ingest_zip, timeout = var.ingest_timeout_seconds, memory = 512 }
    sync   = { zip = var.sync_zip, timeout = 60, memory = 512 }
    read   = { zip = var.read_zip, timeout = 10, memory = 256 }
  }
}

resource "aws_cloudwatch_log_group" "functions" {
  for_each = local.functions

  name              = "/aws/lambda/${var.prefix}-${each.key}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "ingest" {
  function_name    = "${var.prefix}-ingest"
  role             = aws_iam_role.ingest.arn
  filename         = var.ingest_zip
  source_code_hash = filebase64sha256(var.ingest_zip)
  handler          = "index.handler"
  runtime          = "nodejs22.x"
  architectures    = ["arm64"]
  timeout          = local.functions.ingest.timeout
  memory_size      = local.functions.ingest.memory
  kms_key_arn      = aws_kms_key.functions.arn

  environment {
    variables = merge(var.pipeline_settings, local.runtime_env, local.aws_env)
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.functions["ingest"].name
  }

  # The first invocations write logs and decrypt the environment with the role's policy: it must exist first.
  depends_on = [aws_iam_role_policy.ingest]
}

# Batches of up to ingest_batch_size messages, gathered for up to the batching window; a failed record returns
# alone (ReportBatchItemFailures), and after max_receive_count receives moves to the dead-letter queue.
# Lambda checks on create that the function's role may receive from the queue, and its pollers receive with it from
# then on: created before the role's policy, the mapping fails, or its first polls are refused.
resource "aws_lambda_event_source_mapping" "records" {
  event_source_arn                   = aws_sqs_queue.records.arn
  function_name                      = aws_lambda_function.ingest.arn
  batch_size                         = var.ingest_batch_size
  maximum_batching_window_in_seconds = var.ingest_batching_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.ingest_max_concurrency
  }

  depends_on = [aws_iam_role_policy.ingest]
}

resource "aws_lambda_function" "sync" {
  function_name    = "${var.prefix}-sync"
  role             = aws_iam_role.sync.arn
  filename         = var.sync_zip
  source_code_hash = filebase64sha256(var.sync_zip)
  handler          = "index.handler"
  runtime          = "nodejs22.x"
  architectures    = ["arm64"]
  timeout          = local.functions.sync.timeout
  memory_size      = local.functions.sync.memory
  kms_key_arn      = aws_kms_key.functions.arn
  layers           = aws_lambda_layer_version.gcp_credentials[*].arn

  # One run at a time: a second run would only redo the first one's reads.
  reserved_concurrent_executions = 1

  environment {
    variables = merge(
      var.pipeline_settings,
      local.runtime_env,
      local.aws_env,
      var.gcp_settings,
      var.azure_settings,
      local.sync_cross_cloud_env,
    )
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.functions["sync"].name
  }

  depends_on = [aws_iam_role_policy.sync]
}

# The schedule is sync's retry: a failed or late run is not tried again (the next tick reads from the watermark),
# where Lambda's defaults for asynchronous invocations would retry twice and keep an event up to 6 hours. A tick
# that cannot start within a minute (a run still holds the one reserved instance) is dropped for the next one. What
# fails goes to the failure queue, with the error, for someone to read (monitoring.tf alarms when it is not empty).
# Lambda checks on create that the role may send to the destination, so the policy must exist first.
resource "aws_lambda_function_event_invoke_config" "sync" {
  function_name                = aws_lambda_function.sync.function_name
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 60

  destination_config {
    on_failure {
      destination = aws_sqs_queue.sync_failures.arn
    }
  }

  depends_on = [aws_iam_role_policy.sync]
}
