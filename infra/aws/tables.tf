# The aggregates table (window documents, plus sync watermarks) and the dead-letters table: on demand, with
# point-in-time recovery and encryption at rest (AWS managed KMS key).

resource "aws_dynamodb_table" "aggregates" {
  name                        = var.aggregates_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "id"
    type = "S"
  }

  attribute {
    name = "shard"
    type = "N"
  }

  attribute {
    name = "changeKey"
    type = "S"
  }

  attribute {
    name = "seriesWindow"
    type = "S"
  }

  attribute {
    name = "start"
    type = "N"
  }

  # Sync lists changed slices since a watermark with one Query per shard (changeKey = zero-padded updatedAt, '|',
  # id), never a Scan; only slices carry shard and changeKey. See shared/clouds/aws/dynamo-store.ts.
  global_secondary_index {
    name            = var.changes_index_name
    hash_key        = "shard"
    range_key       = "changeKey"
    projection_type = "ALL"
  }

  # Readers list one series' windows of one size over a time range (seriesWindow = 'series|window', by start);
  # only windows carry seriesWindow, so the index holds windows alone and a read costs the windows returned.
  global_secondary_index {
    name            = var.windows_index_name
    hash_key        = "seriesWindow"
    range_key       = "start"
    projection_type = "ALL"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

resource "aws_dynamodb_table" "dead_letters" {
  name                        = var.dead_letters_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}
