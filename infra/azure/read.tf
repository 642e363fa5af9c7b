# The read function (functions/azure/read.ts) runs in a Function App of its own, with its own managed identity:
# the same package, but only the read function enabled, and only what reading needs — Cosmos DB's endpoint and
# names and the account's READ-ONLY key (from Key Vault, readable by this identity alone). A request needs a
# function key (authLevel 'function', the x-functions-key header); put Entra ID (App Service authentication) in
# front where users sign in. The main app disables its copy of the read function.

resource "azurerm_storage_container" "read_deployments" {
  name                  = "read-deployments"
  storage_account_id    = azurerm_storage_account.functions.id
  container_access_type = "private"
}

resource "azurerm_key_vault_secret" "cosmos_read_key" {
  name         = "cosmos-read-key"
  value        = azurerm_cosmosdb_account.main.primary_readonly_key
  key_vault_id = azurerm_key_vault.main.id

  depends_on = [azurerm_role_assignment.deployer_secrets]
}

resource "azurerm_function_app_flex_consumption" "read" {
  name                        = "${var.prefix}-read-${random_id.suffix.hex}"
  resource_group_name         = azurerm_resource_group.main.name
  location                    = azurerm_resource_group.main.location
  service_plan_id             = azurerm_service_plan.functions.id
  storage_container_type      = "blobContainer"
  storage_container_endpoint  = "${azurerm_storage_account.functions.primary_blob_endpoint}${azurerm_storage_container.read_deployments.name}"
  storage_authentication_type = "SystemAssignedIdentity"
  runtime_name                = "node"
  runtime_version             = "22"
  maximum_instance_count      = var.maximum_instance_count
  instance_memory_in_mb       = 512
  https_only                  = true

  app_settings = {
    AzureWebJobsStorage__accountName       = azurerm_storage_account.functions.name
    AzureWebJobsStorage__credential        = "managedidentity"
    NODE_OPTIONS                           = "--enable-source-maps"
    "AzureWebJobs.ingest.Disabled"         = "true"
    "AzureWebJobs.sync.Disabled"           = "true"
    COSMOS_ENDPOINT                        = azurerm_cosmosdb_account.main.endpoint
    COSMOS_KEY                             = "@Microsoft.KeyVault(SecretUri=${azurerm_key_vault_secret.cosmos_read_key.versionless_id})"
    TRICLOUD_COSMOS_DATABASE               = azurerm_cosmosdb_sql_database.main.name
    TRICLOUD_COSMOS_AGGREGATES_CONTAINER   = azurerm_cosmosdb_sql_container.aggregates.name
    TRICLOUD_COSMOS_DEAD_LETTERS_CONTAINER = azurerm_cosmosdb_sql_container.dead_letters.name
    TRICLOUD_COSMOS_SYNC_STATE_CONTAINER   = azurerm_cosmosdb_sql_container.sync_state.name
  }

  site_config {
    minimum_tls_version                    = "1.2"
    application_insights_connection_string = azurerm_application_insights.main.connection_string
  }

  identity {
    type = "SystemAssigned"
  }
}

# The read identity: its host's storage, and the read-only key's secret — nothing else of the vault.
resource "azurerm_role_assignment" "read_storage" {
  scope                = azurerm_storage_account.functions.id
  role_definition_name = "Storage Blob Data Owner"
  principal_id         = azurerm_function_app_flex_consumption.read.identity[0].principal_id
}

resource "azurerm_role_assignment" "read_secret" {
  scope                = azurerm_key_vault_secret.cosmos_read_key.resource_versionless_id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_function_app_flex_consumption.read.identity[0].principal_id
}

# Published like the main app (see function-app.tf for why through the Azure CLI).
resource "terraform_data" "publish_read" {
  triggers_replace = [filemd5(var.functionapp_zip), azurerm_function_app_flex_consumption.read.id]

  provisioner "local-exec" {
    command = "az functionapp deployment source config-zip --resource-group \"$RESOURCE_GROUP\" --name \"$APP\" --src \"$PACKAGE\""
    environment = {
      RESOURCE_GROUP = azurerm_resource_group.main.name
      APP            = azurerm_function_app_flex_consumption.read.name
      PACKAGE        = var.functionapp_zip
    }
  }

  depends_on = [azurerm_role_assignment.read_storage, azurerm_role_assignment.read_secret]
}

data "azurerm_function_app_host_keys" "read" {
  name                = azurerm_function_app_flex_consumption.read.name
  resource_group_name = azurerm_resource_group.main.name

  depends_on = [terraform_data.publish_read]
}

output "TRICLOUD_READ_URL_AZURE" {
  value = "https://${azurerm_function_app_flex_consumption.read.default_hostname}/api/windows"
}

output "TRICLOUD_READ_KEY_AZURE" {
  description = "A function key of the read app (x-functions-key); that app runs the read function only."
  value       = data.azurerm_function_app_host_keys.read.default_function_key
  sensitive   = true
}
