# One role per function, each allowed only the actions its code calls on the resources it uses:
#   ingest — receives from the records queue (event source mapping), reads and conditionally writes window
#            documents (BatchGetItem, PutItem), writes dead letters (BatchWriteItem);
#   sync   — reads and writes window documents and watermarks (BatchGetItem, GetItem, PutItem), queries the
#            changes index (Query), reads the Cosmos DB key's secret, and sends its failed runs to their queue
#            (the failure destination of its asynchronous invocations).
# Both write their own log group and decrypt their environment.

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "ingest" {
  name               = "${var.prefix}-ingest"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "ingest" {
  statement {
    sid       = "ReceiveRecords"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.records.arn]
  }

  statement {
    sid       = "WindowDocuments"
    actions   = ["dynamodb:BatchGetItem", "dynamodb:PutItem"]
    resources = [aws_dynamodb_table.aggregates.arn]
  }

  statement {
    sid       = "DeadLetters"
    actions   = ["dynamodb:BatchWriteItem"]
    resources = [aws_dynamodb_table.dead_letters.arn]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.functions["ingest"].arn}:*"]
  }

  statement {
    sid       = "Environment"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.functions.arn]
  }
}

resource "aws_iam_role_policy" "ingest" {
  name   = "${var.prefix}-ingest"
  role   = aws_iam_role.ingest.id
  policy = data.aws_iam_policy_document.ingest.json
}

resource "aws_iam_role" "sync" {
  name               = "${var.prefix}-sync"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "sync" {
  statement {
    sid       = "WindowDocumentsAndWatermarks"
    actions   = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem"]
    resources = [aws_dynamodb_table.aggregates.arn]
  }

  statement {
    sid       = "Changes"
    actions   = ["dynamodb:Query"]
    resources = ["${aws_dynamodb_table.aggregates.arn}/index/${var.changes_index_name}"]
  }

  statement {
    sid       = "CrossCloudSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.sync_cross_cloud.arn]
  }

  statement {
    sid       = "FailedRuns"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.sync_failures.arn]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.functions["sync"].arn}:*"]
  }

  statement {
    sid       = "Environment"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.functions.arn]
  }
}

resource "aws_iam_role_policy" "sync" {
  name   = "${var.prefix}-sync"
  role   = aws_iam_role.sync.id
  policy = data.aws_iam_policy_document.sync.json
}

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.prefix}-sync-scheduler"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "InvokeSync"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.sync.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "${var.prefix}-sync-scheduler"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}
