# Named after the env contract (shared/config/local-env.ts envNames): write them into an env file
# (`tricloud deploy --cloud aws --env-file cloud.env` does) for `tricloud sync/export/verify --env-file`.

output "AWS_REGION" {
  value = var.region
}

output "TRICLOUD_SQS_QUEUE_URL" {
  value = aws_sqs_queue.records.url
}

output "TRICLOUD_SQS_DEAD_LETTER_QUEUE_URL" {
  value = aws_sqs_queue.dead_letters.url
}

output "TRICLOUD_DYNAMODB_AGGREGATES_TABLE" {
  value = aws_dynamodb_table.aggregates.name
}

output "TRICLOUD_DYNAMODB_CHANGES_INDEX" {
  value = var.changes_index_name
}

output "TRICLOUD_DYNAMODB_DEAD_LETTERS_TABLE" {
  value = aws_dynamodb_table.dead_letters.name
}

# For infra/gcp (aws_account_id, aws_sync_role_name): the role whose identity Google's STS federates.
output "sync_role_arn" {
  value = aws_iam_role.sync.arn
}

output "dead_letter_alarm" {
  value = aws_cloudwatch_metric_alarm.dead_letters.arn
}
