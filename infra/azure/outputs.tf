# Named after the env contract (shared/config/local-env.ts envNames): write them into an env file
# (`tricloud deploy --cloud azure --env-file cloud.env` does) for `tricloud sync/export/verify --env-file`.

output "EVENTHUB_CONNECTION_STRING" {
  description = "Send-only connection string of the records hub, for producers."
  value       = azurerm_eventhub_authorization_rule.producers_send.primary_connection_string
  sensitive   = true
}

output "EVENTHUB_NAME" {
  value = azurerm_eventhub.records.name
}

output "EVENTHUB_CONSUMER_GROUP" {
  value = azurerm_eventhub_consumer_group.ingest.name
}

output "COSMOS_ENDPOINT" {
  value = azurerm_cosmosdb_account.main.endpoint
}

output "COSMOS_KEY" {
  value     = azurerm_cosmosdb_account.main.primary_key
  sensitive = true
}

output "TRICLOUD_COSMOS_DATABASE" {
  value = azurerm_cosmosdb_sql_database.main.name
}

output "TRICLOUD_COSMOS_AGGREGATES_CONTAINER" {
  value = azurerm_cosmosdb_sql_container.aggregates.name
}

output "TRICLOUD_COSMOS_DEAD_LETTERS_CONTAINER" {
  value = azurerm_cosmosdb_sql_container.dead_letters.name
}

output "TRICLOUD_COSMOS_SYNC_STATE_CONTAINER" {
  value = azurerm_cosmosdb_sql_container.sync_state.name
}

output "function_app" {
  value = azurerm_function_app_flex_consumption.main.name
}
