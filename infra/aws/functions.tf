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
    ingest = { zip = var.ingest_zip, timeout = 30, memory = 512 }
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
}

# Batches of up to ingest_batch_size messages, gathered for up to the batching window; a failed record returns
# alone (ReportBatchItemFailures), and after max_receive_count receives moves to the dead-letter queue.
resource "aws_lambda_event_source_mapping" "records" {
  event_source_arn                   = aws_sqs_queue.records.arn
  function_name                      = aws_lambda_function.ingest.arn
  batch_size                         = var.ingest_batch_size
  maximum_batching_window_in_seconds = var.ingest_batching_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.ingest_max_concurrency
  }
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
}
