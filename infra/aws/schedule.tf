# EventBridge Scheduler invokes sync; a missed tick needs no retry (the next run reads from the watermark). The
# schedule assumes its role on every tick: created before the role's policy, its first ticks are refused.

resource "aws_scheduler_schedule" "sync" {
  name                = "${var.prefix}-sync"
  schedule_expression = var.sync_schedule

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.sync.arn
    role_arn = aws_iam_role.scheduler.arn

    retry_policy {
      maximum_retry_attempts = 0
    }
  }

  depends_on = [aws_iam_role_policy.scheduler]
}
