# The read function (functions/aws/read.ts): GET /windows?series=…&window=…&from=…&to=… from DynamoDB's
# bySeriesWindow index, behind a Lambda Function URL with IAM authentication — no anonymous reads. It may only
# Query that index; a principal reads by being allowed lambda:InvokeFunctionUrl on it, for which the policy
# `readers` below is ready to attach (to a role of the application, or to a role assumed through federation).

resource "aws_iam_role" "read" {
  name               = "${var.prefix}-read"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "read" {
  statement {
    sid       = "WindowsIndex"
    actions   = ["dynamodb:Query"]
    resources = ["${aws_dynamodb_table.aggregates.arn}/index/${var.windows_index_name}"]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.functions["read"].arn}:*"]
  }

  statement {
    sid       = "Environment"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.functions.arn]
  }
}

resource "aws_iam_role_policy" "read" {
  name   = "${var.prefix}-read"
  role   = aws_iam_role.read.id
  policy = data.aws_iam_policy_document.read.json
}

resource "aws_lambda_function" "read" {
  function_name    = "${var.prefix}-read"
  role             = aws_iam_role.read.arn
  filename         = var.read_zip
  source_code_hash = filebase64sha256(var.read_zip)
  handler          = "index.handler"
  runtime          = "nodejs22.x"
  architectures    = ["arm64"]
  timeout          = local.functions.read.timeout
  memory_size      = local.functions.read.memory
  kms_key_arn      = aws_kms_key.functions.arn

  environment {
    variables = merge(local.runtime_env, local.aws_env)
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.functions["read"].name
  }

  depends_on = [aws_iam_role_policy.read]
}

resource "aws_lambda_function_url" "read" {
  function_name      = aws_lambda_function.read.function_name
  authorization_type = "AWS_IAM"
}

# Attach to whoever may read: it allows calling the URL and nothing else.
resource "aws_iam_policy" "readers" {
  name = "${var.prefix}-readers"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReadWindows"
      Effect   = "Allow"
      Action   = "lambda:InvokeFunctionUrl"
      Resource = aws_lambda_function.read.arn
      Condition = {
        StringEquals = { "lambda:FunctionUrlAuthType" = "AWS_IAM" }
      }
    }]
  })
}

output "TRICLOUD_READ_URL_AWS" {
  value = aws_lambda_function_url.read.function_url
}

output "read_policy_arn" {
  value = aws_iam_policy.readers.arn
}
